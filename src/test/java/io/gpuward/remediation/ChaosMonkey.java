package io.gpuward.remediation;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.SimulatedCluster;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Kills the remediator of {@link RemediatorChaosIT} at seeded points: at a chosen call of each
 * action kind (before the call reaches the cluster, or after it took effect and before its outcome
 * is recorded), and at random moments from a thread of its own. One monkey lives through the whole
 * run; each remediator instance gets its own {@link Ports} and audit sink, which die with it: a
 * killed instance reaches the cluster no more (a call already under way on another lane finishes,
 * like an HTTP request a dying process had sent).
 */
final class ChaosMonkey implements AutoCloseable {
  /** The action kinds the scenario exercises; ESCALATE has no port call (killed at its records). */
  static final List<RemediationAction> KINDS =
      List.of(
          RemediationAction.CORDON,
          RemediationAction.DRAIN,
          RemediationAction.RESET_GPU,
          RemediationAction.REBOOT,
          RemediationAction.REPLACE,
          RemediationAction.UNCORDON,
          RemediationAction.ESCALATE);

  /** Where a planned kill strikes a call. */
  enum When {
    BEFORE,
    AFTER
  }

  private record Planned(int call, When when) {}

  /**
   * Wall time an instance runs before a kill may strike it (a planned strike that comes earlier
   * passes on to the next call of its kind). Without it, kills a few hundred milliseconds apart
   * interrupt the same step three times, which the planner rightly reads as a step that crashes the
   * remediator (AMBIGUOUS after attempt 3, see LadderPlannerTest); this run is about crashes that
   * strike anywhere, not a crash loop.
   */
  static final Duration MIN_UPTIME = Duration.ofMillis(1500);

  private final long seed;
  private final Random random;
  private final Clock clock;
  private final int maxKills;
  private final Map<RemediationAction, Planned> plan = new EnumMap<>(RemediationAction.class);
  private final Map<RemediationAction, Integer> calls = new EnumMap<>(RemediationAction.class);
  private final Map<RemediationAction, Integer> killedKinds =
      new EnumMap<>(RemediationAction.class);
  private final List<String> log = new ArrayList<>();
  private Instance current;
  private int kills;
  private int timerKills;
  private final int maxTimerKills;
  private volatile boolean stopped;
  private final Thread timer;

  /**
   * @param maxKills kills in all (0: a run without kills, the baseline)
   */
  ChaosMonkey(long seed, Clock clock, int maxKills) {
    this.seed = seed;
    this.random = new Random(seed);
    this.clock = clock;
    this.maxKills = maxKills;
    for (RemediationAction a : KINDS) {
      // The first or second call of each kind (a scenario resets, replaces and escalates about
      // twice); a planned call that an earlier kill already caught passes the strike on to the
      // next.
      int call = 1 + random.nextInt(2);
      plan.put(a, new Planned(call, random.nextBoolean() ? When.BEFORE : When.AFTER));
    }
    this.maxTimerKills = maxKills == 0 ? 0 : 2 + random.nextInt(2);
    Random timing = new Random(seed * 31 + 7);
    this.timer =
        new Thread(
            () -> {
              while (!stopped) {
                try {
                  Thread.sleep(3_000 + timing.nextInt(6_000));
                } catch (InterruptedException e) {
                  return;
                }
                killAtRandomMoment();
              }
            },
            "chaos-monkey-timer");
    timer.setDaemon(true);
  }

  /** Starts the kills at random moments. */
  void start() {
    if (maxTimerKills > 0) {
      timer.start();
    }
  }

  /** The seed and the plan, for a failure message. */
  synchronized String describe() {
    return "seed="
        + seed
        + " plan="
        + plan
        + " timerKills<="
        + maxTimerKills
        + " kills="
        + kills
        + " at "
        + log;
  }

  synchronized int kills() {
    return kills;
  }

  /** The action kinds a kill struck at (in a port call or at its audit records). */
  synchronized java.util.Set<RemediationAction> killedKinds() {
    return java.util.Set.copyOf(killedKinds.keySet());
  }

  /** Ports and audit sink for a new remediator instance; {@code halt} kills it. */
  synchronized Instance attach(SimulatedCluster cluster, Supplier<RemediatorService> service) {
    current = new Instance(cluster, service);
    return current;
  }

  private synchronized void killAtRandomMoment() {
    Instance i = current;
    if (i == null
        || i.dead
        || !i.upLongEnough()
        || timerKills >= maxTimerKills
        || kills >= maxKills) {
      return;
    }
    RemediatorService s = i.service.get();
    if (s == null || s.polls() == 0) {
      return; // not started yet: a kill during start is the next one's business
    }
    timerKills++;
    kill(i, "timer at " + clock.instant());
  }

  /** True when this call of {@code kind} is the one planned to be struck {@code when}. */
  private synchronized boolean strikes(
      Instance i, RemediationAction kind, int call, When when, String at) {
    if (i.dead || kills >= maxKills || !i.upLongEnough()) {
      return false;
    }
    Planned p = plan.get(kind);
    if (p == null || p.when() != when || killedKinds.containsKey(kind)) {
      return false;
    }
    if (call < p.call()) {
      return false;
    }
    killedKinds.put(kind, p.call());
    kill(i, when.name().toLowerCase(java.util.Locale.ROOT) + " " + kind + " " + at);
    return true;
  }

  /** Counts a call of {@code kind}; returns its number (from 1). */
  private synchronized int count(RemediationAction kind) {
    return calls.merge(kind, 1, Integer::sum);
  }

  private void kill(Instance i, String where) {
    kills++;
    log.add("#" + kills + " " + where + " (sim " + clock.instant() + ")");
    i.dead = true;
    RemediatorService s = i.service.get();
    if (s != null) {
      s.halt();
    }
  }

  @Override
  public void close() {
    stopped = true;
    timer.interrupt();
  }

  /** What one remediator instance reaches the cluster and the audit topic through. */
  final class Instance implements ClusterPort, CloudPort {
    private final SimulatedCluster cluster;
    private final Supplier<RemediatorService> service;
    private volatile boolean dead;
    // The number of the ESCALATE the calling lane started last (its SUCCEEDED follows on it).
    private final ThreadLocal<Integer> escalation = ThreadLocal.withInitial(() -> 0);

    private final long attachedAt = System.nanoTime();

    private Instance(SimulatedCluster cluster, Supplier<RemediatorService> service) {
      this.cluster = cluster;
      this.service = service;
    }

    boolean upLongEnough() {
      return System.nanoTime() - attachedAt >= MIN_UPTIME.toNanos();
    }

    /** The audit sink of the instance: ESCALATE is killed at its intent or its outcome. */
    Consumer<RemediationRecord> audit(Consumer<RemediationRecord> append) {
      return r -> {
        append.accept(r);
        if (r.getAction() != RemediationAction.ESCALATE) {
          return;
        }
        if (r.getOutcome() == Outcome.STARTED) {
          escalation.set(count(RemediationAction.ESCALATE));
        }
        When when =
            r.getOutcome() == Outcome.STARTED
                ? When.BEFORE
                : r.getOutcome() == Outcome.SUCCEEDED ? When.AFTER : null;
        if (when != null
            && strikes(
                this,
                RemediationAction.ESCALATE,
                escalation.get(),
                when,
                r.getNode() + " " + r.getOutcome())) {
          throw new IllegalStateException("killed at ESCALATE " + r.getOutcome());
        }
      };
    }

    private <T> T around(RemediationAction kind, String target, Supplier<T> call) {
      if (dead) {
        throw new IllegalStateException("remediator killed: " + kind + " " + target + " not sent");
      }
      int n = count(kind);
      if (strikes(this, kind, n, When.BEFORE, target)) {
        throw new IllegalStateException("killed before " + kind + " " + target);
      }
      T out = call.get();
      if (strikes(this, kind, n, When.AFTER, target)) {
        throw new IllegalStateException("killed after " + kind + " " + target);
      }
      return out;
    }

    private void around(RemediationAction kind, String target, Runnable call) {
      around(
          kind,
          target,
          () -> {
            call.run();
            return null;
          });
    }

    @Override
    public Optional<LiveNode> node(String name) {
      return cluster.node(name);
    }

    @Override
    public void cordon(String node, String operationId) {
      around(RemediationAction.CORDON, node, () -> cluster.cordon(node, operationId));
    }

    @Override
    public void uncordon(String node, String operationId) {
      around(RemediationAction.UNCORDON, node, () -> cluster.uncordon(node, operationId));
    }

    @Override
    public DrainResult drain(String node, Duration deadline) {
      return around(RemediationAction.DRAIN, node, () -> cluster.drain(node, deadline));
    }

    @Override
    public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
      return around(RemediationAction.DRAIN, node, () -> cluster.evictPods(node, pods, deadline));
    }

    @Override
    public void recordEvent(
        String node, RemediationAction action, boolean ok, String operationId, String message) {
      if (!dead) {
        cluster.recordEvent(node, action, ok, operationId, message);
      }
    }

    @Override
    public void resetGpu(String instanceId, String gpu, String token) {
      around(
          RemediationAction.RESET_GPU, instanceId, () -> cluster.resetGpu(instanceId, gpu, token));
    }

    @Override
    public io.gpuward.remediation.port.CommandTrace gpuResetTrace(
        String instanceId, String gpu, String token, java.time.Instant since) {
      return cluster.gpuResetTrace(instanceId, gpu, token, since); // read-only: never killed
    }

    @Override
    public void reboot(String instanceId, String token) {
      around(RemediationAction.REBOOT, instanceId, () -> cluster.reboot(instanceId, token));
    }

    @Override
    public void replace(String instanceId, String asgName, String token) {
      around(
          RemediationAction.REPLACE, instanceId, () -> cluster.replace(instanceId, asgName, token));
    }

    @Override
    public Optional<String> autoScalingGroupOf(String nodegroup) {
      return cluster.autoScalingGroupOf(nodegroup);
    }
  }
}
