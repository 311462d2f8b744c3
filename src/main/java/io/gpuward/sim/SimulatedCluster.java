package io.gpuward.sim;

import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.aws.CloudWorld;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An in-process Kubernetes cluster and EC2 cloud that behaves like the real APIs for the
 * remediator: nodes (boot id, Ready, cordon and the gpuward annotation), pods (one workload pod per
 * GPU owned by a per-node-group Deployment with a PodDisruptionBudget, plus DaemonSet pods), Auto
 * Scaling groups, reboots, GPU resets and instance replacement, all timed by an injected {@link
 * Clock}.
 *
 * <p>Thread-safe: the remediator calls it from its own thread while the {@link FleetSimulator}
 * ticks; every method holds one internal lock (never while calling out). Timed transitions (a
 * reboot finishing, a replacement registering, an evicted pod rescheduled) happen lazily, the first
 * time anyone looks at or after their deadline.
 *
 * <p>This class is the facade: it holds the lock and the clock, fires due transitions where the API
 * promises a fresh view, and delegates each job to one part (see the package's DESIGN.md): {@link
 * CloudInstances} (Auto Scaling groups and instances), {@link GpuResets}, {@link NodeRegistry}
 * (Node objects), {@link Workloads} (workload pods, budgets, drains), {@link OperandPods}
 * (DaemonSet pods), {@link ClusterTimeline} (timed transitions and changes for the simulator) and
 * {@link ClusterJournal} (actions, events, counts), over the objects of {@link ClusterModel}; the
 * fleet simulator's own calls are {@link ClusterControls}.
 *
 * <p>Behaviour worth knowing:
 *
 * <ul>
 *   <li>{@link #drain} does not cordon (cordon first, as kubectl drain does); with {@link
 *       Duration#ZERO} it is one non-blocking pass, otherwise it retries PDB-blocked evictions,
 *       polling in wall time while the clock runs, until the deadline (simulated) passes or the
 *       clock stops moving for 2 s of wall time (a paused {@link ManualClock}).
 *   <li>An evicted pod counts against its PDB until it is rescheduled elsewhere after {@link
 *       Settings#rescheduleDelay()}; a schedulable, Ready node gets workload pods back on its
 *       allocatable GPUs after the same delay.
 *   <li>{@link #resetGpu} needs no workload pod left on the node (else PERMANENT "node not
 *       drained") and completes after {@link Settings#gpuResetDuration()}.
 *   <li>{@link #reboot} makes the node NotReady at once and brings it back with a new boot id after
 *       {@link Settings#rebootDuration()}.
 *   <li>{@link #replace} terminates the instance (its Node object goes away) and the Auto Scaling
 *       group launches a new instance named {@code <nodegroup>-<next index>}, which registers after
 *       {@link Settings#replaceDuration()} (unless the node group never registers).
 *   <li>The same idempotency token twice is a no-op; an unknown node or instance is PERMANENT.
 * </ul>
 */
public final class SimulatedCluster implements ClusterPort, CloudPort, CloudWorld {

  /** Namespace of the workload pods. */
  public static final String WORKLOAD_NAMESPACE = "ml";

  /** Container name of the workload pods. */
  public static final String WORKLOAD_CONTAINER = "worker";

  /** The kubelet's waiting reason for a container it restarts with a growing back-off. */
  public static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";

  /**
   * Timings and budgets of the simulated cluster.
   *
   * @param rebootDuration how long a rebooting node is NotReady and silent
   * @param replaceDuration how long a replacement instance takes to register
   * @param gpuResetDuration how long {@code nvidia-smi -r} takes
   * @param rescheduleDelay how long an evicted pod takes to run elsewhere (and an emptied node to
   *     get workload pods back)
   * @param pdbMaxUnavailable workload pods of one node group that may be disrupted at once
   */
  public record Settings(
      Duration rebootDuration,
      Duration replaceDuration,
      Duration gpuResetDuration,
      Duration rescheduleDelay,
      int pdbMaxUnavailable) {

    public Settings {
      Objects.requireNonNull(rebootDuration, "rebootDuration");
      Objects.requireNonNull(replaceDuration, "replaceDuration");
      Objects.requireNonNull(gpuResetDuration, "gpuResetDuration");
      Objects.requireNonNull(rescheduleDelay, "rescheduleDelay");
      if (pdbMaxUnavailable < 1) {
        throw new IllegalArgumentException("pdbMaxUnavailable must be >= 1");
      }
    }

    /** 20 s reboot, 40 s replacement, 5 s GPU reset, 5 s reschedule, 1 disruption at a time. */
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(20),
          Duration.ofSeconds(40),
          Duration.ofSeconds(5),
          Duration.ofSeconds(5),
          1);
    }

    /** A copy with another reboot duration. */
    public Settings withRebootDuration(Duration d) {
      return new Settings(d, replaceDuration, gpuResetDuration, rescheduleDelay, pdbMaxUnavailable);
    }

    /** A copy with another replacement registration delay. */
    public Settings withReplaceDuration(Duration d) {
      return new Settings(rebootDuration, d, gpuResetDuration, rescheduleDelay, pdbMaxUnavailable);
    }

    /** A copy with another GPU reset duration. */
    public Settings withGpuResetDuration(Duration d) {
      return new Settings(rebootDuration, replaceDuration, d, rescheduleDelay, pdbMaxUnavailable);
    }

    /** A copy with another reschedule delay. */
    public Settings withRescheduleDelay(Duration d) {
      return new Settings(rebootDuration, replaceDuration, gpuResetDuration, d, pdbMaxUnavailable);
    }

    /** A copy with another PDB budget. */
    public Settings withPdbMaxUnavailable(int n) {
      return new Settings(rebootDuration, replaceDuration, gpuResetDuration, rescheduleDelay, n);
    }
  }

  private final Object lock = new Object();
  private final Clock clock;
  private final Diagnostics diagnostics;
  private final Settings settings;
  private final ClusterTimeline timeline = new ClusterTimeline();
  private final ClusterJournal journal = new ClusterJournal();
  private final NodeRegistry registry;
  private final Workloads workloads;
  private final OperandPods operands;
  private final CloudInstances instances;
  private final GpuResets resets;
  private final ClusterControls controls;

  /** A cluster with {@link Settings#defaults()}. */
  public SimulatedCluster(Clock clock) {
    this(clock, Settings.defaults());
  }

  /**
   * A cluster timed by {@code clock} (a {@link SimClock} in the demo, a {@link ManualClock} in
   * tests).
   */
  public SimulatedCluster(Clock clock, Settings settings) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.diagnostics = new Diagnostics(clock);
    this.settings = Objects.requireNonNull(settings, "settings");
    ClusterModel model = new ClusterModel();
    workloads = new Workloads(model, timeline, journal, settings, clock, lock);
    operands = new OperandPods(model);
    registry = new NodeRegistry(model, timeline, journal, workloads, operands);
    instances = new CloudInstances(model, timeline, journal, registry, workloads, settings);
    resets = new GpuResets(model, timeline, journal, instances, workloads, settings);
    controls = new ClusterControls(lock, timeline, registry, instances, operands, diagnostics);
  }

  /** The clock the cluster is timed by. */
  public Clock clock() {
    return clock;
  }

  /** The cluster's timings and budgets. */
  public Settings settings() {
    return settings;
  }

  /** Under the lock, after firing the transitions due now: {@code call} with that instant. */
  private <T> T atNow(Function<Instant, T> call) {
    synchronized (lock) {
      Instant now = clock.instant();
      timeline.fire(now);
      return call.apply(now);
    }
  }

  private void doAtNow(Consumer<Instant> call) {
    atNow(
        now -> {
          call.accept(now);
          return null;
        });
  }

  /** Under the lock, firing nothing (the simulator's own calls, and the journal). */
  private <T> T locked(Supplier<T> call) {
    synchronized (lock) {
      return call.get();
    }
  }

  // ------------------------------------------------------------------ ClusterPort

  @Override
  public Optional<LiveNode> node(String name) {
    return atNow(now -> registry.node(name));
  }

  @Override
  public void cordon(String node, String operationId) {
    doAtNow(now -> registry.cordon(node, operationId, now));
  }

  @Override
  public void uncordon(String node, String operationId) {
    doAtNow(now -> registry.uncordon(node, operationId, now));
  }

  @Override
  public DrainResult drain(String node, Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    return atNow(
        start -> workloads.drain(registry.require(start, "DRAIN", node, ""), start, deadline));
  }

  @Override
  public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    return atNow(
        start ->
            workloads.evictPods(registry.require(start, "DRAIN", node, ""), pods, start, deadline));
  }

  /**
   * A DeviceTaintRule on GPU {@code gpu} of {@code node} (what the simulated API server does with
   * one it stores): no new pod is placed on the GPU until {@link #untaintDevice}. Journaled.
   */
  public void taintDevice(String node, int gpu, String rule) {
    doAtNow(now -> registry.taintDevice(node, gpu, rule, now));
  }

  /** The DeviceTaintRule {@code rule} on GPU {@code gpu} of {@code node} deleted. Journaled. */
  public void untaintDevice(String node, int gpu, String rule) {
    doAtNow(now -> registry.untaintDevice(node, gpu, rule, now));
  }

  // ------------------------------------------------------------------ CloudPort

  /**
   * The simulated SSM command history: a GPU reset accepted with this token (the call returns once
   * the command succeeded) is SUCCEEDED, any other NOT_SENT.
   */
  @Override
  public CommandTrace gpuResetTrace(
      String instanceId, String gpu, String idempotencyToken, Instant since) {
    return locked(() -> resets.trace(instanceId, gpu, idempotencyToken));
  }

  /**
   * Resets one GPU, named by its UUID (as the remediator passes it) or its index, like {@code
   * nvidia-smi -r -i <gpu>}. Needs the node drained of workload pods.
   */
  @Override
  public void resetGpu(String instanceId, String gpu, String idempotencyToken) {
    doAtNow(now -> resets.reset(instanceId, gpu, idempotencyToken, now));
  }

  /** DCGM diagnostics on the instance's node, run by {@link Diagnostics}; needs it running. */
  @Override
  public void runDiagnostics(String instanceId, int level, String idempotencyToken) {
    doAtNow(
        now -> {
          ClusterModel.Instance inst =
              instances.require(now, "VALIDATE", instanceId, instanceId, idempotencyToken);
          if (inst.state != ClusterModel.State.RUNNING) {
            throw journal.reject(
                now,
                "VALIDATE",
                instanceId,
                idempotencyToken,
                ActuatorException.Kind.TRANSIENT,
                "instance " + instanceId + " is " + inst.state.name().toLowerCase(Locale.ROOT));
          }
          boolean started = diagnostics.start(inst.node, instanceId, level, idempotencyToken);
          journal.record(
              now,
              "VALIDATE",
              instanceId,
              idempotencyToken,
              started ? "ACCEPTED" : "NOOP",
              "dcgmi diag -r " + level);
        });
  }

  @Override
  public CommandTrace diagnosticsTrace(String instanceId, String idempotencyToken, Instant since) {
    return diagnostics.trace(idempotencyToken);
  }

  /** The world's DCGM diagnostics: where {@code diag-fail} arms a node's next run. */
  public Diagnostics diagnostics() {
    return diagnostics;
  }

  @Override
  public void reboot(String instanceId, String idempotencyToken) {
    doAtNow(now -> instances.reboot(instanceId, idempotencyToken, now));
  }

  @Override
  public void replace(String instanceId, String asgName, String idempotencyToken) {
    doAtNow(now -> instances.replace(instanceId, asgName, idempotencyToken, now));
  }

  // ------------------------------------------------------------------ reads for the demo

  /** Registered nodes (Node objects), in creation order. */
  public List<LiveNode> nodes() {
    return atNow(now -> registry.nodes());
  }

  /** Every instance ever launched, terminated ones included, in launch order. */
  public List<InstanceView> instances() {
    return atNow(now -> instances.views());
  }

  // ------------------------------------------------------------------ CloudWorld (AWS front end)

  /**
   * Every instance as EC2, Auto Scaling and SSM describe it. The SSM agent is Online while the
   * instance runs and its image boots, ConnectionLost while it reboots, and never registered when
   * the image does not boot on the instance type (or the instance is pending or terminated).
   */
  @Override
  public List<CloudWorld.Instance> cloudInstances() {
    return atNow(now -> instances.cloudViews());
  }

  /** EC2's scheduled events, after carrying out those due now. */
  @Override
  public Map<String, List<CloudWorld.ScheduledEvent>> scheduledEvents() {
    return atNow(now -> instances.scheduledEvents());
  }

  /** The GPU reset accepted with this token: in progress until its duration has passed. */
  @Override
  public CloudWorld.GpuReset gpuReset(String instanceId, String gpu, String idempotencyToken) {
    return atNow(now -> resets.outcome(instanceId, gpu, idempotencyToken));
  }

  /** Pods bound to {@code node} (empty for an unknown node). */
  public List<PodView> pods(String node) {
    return atNow(fired -> registry.pods(node, clock.instant()));
  }

  /**
   * Everything an API server front end serves (nodes, their pods, the PodDisruptionBudgets), taken
   * at one instant after firing due timers.
   */
  public ClusterSnapshot snapshot() {
    return atNow(now -> new ClusterSnapshot(now, registry.views(now), workloads.pdbs(now)));
  }

  /**
   * Evicts one pod as the Eviction API does: deleted when its node group's PodDisruptionBudget
   * allows one more disruption (it then counts against the budget until rescheduled), refused
   * otherwise. A drain through the Eviction API is this, pod by pod.
   */
  public EvictionOutcome evict(String namespace, String pod) {
    return atNow(now -> workloads.evict(namespace, pod, now));
  }

  /**
   * Records an Event on the node like the real actuator (reason {@code Gpuward<Action>}, {@code
   * Gpuward<Action>Failed} as a Warning); one event per operation id and reason, however often
   * called. Events on unknown nodes are kept too (the API server accepts them).
   */
  @Override
  public void recordEvent(
      String node, RemediationAction action, boolean ok, String operationId, String message) {
    if (node == null || operationId == null) {
      return;
    }
    String reason = ClusterPort.eventReason(action, ok);
    synchronized (lock) {
      journal.event(
          operationId + "/" + reason,
          new ClusterEvent(
              node,
              reason,
              ok ? "Normal" : "Warning",
              operationId,
              message == null ? reason : message,
              clock.instant()));
    }
  }

  /** Every Event recorded, in order. */
  public List<ClusterEvent> events() {
    return locked(journal::events);
  }

  /** Every actuator call received, in order. */
  public List<ClusterAction> actions() {
    return locked(journal::actions);
  }

  /** Counts of what the cluster did. */
  public ClusterStats stats() {
    return locked(journal::stats);
  }

  /** Reboots accepted. */
  public int reboots() {
    return stats().reboots();
  }

  /** Instances replaced. */
  public int replacements() {
    return stats().replacements();
  }

  /** GPU resets accepted. */
  public int gpuResets() {
    return stats().gpuResets();
  }

  @Override
  public void markHealth(String node, HealthMark mark) {
    doAtNow(now -> registry.markHealth(node, mark));
  }

  /**
   * Cordons {@code node} the way a human with kubectl would: unschedulable without the gpuward
   * annotation, so {@link LiveNode#cordonedBySomeoneElse()} is true.
   */
  public void cordonManually(String node) {
    doAtNow(now -> registry.cordonManually(node, now));
  }

  /** The calls by which the fleet simulator plays the nodes' agents and the world's faults. */
  ClusterControls controls() {
    return controls;
  }
}
