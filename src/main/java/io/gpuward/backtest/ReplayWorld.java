package io.gpuward.backtest;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.Step;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cluster and the cloud as the history shows them. An operation the live remediator carried out
 * (the same deterministic operation id) ends as the live audit recorded it and takes as long as it
 * took live; one the live remediator never carried out succeeds, takes the typical time of its
 * action in the history, and is marked assumed: nothing recorded can tell what it would have done.
 * Nodes come from the inventory; cordons, reboots and replacements done in the replay change them.
 */
public final class ReplayWorld implements ClusterPort, CloudPort {
  private final ReplayClock clock;
  private final Map<String, Recorded> recorded;
  private final Map<RemediationAction, Duration> typical;
  private final Map<String, WorldNode> nodes = new HashMap<>();
  private final Map<String, Instant> sent = new HashMap<>();
  private final Set<String> assumed = new TreeSet<>();
  private Step current;

  private final Instant end;

  /**
   * @param end the end of the period: an operation still under way there live ends after it here
   */
  ReplayWorld(ReplayClock clock, Map<String, Recorded> recorded, Instant end) {
    this.clock = clock;
    this.end = end;
    this.recorded = Map.copyOf(recorded);
    this.typical = Recorded.typical(recorded.values());
  }

  /** Operation ids the replay carried out without a live record to answer from. */
  public Set<String> assumed() {
    return Set.copyOf(assumed);
  }

  /** The step about to be carried out: its operation id answers the port calls that follow. */
  void carryingOut(Step step) {
    current = step;
  }

  /** The node as the inventory has it now (a registered one has a Node object). */
  void apply(NodeInventory inv) {
    WorldNode n = nodes.computeIfAbsent(inv.getNode(), WorldNode::new);
    n.place(inv);
  }

  /** A node the inventory never named is taken as registered, placed as the verdict says. */
  void noteVerdict(FaultVerdict v) {
    nodes.computeIfAbsent(v.getNode(), name -> WorldNode.fromVerdict(v));
  }

  @Override
  public Optional<LiveNode> node(String name) {
    WorldNode n = nodes.get(name);
    return n == null || !n.exists ? Optional.empty() : Optional.of(n.live());
  }

  @Override
  public void cordon(String node, String operationId) {
    answer(operationId);
    nodes.computeIfAbsent(node, WorldNode::new).cordonedBy(operationId);
  }

  @Override
  public void uncordon(String node, String operationId) {
    answer(operationId);
    nodes.computeIfAbsent(node, WorldNode::new).cordonedBy(null);
  }

  @Override
  public DrainResult drain(String node, Duration deadline) {
    answer(currentOp());
    return new DrainResult(0, 0, 0, true);
  }

  @Override
  public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
    answer(currentOp());
    return new DrainResult(0, 0, 0, true);
  }

  @Override
  public void resetGpuByJob(String node, List<String> gpus, String operationId) {
    answer(operationId);
  }

  @Override
  public CommandTrace gpuResetJobTrace(String node, String operationId) {
    return trace(operationId);
  }

  @Override
  public void resetGpu(String instanceId, String gpu, String idempotencyToken) {
    if (!sent.containsKey(idempotencyToken)) {
      answer(idempotencyToken); // one answer for all the GPUs of one reset
    }
  }

  @Override
  public CommandTrace gpuResetTrace(
      String instanceId, String gpu, String idempotencyToken, Instant since) {
    return trace(idempotencyToken);
  }

  @Override
  public void runDiagnostics(String instanceId, int level, String idempotencyToken) {
    // Sent and not waited for, live too: its result is read later, as it was recorded.
    sent.put(idempotencyToken, clock.instant());
    if (!recorded.containsKey(idempotencyToken)) {
      assumed.add(idempotencyToken);
    }
  }

  @Override
  public CommandTrace diagnosticsTrace(String instanceId, String idempotencyToken, Instant since) {
    return trace(idempotencyToken);
  }

  @Override
  public void reboot(String instanceId, String idempotencyToken) {
    answer(idempotencyToken);
    byInstance(instanceId).ifPresent(WorldNode::rebooted);
  }

  @Override
  public void replace(String instanceId, String asgName, String idempotencyToken) {
    answer(idempotencyToken);
    byInstance(instanceId).ifPresent(n -> n.exists = false);
  }

  private Optional<WorldNode> byInstance(String instanceId) {
    return nodes.values().stream().filter(n -> instanceId.equals(n.instanceId)).findFirst();
  }

  private String currentOp() {
    if (current == null) {
      throw new IllegalStateException("a port call outside of a step");
    }
    return current.operationId();
  }

  /**
   * Answers an operation as recorded: it takes the time it took live and ends as it ended; an
   * operation the history does not end (it outlasted the period) succeeds after the period. One
   * never recorded succeeds in its action's typical time, assumed.
   */
  private void answer(String op) {
    sent.put(op, clock.instant());
    Recorded r = recorded.get(op);
    if (r == null) {
      assumed.add(op);
      RemediationAction a =
          current != null && current.operationId().equals(op) ? current.action() : null;
      clock.advance(a == null ? Duration.ZERO : typical.getOrDefault(a, Duration.ZERO));
      return;
    }
    if (r.result().isEmpty()) {
      clock.set(later(clock.instant(), end.plusMillis(1))); // what follows lies past the period
      return;
    }
    clock.advance(r.took());
    Outcome o = r.outcome();
    String detail = r.detail() == null ? "as recorded" : r.detail();
    switch (o) {
      case FAILED_TRANSIENT ->
          throw new ActuatorException(ActuatorException.Kind.TRANSIENT, detail);
      case FAILED_PERMANENT ->
          throw new ActuatorException(ActuatorException.Kind.PERMANENT, detail);
      case AMBIGUOUS -> throw new ActuatorException(ActuatorException.Kind.AMBIGUOUS, detail);
      default -> {}
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** What the history says of a command by the replay's clock; one never recorded succeeded. */
  private CommandTrace trace(String op) {
    Recorded r = recorded.get(op);
    if (!sent.containsKey(op) && r == null) {
      return new CommandTrace(CommandTrace.State.NOT_SENT, "not sent");
    }
    if (r == null) {
      return new CommandTrace(CommandTrace.State.SUCCEEDED, "assumed: not in the history");
    }
    if (r.outcome() == null || clock.instant().isBefore(r.ended())) {
      return new CommandTrace(CommandTrace.State.IN_PROGRESS, "as recorded");
    }
    CommandTrace.State s =
        r.outcome() == Outcome.SUCCEEDED ? CommandTrace.State.SUCCEEDED : CommandTrace.State.FAILED;
    return new CommandTrace(s, r.detail() == null ? "as recorded" : r.detail());
  }
}
