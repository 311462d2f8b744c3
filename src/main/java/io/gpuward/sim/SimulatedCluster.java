package io.gpuward.sim;

import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.aws.CloudWorld;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger log = LoggerFactory.getLogger(SimulatedCluster.class);

  /** Namespace of the workload pods. */
  public static final String WORKLOAD_NAMESPACE = "ml";

  /** Container name of the workload pods. */
  public static final String WORKLOAD_CONTAINER = "worker";

  private static final Duration CLOCK_STALL = Duration.ofSeconds(2);
  private static final long DRAIN_POLL_MILLIS = 20;

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

  private enum State {
    PENDING,
    RUNNING,
    REBOOTING,
    TERMINATED
  }

  private static final class Asg {
    final String name;
    final String nodegroup;
    final int gpus;
    final boolean migCapable;
    final long seed;
    int nextIndex;
    boolean registers;
    final Pdb pdb;
    final String rsHash;
    String image;
    String amiId;
    boolean imageBoots = true;

    /** The labels every node of the group carries (node group, zone, instance type, GPU). */
    final Map<String, String> labels = new TreeMap<>();

    Asg(String name, String nodegroup, int gpus, boolean migCapable, long seed, int nextIndex) {
      this.name = name;
      this.nodegroup = nodegroup;
      this.gpus = gpus;
      this.migCapable = migCapable;
      this.seed = seed;
      this.nextIndex = nextIndex;
      this.pdb = new Pdb(nodegroup + "-worker-pdb");
      this.rsHash = SimIds.podSuffix(SimIds.hash(seed, "rs", nodegroup), 10);
      labels.put("eks.amazonaws.com/nodegroup", nodegroup);
      if (gpus > 0) {
        labels.put("nvidia.com/gpu.present", "true");
      }
    }
  }

  private static final class Pdb {
    final String name;
    final List<Instant> disruptedUntil = new ArrayList<>();

    Pdb(String name) {
      this.name = name;
    }

    int unavailable(Instant now) {
      disruptedUntil.removeIf(t -> !t.isAfter(now));
      return disruptedUntil.size();
    }
  }

  private static final class Instance {
    final String id;
    final String node;
    final Asg asg;
    final Instant launchedAt;
    State state;
    int boot;
    String bootId;
    boolean ssmNeverRegisters;

    Instance(String id, String node, Asg asg, Instant launchedAt, State state) {
      this.id = id;
      this.node = node;
      this.asg = asg;
      this.launchedAt = launchedAt;
      this.state = state;
      this.bootId = SimIds.bootId(asg.seed, id, 0);
    }
  }

  /**
   * A pod of the cluster model.
   *
   * @param crashLoopSince when its container began to crash-loop, null while it runs
   */
  private record Pod(
      String namespace,
      String name,
      String owner,
      boolean daemonSet,
      int gpuIndex,
      Instant crashLoopSince) {
    Pod(String namespace, String name, String owner, boolean daemonSet, int gpuIndex) {
      this(namespace, name, owner, daemonSet, gpuIndex, null);
    }

    PodView view(String node, Instant now) {
      if (crashLoopSince == null) {
        return new PodView(namespace, name, node, owner, daemonSet, gpuIndex);
      }
      return new PodView(
          namespace,
          name,
          node,
          owner,
          daemonSet,
          gpuIndex,
          CRASH_LOOP_BACK_OFF,
          restarts(crashLoopSince, now));
    }
  }

  /** The kubelet's waiting reason for a container it restarts with a growing back-off. */
  public static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";

  /**
   * Restarts of a container crash-looping since {@code since}: it fails at once, and the kubelet
   * restarts it after 10 s, then twice as long each time up to 5 min.
   */
  static int restarts(Instant since, Instant now) {
    long left = Math.max(0, Duration.between(since, now).toSeconds());
    int restarts = 1;
    long delay = 10;
    while (left >= delay) {
      left -= delay;
      restarts++;
      delay = Math.min(delay * 2, 300);
    }
    return restarts;
  }

  private static final class Node {
    final String name;
    final Instance instance;
    boolean unschedulable;
    String cordonedBy;
    boolean kubeletReady = true;

    /** Bumped when the kubelet stops posting status; a stale grace timer sees another value. */
    int hangs;

    boolean kubeletSilent;
    boolean statusUnknown;
    int[] allocatableGpus;
    final List<Pod> pods = new ArrayList<>();
    boolean refillPending;
    int podGeneration;

    /** Labels the node's agents set (GPU Feature Discovery, the GPU Operator's deploy labels). */
    Map<String, String> agentLabels = Map.of();

    Node(String name, Instance instance, int gpus) {
      this.name = name;
      this.instance = instance;
      this.allocatableGpus = new int[gpus];
      for (int i = 0; i < gpus; i++) {
        allocatableGpus[i] = i;
      }
    }

    boolean ready() {
      return kubeletReady && !statusUnknown && instance.state == State.RUNNING;
    }
  }

  private record Timer(Instant at, long seq, Consumer<Instant> action) {}

  private final Object lock = new Object();

  /** DaemonSet pods created per node and DaemonSet: a re-created pod gets a new name. */
  private final Map<String, Integer> dsPodsCreated = new HashMap<>();

  private final Clock clock;
  private final Diagnostics diagnostics;
  private final Settings settings;
  private final Map<String, Asg> asgs = new LinkedHashMap<>();
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(Comparator.comparing(Timer::at).thenComparingLong(Timer::seq));
  private final List<ClusterChange> changes = new ArrayList<>();
  private final List<ClusterAction> actions = new ArrayList<>();
  private final Set<String> tokens = new HashSet<>();
  private final Map<String, ClusterEvent> events = new LinkedHashMap<>();
  private final Map<String, CloudWorld.GpuReset> resetOutcomes = new HashMap<>();
  private long timerSeq;
  private int cordons;
  private int uncordons;
  private int evictions;
  private int blockedEvictions;
  private int gpuResets;
  private int reboots;
  private int replacements;
  private int rejected;

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
  }

  /** The clock the cluster is timed by. */
  public Clock clock() {
    return clock;
  }

  /** The cluster's timings and budgets. */
  public Settings settings() {
    return settings;
  }

  // ------------------------------------------------------------------ ClusterPort

  @Override
  public Optional<LiveNode> node(String name) {
    synchronized (lock) {
      fire(clock.instant());
      Node n = nodes.get(name);
      return n == null ? Optional.empty() : Optional.of(live(n));
    }
  }

  @Override
  public void cordon(String node, String operationId) {
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      Node n = requireNode(now, "CORDON", node, operationId);
      if (n.unschedulable && Objects.equals(n.cordonedBy, operationId)) {
        record(now, "CORDON", node, operationId, "NOOP", "already cordoned by this operation");
        return;
      }
      boolean changed = !n.unschedulable;
      n.unschedulable = true;
      n.cordonedBy = operationId;
      if (changed) {
        cordons++;
        changes.add(new ClusterChange.SchedulingChanged(node, true, now));
      }
      record(now, "CORDON", node, operationId, "ACCEPTED", changed ? "cordoned" : "annotated");
      log.info("cluster: cordoned node={} op={}", node, operationId);
    }
  }

  @Override
  public void uncordon(String node, String operationId) {
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      Node n = requireNode(now, "UNCORDON", node, operationId);
      if (!n.unschedulable && n.cordonedBy == null) {
        record(now, "UNCORDON", node, operationId, "NOOP", "not cordoned");
        return;
      }
      boolean changed = n.unschedulable;
      n.unschedulable = false;
      n.cordonedBy = null;
      if (changed) {
        uncordons++;
        changes.add(new ClusterChange.SchedulingChanged(node, false, now));
        scheduleRefill(n, now);
      }
      record(now, "UNCORDON", node, operationId, "ACCEPTED", "uncordoned");
      log.info("cluster: uncordoned node={} op={}", node, operationId);
    }
  }

  @Override
  public DrainResult drain(String node, Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    synchronized (lock) {
      Instant start = clock.instant();
      fire(start);
      Node n = requireNode(start, "DRAIN", node, "");
      Instant until = start.plus(deadline);
      int evicted = 0;
      int skippedDs = 0;
      Instant lastSeen = start;
      long lastMove = System.nanoTime();
      while (true) {
        Instant now = clock.instant();
        fire(now);
        if (nodes.get(node) != n) {
          record(now, "DRAIN", node, "", "REJECTED", "node went away during the drain");
          rejected++;
          throw new ActuatorException(
              ActuatorException.Kind.PERMANENT, "node " + node + " went away during the drain");
        }
        int blocked = 0;
        int evictedNow = 0;
        skippedDs = 0;
        Iterator<Pod> it = n.pods.iterator();
        while (it.hasNext()) {
          Pod p = it.next();
          if (p.daemonSet()) {
            skippedDs++;
            continue;
          }
          Pdb pdb = n.instance.asg.pdb;
          if (pdb.unavailable(now) < settings.pdbMaxUnavailable()) {
            it.remove();
            pdb.disruptedUntil.add(now.plus(settings.rescheduleDelay()));
            evictedNow++;
          } else {
            blocked++;
          }
        }
        if (evictedNow > 0) {
          evicted += evictedNow;
          evictions += evictedNow;
          changes.add(new ClusterChange.PodsChanged(node, podByGpu(n), now));
          log.info("cluster: evicted {} pod(s) node={}", evictedNow, node);
        }
        boolean complete = blocked == 0;
        boolean timeUp = deadline.isZero() || deadline.isNegative() || !now.isBefore(until);
        if (!now.equals(lastSeen)) {
          lastSeen = now;
          lastMove = System.nanoTime();
        }
        boolean stalled = System.nanoTime() - lastMove > CLOCK_STALL.toNanos();
        if (complete || timeUp || stalled) {
          blockedEvictions += blocked;
          DrainResult r = new DrainResult(evicted, blocked, skippedDs, complete);
          record(
              now,
              "DRAIN",
              node,
              "",
              complete ? "ACCEPTED" : "PARTIAL",
              "evicted=" + evicted + " blocked=" + blocked + " daemonSet=" + skippedDs);
          return r;
        }
        try {
          lock.wait(DRAIN_POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ActuatorException(
              ActuatorException.Kind.TRANSIENT, "drain of " + node + " interrupted", e);
        }
      }
    }
  }

  // ------------------------------------------------------------------ CloudPort

  /**
   * The simulated SSM command history: a GPU reset accepted with this token (the call returns once
   * the command succeeded) is SUCCEEDED, any other NOT_SENT.
   */
  @Override
  public CommandTrace gpuResetTrace(
      String instanceId, String gpu, String idempotencyToken, Instant since) {
    synchronized (lock) {
      boolean sent = tokens.contains("RESET_GPU|" + idempotencyToken + "|" + gpu);
      return new CommandTrace(
          sent ? CommandTrace.State.SUCCEEDED : CommandTrace.State.NOT_SENT,
          (sent ? "nvidia-smi -r -i " + gpu + " succeeded" : "no GPU reset of " + gpu)
              + " on "
              + instanceId
              + " with op="
              + idempotencyToken);
    }
  }

  /**
   * Resets one GPU, named by its UUID (as the remediator passes it) or its index, like {@code
   * nvidia-smi -r -i <gpu>}. Needs the node drained of workload pods.
   */
  @Override
  public void resetGpu(String instanceId, String gpu, String idempotencyToken) {
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      String target = instanceId + "/" + gpu;
      Instance inst = requireInstance(now, "RESET_GPU", target, instanceId, idempotencyToken);
      if (tokens.contains("RESET_GPU|" + idempotencyToken + "|" + gpu)) {
        record(now, "RESET_GPU", target, idempotencyToken, "NOOP", "same token again");
        return;
      }
      if (inst.state != State.RUNNING) {
        throw reject(
            now,
            "RESET_GPU",
            target,
            idempotencyToken,
            ActuatorException.Kind.TRANSIENT,
            "instance " + instanceId + " is " + inst.state.name().toLowerCase(Locale.ROOT));
      }
      Node n = nodes.get(inst.node);
      if (n == null) {
        throw reject(
            now,
            "RESET_GPU",
            target,
            idempotencyToken,
            ActuatorException.Kind.PERMANENT,
            "instance " + instanceId + " is not registered in SSM");
      }
      int gpuIndex = gpuIndex(inst, gpu);
      if (gpuIndex < 0) {
        throw reject(
            now,
            "RESET_GPU",
            target,
            idempotencyToken,
            ActuatorException.Kind.PERMANENT,
            "GPU " + gpu + " does not exist on " + instanceId);
      }
      if (n.pods.stream().anyMatch(p -> !p.daemonSet())) {
        throw reject(
            now,
            "RESET_GPU",
            target,
            idempotencyToken,
            ActuatorException.Kind.PERMANENT,
            "node not drained");
      }
      String resetKey = "RESET_GPU|" + idempotencyToken + "|" + gpu;
      tokens.add(resetKey);
      gpuResets++;
      String node = inst.node;
      String bootAtCall = inst.bootId;
      String ran = "nvidia-smi -r -i " + gpuIndex;
      resetOutcomes.put(resetKey, new CloudWorld.GpuReset(CloudWorld.ResetState.IN_PROGRESS, ran));
      schedule(
          now.plus(settings.gpuResetDuration()),
          at -> {
            if (inst.state == State.RUNNING && inst.bootId.equals(bootAtCall)) {
              changes.add(new ClusterChange.GpuResetCompleted(node, gpuIndex, at));
              resetOutcomes.put(
                  resetKey, new CloudWorld.GpuReset(CloudWorld.ResetState.SUCCEEDED, ran));
              log.info("cluster: GPU reset done node={} gpu={}", node, gpuIndex);
            } else {
              resetOutcomes.put(
                  resetKey,
                  new CloudWorld.GpuReset(
                      CloudWorld.ResetState.FAILED, "the instance rebooted or went away"));
            }
          });
      record(
          now, "RESET_GPU", target, idempotencyToken, "ACCEPTED", "nvidia-smi -r -i " + gpuIndex);
      log.info("cluster: GPU reset started node={} gpu={} op={}", node, gpuIndex, idempotencyToken);
    }
  }

  /** Index of a GPU named by UUID or index on the instance, -1 when it has none such. */
  private static int gpuIndex(Instance inst, String gpu) {
    if (gpu == null || gpu.isBlank()) {
      return -1;
    }
    for (int i = 0; i < inst.asg.gpus; i++) {
      if (SimIds.gpuUuid(inst.asg.seed, inst.node, i).equalsIgnoreCase(gpu)) {
        return i;
      }
    }
    try {
      int i = Integer.parseInt(gpu.trim());
      return i >= 0 && i < inst.asg.gpus ? i : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** DCGM diagnostics on the instance's node, run by {@link Diagnostics}; needs it running. */
  @Override
  public void runDiagnostics(String instanceId, int level, String idempotencyToken) {
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      Instance inst = requireInstance(now, "VALIDATE", instanceId, instanceId, idempotencyToken);
      if (inst.state != State.RUNNING) {
        throw reject(
            now,
            "VALIDATE",
            instanceId,
            idempotencyToken,
            ActuatorException.Kind.TRANSIENT,
            "instance " + instanceId + " is " + inst.state.name().toLowerCase(Locale.ROOT));
      }
      boolean started = diagnostics.start(inst.node, instanceId, level, idempotencyToken);
      record(
          now,
          "VALIDATE",
          instanceId,
          idempotencyToken,
          started ? "ACCEPTED" : "NOOP",
          "dcgmi diag -r " + level);
    }
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
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      Instance inst = requireInstance(now, "REBOOT", instanceId, instanceId, idempotencyToken);
      if (tokens.contains("REBOOT|" + idempotencyToken)) {
        record(now, "REBOOT", instanceId, idempotencyToken, "NOOP", "same token again");
        return;
      }
      if (inst.state == State.REBOOTING) {
        record(now, "REBOOT", instanceId, idempotencyToken, "NOOP", "already rebooting");
        return;
      }
      if (inst.state != State.RUNNING) {
        throw reject(
            now,
            "REBOOT",
            instanceId,
            idempotencyToken,
            ActuatorException.Kind.TRANSIENT,
            "instance " + instanceId + " is " + inst.state.name().toLowerCase(Locale.ROOT));
      }
      tokens.add("REBOOT|" + idempotencyToken);
      inst.state = State.REBOOTING;
      reboots++;
      Node n = nodes.get(inst.node);
      if (n != null) {
        changes.add(new ClusterChange.RebootStarted(inst.node, now));
      }
      schedule(now.plus(settings.rebootDuration()), at -> finishReboot(inst, at));
      record(now, "REBOOT", instanceId, idempotencyToken, "ACCEPTED", "node " + inst.node);
      log.info(
          "cluster: reboot started node={} instance={} op={}",
          inst.node,
          instanceId,
          idempotencyToken);
    }
  }

  private void finishReboot(Instance inst, Instant at) {
    if (inst.state != State.REBOOTING) {
      return;
    }
    inst.state = State.RUNNING;
    inst.boot++;
    inst.bootId = SimIds.bootId(inst.asg.seed, inst.id, inst.boot);
    Node n = nodes.get(inst.node);
    if (n != null) {
      n.kubeletReady = true;
      n.kubeletSilent = false;
      n.statusUnknown = false;
      changes.add(new ClusterChange.RebootCompleted(inst.node, inst.bootId, at));
      scheduleRefill(n, at);
    }
    log.info("cluster: reboot done node={} bootId={}", inst.node, inst.bootId);
  }

  @Override
  public void replace(String instanceId, String asgName, String idempotencyToken) {
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      Instance inst = requireInstance(now, "REPLACE", instanceId, instanceId, idempotencyToken);
      if (tokens.contains("REPLACE|" + idempotencyToken)) {
        record(now, "REPLACE", instanceId, idempotencyToken, "NOOP", "same token again");
        return;
      }
      if (!inst.asg.name.equals(asgName)) {
        throw reject(
            now,
            "REPLACE",
            instanceId,
            idempotencyToken,
            ActuatorException.Kind.PERMANENT,
            "instance " + instanceId + " is not in Auto Scaling group " + asgName);
      }
      if (inst.state == State.TERMINATED) {
        throw reject(
            now,
            "REPLACE",
            instanceId,
            idempotencyToken,
            ActuatorException.Kind.PERMANENT,
            "instance " + instanceId + " is already terminated");
      }
      tokens.add("REPLACE|" + idempotencyToken);
      inst.state = State.TERMINATED;
      replacements++;
      nodes.remove(inst.node);
      changes.add(new ClusterChange.InstanceTerminated(inst.node, inst.id, now));
      Instance next = launch(inst.asg, now, State.PENDING);
      changes.add(
          new ClusterChange.InstanceLaunched(next.node, next.id, inst.asg.name, next.bootId, now));
      schedule(now.plus(settings.replaceDuration()), at -> join(next, at));
      record(
          now,
          "REPLACE",
          instanceId,
          idempotencyToken,
          "ACCEPTED",
          "terminated " + inst.node + ", launched " + next.id + " as " + next.node);
      log.info(
          "cluster: replaced node={} instance={} by node={} instance={} op={}",
          inst.node,
          instanceId,
          next.node,
          next.id,
          idempotencyToken);
    }
  }

  private void join(Instance inst, Instant at) {
    if (inst.state != State.PENDING) {
      return;
    }
    inst.state = State.RUNNING;
    if (inst.asg.registers) {
      Node n = register(inst, at);
      changes.add(new ClusterChange.NodeJoined(inst.node, inst.bootId, at));
      scheduleRefill(n, at);
      log.info("cluster: node registered node={} instance={}", inst.node, inst.id);
    } else {
      log.info(
          "cluster: instance running but never registers node={} instance={}", inst.node, inst.id);
    }
  }

  // ------------------------------------------------------------------ reads for the demo

  /** Registered nodes (Node objects), in creation order. */
  public List<LiveNode> nodes() {
    synchronized (lock) {
      fire(clock.instant());
      return nodes.values().stream().map(this::live).toList();
    }
  }

  /** Every instance ever launched, terminated ones included, in launch order. */
  public List<InstanceView> instances() {
    synchronized (lock) {
      fire(clock.instant());
      List<InstanceView> out = new ArrayList<>();
      for (Instance i : instances.values()) {
        out.add(
            new InstanceView(
                i.id,
                i.node,
                i.asg.nodegroup,
                i.asg.name,
                i.state.name(),
                nodes.containsKey(i.node) && nodes.get(i.node).instance == i,
                i.launchedAt,
                i.bootId));
      }
      return out;
    }
  }

  // ------------------------------------------------------------------ CloudWorld (AWS front end)

  /**
   * Every instance as EC2, Auto Scaling and SSM describe it. The SSM agent is Online while the
   * instance runs and its image boots, ConnectionLost while it reboots, and never registered when
   * the image does not boot on the instance type (or the instance is pending or terminated).
   */
  @Override
  public List<CloudWorld.Instance> cloudInstances() {
    synchronized (lock) {
      fire(clock.instant());
      List<CloudWorld.Instance> out = new ArrayList<>();
      for (Instance i : instances.values()) {
        Asg a = i.asg;
        out.add(
            new CloudWorld.Instance(
                i.id,
                i.node,
                a.nodegroup,
                a.name,
                a.labels.get("node.kubernetes.io/instance-type"),
                a.labels.get("topology.kubernetes.io/zone"),
                a.image,
                a.amiId,
                CloudWorld.State.valueOf(i.state.name()),
                i.launchedAt,
                Map.of(
                    "Name", i.node,
                    "eks:nodegroup-name", a.nodegroup,
                    "aws:autoscaling:groupName", a.name),
                ssmPing(i)));
      }
      return out;
    }
  }

  private static CloudWorld.SsmPing ssmPing(Instance i) {
    if (!i.asg.imageBoots
        || i.ssmNeverRegisters
        || i.state == State.PENDING
        || i.state == State.TERMINATED) {
      return CloudWorld.SsmPing.NOT_REGISTERED;
    }
    return i.state == State.REBOOTING
        ? CloudWorld.SsmPing.CONNECTION_LOST
        : CloudWorld.SsmPing.ONLINE;
  }

  /** The GPU reset accepted with this token: in progress until its duration has passed. */
  @Override
  public CloudWorld.GpuReset gpuReset(String instanceId, String gpu, String idempotencyToken) {
    synchronized (lock) {
      fire(clock.instant());
      CloudWorld.GpuReset r = resetOutcomes.get("RESET_GPU|" + idempotencyToken + "|" + gpu);
      return r != null
          ? r
          : new CloudWorld.GpuReset(
              CloudWorld.ResetState.UNKNOWN, "no GPU reset of " + gpu + " on " + instanceId);
    }
  }

  /** Pods bound to {@code node} (empty for an unknown node). */
  public List<PodView> pods(String node) {
    synchronized (lock) {
      fire(clock.instant());
      Node n = nodes.get(node);
      if (n == null) {
        return List.of();
      }
      Instant now = clock.instant();
      return n.pods.stream().map(p -> p.view(node, now)).toList();
    }
  }

  /**
   * Everything an API server front end serves (nodes, their pods, the PodDisruptionBudgets), taken
   * at one instant after firing due timers.
   */
  public ClusterSnapshot snapshot() {
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      List<NodeView> out = new ArrayList<>();
      for (Node n : nodes.values()) {
        out.add(
            new NodeView(
                live(n),
                n.instance.asg.labels.get("topology.kubernetes.io/zone"),
                n.instance.state.name(),
                n.instance.asg.gpus,
                n.allocatableGpus.length,
                n.instance.launchedAt,
                pods(n, now),
                n.statusUnknown));
      }
      List<PdbView> pdbs = new ArrayList<>();
      for (Asg a : asgs.values()) {
        if (a.gpus > 0) {
          pdbs.add(
              new PdbView(
                  WORKLOAD_NAMESPACE,
                  a.pdb.name,
                  a.nodegroup + "-worker",
                  settings.pdbMaxUnavailable(),
                  a.pdb.unavailable(now)));
        }
      }
      return new ClusterSnapshot(now, out, pdbs);
    }
  }

  private static List<PodView> pods(Node n, Instant now) {
    return n.pods.stream().map(p -> p.view(n.name, now)).toList();
  }

  /**
   * Evicts one pod as the Eviction API does: deleted when its node group's PodDisruptionBudget
   * allows one more disruption (it then counts against the budget until rescheduled), refused
   * otherwise. A drain through the Eviction API is this, pod by pod.
   */
  public EvictionOutcome evict(String namespace, String pod) {
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      for (Node n : nodes.values()) {
        for (Pod p : n.pods) {
          if (p.namespace().equals(namespace) && p.name().equals(pod)) {
            return evict(n, p, now);
          }
        }
      }
      return EvictionOutcome.NOT_FOUND;
    }
  }

  private EvictionOutcome evict(Node n, Pod p, Instant now) {
    String target = p.namespace() + "/" + p.name();
    if (p.daemonSet()) {
      record(now, "EVICT", target, "", "REJECTED", "DaemonSet pod");
      return EvictionOutcome.NOT_EVICTABLE;
    }
    Pdb pdb = n.instance.asg.pdb;
    if (pdb.unavailable(now) >= settings.pdbMaxUnavailable()) {
      blockedEvictions++;
      record(now, "EVICT", target, "", "REJECTED", "PodDisruptionBudget " + pdb.name);
      return EvictionOutcome.BLOCKED_BY_PDB;
    }
    n.pods.remove(p);
    pdb.disruptedUntil.add(now.plus(settings.rescheduleDelay()));
    evictions++;
    changes.add(new ClusterChange.PodsChanged(n.name, podByGpu(n), now));
    record(now, "EVICT", target, "", "ACCEPTED", "node " + n.name);
    log.info("cluster: evicted pod={} node={}", target, n.name);
    return EvictionOutcome.EVICTED;
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
      events.putIfAbsent(
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
    synchronized (lock) {
      return List.copyOf(events.values());
    }
  }

  /** Every actuator call received, in order. */
  public List<ClusterAction> actions() {
    synchronized (lock) {
      return List.copyOf(actions);
    }
  }

  /** Counts of what the cluster did. */
  public ClusterStats stats() {
    synchronized (lock) {
      return new ClusterStats(
          cordons,
          uncordons,
          evictions,
          blockedEvictions,
          gpuResets,
          reboots,
          replacements,
          rejected);
    }
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

  /**
   * Cordons {@code node} the way a human with kubectl would: unschedulable without the gpuward
   * annotation, so {@link LiveNode#cordonedBySomeoneElse()} is true.
   */
  public void cordonManually(String node) {
    synchronized (lock) {
      Instant now = clock.instant();
      fire(now);
      Node n = requireNode(now, "MANUAL_CORDON", node, "");
      boolean changed = !n.unschedulable;
      n.unschedulable = true;
      n.cordonedBy = null;
      if (changed) {
        changes.add(new ClusterChange.SchedulingChanged(node, true, now));
      }
      record(now, "MANUAL_CORDON", node, "", "ACCEPTED", "kubectl cordon");
    }
  }

  // ------------------------------------------------------------------ simulator side

  /** Declares an Auto Scaling group (node group) before its instances launch. */
  void defineAsg(
      String asgName,
      String nodegroup,
      int gpus,
      boolean migCapable,
      long seed,
      int nextIndex,
      boolean registers) {
    synchronized (lock) {
      Asg a = new Asg(asgName, nodegroup, gpus, migCapable, seed, nextIndex);
      a.registers = registers;
      asgs.put(asgName, a);
    }
  }

  /**
   * Launches one of the scenario's initial instances, RUNNING and (when the group registers)
   * registered at {@code now}. Returns its instance id and boot id.
   */
  String[] launchInitial(String asgName, String node, Instant launchedAt, boolean registers) {
    synchronized (lock) {
      Asg a = asgs.get(asgName);
      Instance inst =
          new Instance(SimIds.instanceId(a.seed, node, 0), node, a, launchedAt, State.RUNNING);
      instances.put(inst.id, inst);
      if (registers) {
        Node n = register(inst, launchedAt);
        fillWorkload(n);
      }
      return new String[] {inst.id, inst.bootId};
    }
  }

  /**
   * Adds the labels every node of the group carries, as a real node group's launch template and
   * kubelet set them (zone, instance type).
   */
  void labelAsg(String asgName, Map<String, String> labels) {
    synchronized (lock) {
      Asg a = asgs.get(asgName);
      if (a != null) {
        a.labels.putAll(labels);
      }
    }
  }

  /**
   * The image the group's launch template names, its AMI id, and whether it boots on the group's
   * instance type (an NVIDIA image on a CPU type stops before its SSM agent starts).
   */
  void imageAsg(String asgName, String image, String amiId, boolean boots) {
    synchronized (lock) {
      Asg a = asgs.get(asgName);
      if (a != null) {
        a.image = image;
        a.amiId = amiId;
        a.imageBoots = boots;
      }
    }
  }

  /** Whether new instances of the group register (node-group-wide no-registration). */
  void setAsgRegisters(String asgName, boolean registers) {
    synchronized (lock) {
      Asg a = asgs.get(asgName);
      if (a != null) {
        a.registers = registers;
      }
    }
  }

  /** The kubelet's own Ready verdict (not-ready faults). */
  void setKubeletReady(String node, boolean ready, Instant at) {
    synchronized (lock) {
      Node n = nodes.get(node);
      if (n != null && n.kubeletReady != ready) {
        n.kubeletReady = ready;
        if (ready) {
          scheduleRefill(n, at);
        }
      }
    }
  }

  /**
   * Deletes or recreates the Node object of a running instance (kubelet stopped for good, or back).
   */
  void setRegistered(String node, boolean registered, Instant at) {
    synchronized (lock) {
      Instance inst = current(node);
      if (inst == null) {
        return;
      }
      if (!registered) {
        nodes.remove(node);
      } else if (!nodes.containsKey(node)) {
        Node n = register(inst, at);
        scheduleRefill(n, at);
      }
    }
  }

  /** GPU indexes the device plugin advertises (allocatable). */
  void setAllocatableGpus(String node, int[] indexes, Instant at) {
    synchronized (lock) {
      Node n = nodes.get(node);
      if (n != null) {
        n.allocatableGpus = indexes.clone();
        scheduleRefill(n, at);
      }
    }
  }

  /**
   * The node's kubelet stops posting status (a hang) or posts again. The node lifecycle controller
   * marks a silent node's Ready Unknown after {@link Injection.Hang#NODE_MONITOR_GRACE}.
   */
  void setKubeletPosting(String node, boolean posting, Instant at) {
    synchronized (lock) {
      Node n = nodes.get(node);
      if (n == null || n.kubeletSilent != posting) {
        return;
      }
      n.kubeletSilent = !posting;
      if (posting) {
        n.statusUnknown = false;
        scheduleRefill(n, at);
        return;
      }
      int hang = ++n.hangs;
      schedule(
          at.plus(Injection.Hang.NODE_MONITOR_GRACE),
          t -> {
            if (n.kubeletSilent && n.hangs == hang && nodes.get(n.name) == n) {
              n.statusUnknown = true;
              log.info("cluster: node={} Ready Unknown: kubelet stopped posting status", n.name);
            }
          });
    }
  }

  /**
   * Scale-in of the node's instance: terminated through its group with the desired capacity
   * decremented, its Node deleted, nothing launched in its place.
   */
  void scaleIn(String node, Instant at) {
    synchronized (lock) {
      Instance inst = current(node);
      if (inst == null) {
        return;
      }
      inst.state = State.TERMINATED;
      nodes.remove(node);
      changes.add(new ClusterChange.InstanceTerminated(node, inst.id, at));
      log.info("cluster: scale-in node={} instance={} terminated", node, inst.id);
    }
  }

  /** The instance's SSM agent never registers with Systems Manager. */
  void ssmNeverRegisters(String node) {
    synchronized (lock) {
      Instance inst = current(node);
      if (inst != null) {
        inst.ssmNeverRegisters = true;
      }
    }
  }

  private Instance current(String node) {
    Instance found = null;
    for (Instance i : instances.values()) {
      if (i.node.equals(node) && i.state != State.TERMINATED) {
        found = i;
      }
    }
    return found;
  }

  /** Adds or removes an operand's DaemonSet pod on the node. */
  void setOperandPod(String node, String operand, boolean present) {
    synchronized (lock) {
      Node n = nodes.get(node);
      if (n == null) {
        return;
      }
      String owner = operandDaemonSet(operand);
      boolean has = n.pods.stream().anyMatch(p -> p.owner().equals(owner));
      if (present && !has) {
        n.pods.add(dsPod(n, "gpu-operator", owner));
      } else if (!present && has) {
        n.pods.removeIf(p -> p.owner().equals(owner));
      }
    }
  }

  /** Starts or ends a crash loop of an operand's DaemonSet pod on the node (if it has one). */
  void setOperandCrashLoop(String node, String operand, boolean crashing, Instant at) {
    synchronized (lock) {
      Node n = nodes.get(node);
      if (n == null) {
        return;
      }
      String owner = operandDaemonSet(operand);
      n.pods.replaceAll(
          p -> {
            if (!p.owner().equals(owner) || crashing == (p.crashLoopSince() != null)) {
              return p;
            }
            return new Pod(
                p.namespace(),
                p.name(),
                p.owner(),
                p.daemonSet(),
                p.gpuIndex(),
                crashing ? at : null);
          });
    }
  }

  /** Fires due timers and hands over the changes that happened at or before {@code upTo}. */
  List<ClusterChange> pollChanges(Instant upTo) {
    synchronized (lock) {
      fire(upTo);
      if (changes.isEmpty()) {
        return List.of();
      }
      List<ClusterChange> due = new ArrayList<>();
      Iterator<ClusterChange> it = changes.iterator();
      while (it.hasNext()) {
        ClusterChange c = it.next();
        if (!c.at().isAfter(upTo)) {
          due.add(c);
          it.remove();
        }
      }
      due.sort(Comparator.comparing(ClusterChange::at)); // stable: equal times keep call order
      return due;
    }
  }

  // ------------------------------------------------------------------ internals

  private void fire(Instant upTo) {
    while (!timers.isEmpty() && !timers.peek().at().isAfter(upTo)) {
      Timer t = timers.poll();
      t.action().accept(t.at());
    }
  }

  private void schedule(Instant at, Consumer<Instant> action) {
    timers.add(new Timer(at, timerSeq++, action));
  }

  private Instance launch(Asg a, Instant now, State state) {
    String node = a.nodegroup + "-" + a.nextIndex++;
    Instance inst = new Instance(SimIds.instanceId(a.seed, node, 0), node, a, now, state);
    instances.put(inst.id, inst);
    return inst;
  }

  private Node register(Instance inst, Instant at) {
    Node n = new Node(inst.node, inst, inst.asg.gpus);
    nodes.put(n.name, n);
    n.pods.add(dsPod(n, "kube-system", "aws-node"));
    n.pods.add(dsPod(n, "kube-system", "kube-proxy"));
    if (inst.asg.gpus > 0) {
      n.pods.add(dsPod(n, "gpuward", "gpuward-exporter"));
      n.pods.add(dsPod(n, "gpu-operator", "nvidia-container-toolkit-daemonset"));
      n.pods.add(dsPod(n, "gpu-operator", "nvidia-device-plugin-daemonset"));
      n.pods.add(dsPod(n, "gpu-operator", "nvidia-dcgm-exporter"));
      n.pods.add(dsPod(n, "gpu-operator", "gpu-feature-discovery"));
      n.pods.add(dsPod(n, "gpu-operator", "nvidia-operator-validator"));
      if (inst.asg.migCapable) {
        n.pods.add(dsPod(n, "gpu-operator", "nvidia-mig-manager"));
      }
    }
    return n;
  }

  private static String operandDaemonSet(String operand) {
    return switch (operand) {
      case "driver" -> "nvidia-driver-daemonset";
      case "container-toolkit" -> "nvidia-container-toolkit-daemonset";
      case "device-plugin" -> "nvidia-device-plugin-daemonset";
      case "gpu-feature-discovery" -> "gpu-feature-discovery";
      case "dcgm" -> "nvidia-dcgm";
      case "dcgm-exporter" -> "nvidia-dcgm-exporter";
      case "operator-validator" -> "nvidia-operator-validator";
      case "mig-manager" -> "nvidia-mig-manager";
      default -> "nvidia-" + operand;
    };
  }

  /**
   * A DaemonSet's pod on the node; one created again after a deletion is a new pod with a new name
   * (and uid), as the DaemonSet controller makes it.
   */
  private Pod dsPod(Node n, String namespace, String daemonSet) {
    int generation = dsPodsCreated.merge(n.name + "/" + daemonSet, 1, Integer::sum);
    long h =
        generation == 1
            ? SimIds.hash(n.instance.asg.seed, "ds", n.name, daemonSet)
            : SimIds.hash(n.instance.asg.seed, "ds", n.name, daemonSet, generation);
    String suffix = SimIds.podSuffix(h, 5);
    return new Pod(namespace, daemonSet + "-" + suffix, daemonSet, true, -1);
  }

  /** Creates workload pods on allocatable GPUs that have none; true when it created any. */
  private boolean fillWorkload(Node n) {
    boolean created = false;
    Asg a = n.instance.asg;
    for (int gpu : n.allocatableGpus) {
      boolean taken = false;
      for (Pod p : n.pods) {
        if (!p.daemonSet() && p.gpuIndex() == gpu) {
          taken = true;
          break;
        }
      }
      if (!taken) {
        String suffix =
            SimIds.podSuffix(SimIds.hash(a.seed, "pod", n.name, gpu, n.podGeneration++), 5);
        n.pods.add(
            new Pod(
                WORKLOAD_NAMESPACE,
                a.nodegroup + "-worker-" + a.rsHash + "-" + suffix,
                a.nodegroup + "-worker",
                false,
                gpu));
        created = true;
      }
    }
    return created;
  }

  private void scheduleRefill(Node n, Instant at) {
    if (n.refillPending || n.instance.asg.gpus == 0) {
      return;
    }
    n.refillPending = true;
    schedule(
        at.plus(settings.rescheduleDelay()),
        t -> {
          n.refillPending = false;
          if (nodes.get(n.name) != n || n.unschedulable || !n.ready()) {
            return;
          }
          if (fillWorkload(n)) {
            changes.add(new ClusterChange.PodsChanged(n.name, podByGpu(n), t));
          }
        });
  }

  private String[] podByGpu(Node n) {
    String[] out = new String[n.instance.asg.gpus];
    for (Pod p : n.pods) {
      if (!p.daemonSet() && p.gpuIndex() >= 0 && p.gpuIndex() < out.length) {
        out[p.gpuIndex()] = p.namespace() + "/" + p.name();
      }
    }
    return out;
  }

  /** Workload pod (namespace/name) per GPU index of a node, for the simulator at start. */
  String[] gpuPods(String node) {
    synchronized (lock) {
      Node n = nodes.get(node);
      return n == null ? new String[0] : podByGpu(n);
    }
  }

  /**
   * Replaces the labels the node's agents set (GPU Feature Discovery, the GPU Operator): the API
   * serves them on the Node, under the group's own labels.
   */
  void setAgentLabels(String node, Map<String, String> labels) {
    synchronized (lock) {
      Node n = nodes.get(node);
      if (n != null) {
        n.agentLabels = Map.copyOf(labels);
      }
    }
  }

  private LiveNode live(Node n) {
    Map<String, String> labels = n.instance.asg.labels;
    if (!n.agentLabels.isEmpty()) {
      labels = new TreeMap<>(n.agentLabels);
      labels.putAll(n.instance.asg.labels);
    }
    return new LiveNode(
        n.name,
        n.instance.bootId,
        n.ready(),
        n.unschedulable,
        Optional.ofNullable(n.cordonedBy),
        n.instance.id,
        n.instance.asg.name,
        labels);
  }

  private Node requireNode(Instant now, String action, String node, String op) {
    Node n = nodes.get(node);
    if (n == null) {
      throw reject(
          now, action, node, op, ActuatorException.Kind.PERMANENT, "node " + node + " not found");
    }
    return n;
  }

  private Instance requireInstance(
      Instant now, String action, String target, String instanceId, String op) {
    Instance i = instances.get(instanceId);
    if (i == null) {
      throw reject(
          now,
          action,
          target,
          op,
          ActuatorException.Kind.PERMANENT,
          "instance " + instanceId + " not found");
    }
    return i;
  }

  private ActuatorException reject(
      Instant now,
      String action,
      String target,
      String op,
      ActuatorException.Kind kind,
      String reason) {
    rejected++;
    record(now, action, target, op, "REJECTED", reason);
    log.warn("cluster: {} {} rejected ({}): {}", action, target, kind, reason);
    return new ActuatorException(kind, reason);
  }

  private void record(
      Instant at, String action, String target, String op, String outcome, String detail) {
    actions.add(new ClusterAction(at, action, target, op, outcome, detail));
  }
}
