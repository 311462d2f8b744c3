package io.gpuward.backtest;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a history through the real {@link Remediation} with a candidate policy, on a {@link
 * ReplayClock}, in event-time order: each verdict version at its update time, each inventory record
 * and operator command at its own, and each deferred verdict when it falls due. One thread, like
 * the live remediator's node lanes played one after the other: a node whose lane is busy (an
 * operation that took a minute live takes a minute here) is played when it is free again, while
 * other nodes' records go on at their own times.
 */
public final class Replay {
  private static final Logger log = LoggerFactory.getLogger(Replay.class);

  /** A runaway replay (a verdict planned again at the same moment forever) stops here. */
  static final int MAX_STEPS = 1_000_000;

  /** What the replay decided: its audit records and what was assumed. */
  public record Result(List<RemediationRecord> audit, Set<String> assumed, String policyVersion) {}

  private sealed interface Event permits Read, Replan, Inventory, Command {}

  private record Read(FaultVerdict v) implements Event {}

  private record Replan(FaultVerdict v) implements Event {}

  private record Inventory(NodeInventory inv) implements Event {}

  private record Command(ControlCommand c) implements Event {}

  private record Due(Instant at, long seq, Event event) {}

  private final ReplayClock clock;
  private final ReplayWorld world;
  private final Remediation remediation;
  private final List<RemediationRecord> audit = new ArrayList<>();
  private final PriorityQueue<Due> queue =
      new PriorityQueue<>(Comparator.comparing(Due::at).thenComparingLong(Due::seq));
  private final Map<String, Instant> laneFree = new HashMap<>();
  private final Instant end;
  private long seq;

  private Replay(History h, RemediationPolicy policy, Instant start, Instant end) {
    this.clock = new ReplayClock(start);
    this.end = end;
    this.world = new ReplayWorld(clock, Recorded.of(h.audit()), end);
    boolean dryRun = h.audit().stream().anyMatch(RemediationRecord::getDryRun);
    this.remediation =
        new Remediation(
            new Planner(policy),
            world,
            world,
            audit::add,
            clock,
            dryRun,
            new SimpleMeterRegistry(),
            Remediation.WakeupMode.MANUAL);
    remediation.onReplan(v -> enqueue(clock.instant(), new Replan(v)));
    remediation.onIntent(world::carryingOut);
  }

  /**
   * Replays {@code h} from its start to {@code end} (records and wakeups after it are not played).
   *
   * @throws IllegalArgumentException when the history holds no verdict
   */
  public static Result run(History h, RemediationPolicy policy, Instant end) {
    Instant start =
        h.verdicts().stream()
            .map(FaultVerdict::getUpdatedAt)
            .min(Instant::compareTo)
            .orElseThrow(() -> new IllegalArgumentException("no verdict in the period"));
    Replay r = new Replay(h, policy, start, end);
    r.seed(h, start);
    r.play();
    List<RemediationRecord> within = r.audit.stream().filter(a -> !a.getAt().isAfter(end)).toList();
    Set<String> ops =
        within.stream().map(RemediationRecord::getOperationId).collect(Collectors.toSet());
    Set<String> assumed = new TreeSet<>(r.world.assumed());
    assumed.retainAll(ops); // carried out after the period: not part of the answer
    return new Result(within, Set.copyOf(assumed), policy.version());
  }

  private void seed(History h, Instant start) {
    for (NodeInventory inv : h.inventory()) {
      if (inv.getUpdatedAt().isAfter(start)) {
        enqueue(inv.getUpdatedAt(), new Inventory(inv));
      } else {
        apply(inv);
      }
    }
    for (ControlCommand c : h.control()) {
      if (c.getIssuedAt().isBefore(start)) {
        remediation.restoreControl(c); // in force when the period starts; audited before it
      } else {
        enqueue(c.getIssuedAt(), new Command(c));
      }
    }
    Map<FaultVerdict, Instant> read = ReadTimes.of(h.verdicts(), h.audit());
    h.verdicts().forEach(v -> enqueue(read.get(v), new Read(v)));
  }

  private void play() {
    for (int steps = 0; steps < MAX_STEPS; steps++) {
      Due next = queue.peek();
      Optional<Instant> wake = remediation.nextWakeup();
      if (wake.isPresent() && (next == null || wake.get().isBefore(next.at()))) {
        if (wake.get().isAfter(end)) {
          return;
        }
        clock.set(wake.get());
        remediation.wakeDue();
        continue;
      }
      if (next == null || next.at().isAfter(end)) {
        return;
      }
      queue.poll();
      play(next);
    }
    throw new IllegalStateException("replay did not settle within " + MAX_STEPS + " steps");
  }

  private void play(Due d) {
    clock.set(d.at());
    if (d.event() instanceof Inventory i) {
      apply(i.inv());
    } else if (d.event() instanceof Command c) {
      remediation.onControl(c.c()).forEach(v -> enqueue(clock.instant(), new Replan(v)));
    } else if (d.event() instanceof Read r) {
      // Noted when read, before its node's turn, as the live consumer does.
      remediation.noteLatest(r.v());
      world.noteVerdict(r.v());
      onLane(d.at(), r.v(), d.seq());
    } else if (d.event() instanceof Replan p) {
      onLane(d.at(), p.v(), d.seq());
    }
  }

  /** Plays a verdict on its node's lane: now if the lane is free, else when it frees. */
  private void onLane(Instant at, FaultVerdict v, long order) {
    Instant free = laneFree.getOrDefault(v.getNode(), at);
    if (free.isAfter(at)) {
      queue.add(new Due(free, order, new Replan(v)));
      return;
    }
    try {
      remediation.onVerdict(v);
    } catch (RuntimeException e) {
      // As live: one verdict that fails does not stop the others; it is in the output as missing.
      log.warn("replay of node={} verdictId={} failed", v.getNode(), v.getVerdictId(), e);
    }
    laneFree.put(v.getNode(), clock.instant());
  }

  private void apply(NodeInventory inv) {
    remediation.fleet().apply(inv);
    world.apply(inv);
  }

  private void enqueue(Instant at, Event e) {
    queue.add(new Due(at, seq++, e));
  }
}
