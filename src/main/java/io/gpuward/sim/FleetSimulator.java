package io.gpuward.sim;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.config.Durations;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.ExporterFleet;
import io.gpuward.exporter.NodeFeed;
import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulates a fleet of EKS GPU nodes from a {@link Scenario}: what each node's dcgm-exporter serves
 * and its kernel logs, kubelet/controller events and inventory, with the scenario's faults and what
 * follows from them, and with the {@link SimulatedCluster}'s actions (cordon, drain, reset, reboot,
 * replace) visibly changing the telemetry.
 *
 * <p>It plays the world only: GPU samples, XIDs and exporter heartbeats are made by gpuward's
 * exporter code from the text the simulator hands to a {@link NodeFeed} (by default an {@link
 * ExporterFleet} writing to the same sink); kube events and inventory go straight to the {@link
 * TelemetrySink}.
 *
 * <p>Drive it with {@link #advanceTo(Instant)} from one thread (a {@link SimulationRunner} does):
 * it emits everything due up to that simulated instant, one tick per sample interval. Same
 * scenario, seed, start and cluster calls give the same records in the same order: all randomness
 * comes from seeded generators, iteration is in insertion order, and time is only the simulated
 * one.
 *
 * <p>What a tick emits, in time order: changes from the cluster (reboot started/finished, node
 * replaced/registered, cordon, pods evicted), due scenario faults (an XID is a kernel line at the
 * fault's time), timed follow-ups (ramp ends, container start retries, device-plugin grace), then
 * one dcgm-exporter page per node whose exporter is up, holding every GPU still on the bus (or a
 * refused scrape when the dcgm-exporter operand is missing).
 *
 * <p>Semantics worth knowing for consumers: {@code lastXid} is 0 when DCGM has no XID; a fatal XID
 * (catalog action RESET_GPU, REBOOT_NODE, REPLACE_NODE) stays until a GPU reset (RESET_GPU only) or
 * reboot, other XIDs show for 30 s. Volatile counters (ECC volatile, NVLink, PCIe replay, thermal
 * violation) restart at 0 on GPU reset and reboot and otherwise never decrease; lifetime counters
 * (ECC aggregate, remapped rows) never decrease.
 */
public final class FleetSimulator {

  private static final Logger log = LoggerFactory.getLogger(FleetSimulator.class);

  private static final Duration RECENT_XID_HOLD = Duration.ofSeconds(30);
  private static final String NOT_READY_MESSAGE =
      "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady"
          + " message:Network plugin returns error: cni plugin not initialized";
  private static final String[] APP_PROCESSES = {"python3", "pt_main_thread", "tritonserver"};
  private static final String DCGM_URL = "http://127.0.0.1:9400/metrics";

  /** Kernel start to NVIDIA driver load: its lines are stamped that far into the boot. */
  private static final Duration DRIVER_LOADS_AFTER = Duration.ofSeconds(4);

  /** A rebooted node's kernel started this long before the reboot completes (kubelet Ready). */
  private static final Duration KERNEL_BOOT_TO_READY = Duration.ofSeconds(30);

  /** How long the kubelet keeps a crash-looping device plugin's GPUs before dropping them. */
  private static final Duration DEVICE_PLUGIN_GRACE = Duration.ofSeconds(30);

  private final Scenario scenario;
  private final InstanceTypeCatalog catalog;
  private final SimulatedCluster cluster;
  private final CountingSink sink;
  private final NodeFeed feed;
  private final GpuTelemetry telemetry;
  private final DcgmExposition exposition;
  private final Instant start;
  private final long seed;
  private final long intervalNanos;
  private final XidTable xids;

  private final Map<String, GroupSim> groups = new LinkedHashMap<>();
  private final Map<String, GroupSim> groupsByAsg = new HashMap<>();
  private final Map<String, NodeSim> nodes = new HashMap<>();
  private final List<NodeSim> nodeList = new ArrayList<>();
  private final List<Fault> faults;
  private int nextFault;
  private final PriorityQueue<SimTimer> timers =
      new PriorityQueue<>(Comparator.comparing(SimTimer::at).thenComparingLong(SimTimer::seq));
  private long timerSeq;
  private int nextOrdinal;

  private boolean initialized;
  private volatile long tickIndex;
  private volatile Instant lastTick;

  private record SimTimer(Instant at, long seq, Consumer<Instant> action) {}

  /**
   * A simulator starting at the scenario's {@code start}, or else at the cluster clock's current
   * instant, whose nodes' dcgm-exporter pages and kernel logs go through gpuward's exporter ({@link
   * ExporterFleet}) into {@code sink}.
   */
  public FleetSimulator(
      Scenario scenario,
      InstanceTypeCatalog catalog,
      SimulatedCluster cluster,
      TelemetrySink sink) {
    this(
        scenario,
        catalog,
        cluster,
        sink,
        scenario.start().orElseGet(() -> cluster.clock().instant()));
  }

  /**
   * A simulator whose scenario starts (offset 0) at {@code start}, whose nodes' dcgm-exporter pages
   * and kernel logs go through gpuward's exporter ({@link ExporterFleet}, heartbeating every {@link
   * Scenario#heartbeatInterval()}) into {@code sink}.
   */
  public FleetSimulator(
      Scenario scenario,
      InstanceTypeCatalog catalog,
      SimulatedCluster cluster,
      TelemetrySink sink,
      Instant start) {
    this(
        scenario,
        catalog,
        cluster,
        sink,
        start,
        out -> new ExporterFleet(out, scenario.heartbeatInterval(), new SimpleMeterRegistry()));
  }

  /**
   * A simulator whose nodes' text goes to the feed {@code exporters} builds over {@code sink}.
   *
   * @param sink where the Kubernetes and inventory records go, and what the feed writes to
   * @param exporters builds what reads the nodes' dcgm-exporter pages and kernel logs, given the
   *     sink it should publish to (a counting wrapper of {@code sink})
   */
  public FleetSimulator(
      Scenario scenario,
      InstanceTypeCatalog catalog,
      SimulatedCluster cluster,
      TelemetrySink sink,
      Instant start,
      Function<TelemetrySink, NodeFeed> exporters) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.sink = new CountingSink(Objects.requireNonNull(sink, "sink"));
    this.feed = Objects.requireNonNull(exporters.apply(this.sink), "feed");
    this.start = Objects.requireNonNull(start, "start");
    this.seed = scenario.seed();
    this.intervalNanos = scenario.sampleInterval().toNanos();
    this.telemetry = new GpuTelemetry(intervalNanos);
    this.xids = XidTable.load();
    this.exposition = new DcgmExposition(xids::text);
    List<Fault> sorted = new ArrayList<>(scenario.faults());
    sorted.sort(Comparator.comparing(Fault::at)); // stable: same time keeps file order
    this.faults = List.copyOf(sorted);
  }

  /** The scenario being simulated. */
  public Scenario scenario() {
    return scenario;
  }

  /** Simulated instant of offset 0. */
  public Instant start() {
    return start;
  }

  /** Simulated instant the scenario's duration ends at. */
  public Instant end() {
    return start.plus(scenario.duration());
  }

  /** Time of the last tick emitted; empty before the first. */
  public Optional<Instant> lastTick() {
    return Optional.ofNullable(lastTick);
  }

  /** Ticks emitted so far. */
  public long ticks() {
    return tickIndex;
  }

  /** Records emitted so far, by type; safe to call from any thread. */
  public RecordCounts counts() {
    return sink.counts();
  }

  /** Names of the nodes currently simulated (replaced ones excluded), in creation order. */
  public synchronized List<String> nodeNames() {
    return nodeList.stream().map(n -> n.name).toList();
  }

  /**
   * Emits every tick due at or before {@code simNow} (ticks at start + k × sampleInterval). Call
   * from one thread at a time; calls with an earlier instant than the last tick do nothing.
   */
  public synchronized void advanceTo(Instant simNow) {
    while (true) {
      Instant t = start.plusNanos(tickIndex * intervalNanos);
      if (t.isAfter(simNow)) {
        return;
      }
      tick(t);
      tickIndex++;
      lastTick = t;
    }
  }

  // ------------------------------------------------------------------ tick

  private void tick(Instant t) {
    if (!initialized) {
      initialize(t);
      initialized = true;
    }
    List<ClusterChange> changes = cluster.pollChanges(t);
    int ci = 0;
    while (true) {
      ClusterChange c = ci < changes.size() ? changes.get(ci) : null;
      Fault f = nextFault < faults.size() ? faults.get(nextFault) : null;
      Instant fAt = f == null ? null : start.plus(f.at());
      if (fAt != null && fAt.isAfter(t)) {
        f = null;
        fAt = null;
      }
      SimTimer tm = timers.peek();
      if (tm != null && tm.at().isAfter(t)) {
        tm = null;
      }
      Instant cAt = c == null ? null : clampChange(c.at(), t);
      // earliest first; ties: cluster change, then fault, then timer
      Instant best = null;
      int which = -1;
      if (cAt != null) {
        best = cAt;
        which = 0;
      }
      if (fAt != null && (best == null || fAt.isBefore(best))) {
        best = fAt;
        which = 1;
      }
      if (tm != null && (best == null || tm.at().isBefore(best))) {
        best = tm.at();
        which = 2;
      }
      if (which < 0) {
        break;
      }
      if (which == 0) {
        ci++;
        applyChange(c, cAt);
      } else if (which == 1) {
        nextFault++;
        applyFault(f, fAt);
      } else {
        timers.poll();
        tm.action().accept(tm.at());
      }
    }
    emitTelemetry(t);
  }

  private Instant clampChange(Instant at, Instant t) {
    Instant lo = lastTick == null ? start : lastTick;
    if (at.isBefore(lo)) {
      return lo;
    }
    return at.isAfter(t) ? t : at;
  }

  private void schedule(Instant at, Consumer<Instant> action) {
    timers.add(new SimTimer(at, timerSeq++, action));
  }

  // ------------------------------------------------------------------ start

  private void initialize(Instant t) {
    for (NodeGroupSpec spec : scenario.nodegroups()) {
      InstanceType type = catalog.resolve(spec.instanceType());
      GroupSim g = new GroupSim(spec, type, seed);
      groups.put(spec.name(), g);
      groupsByAsg.put(spec.asgName(), g);
    }
    // no-registration faults at offset 0 mean "never registers": apply them before registering
    Map<String, Integer> neverRegisters = new HashMap<>();
    for (Fault f : faults) {
      if (f.at().isZero() && f.injection() instanceof Injection.NoRegistration) {
        if (f.target() instanceof Target.NodeGroup ng && ng.whole()) {
          groups.get(ng.name()).noRegistration = true;
        }
        List<String> names = initialTargets(f);
        for (String n : names) {
          neverRegisters.putIfAbsent(n, f.index());
        }
      }
    }
    for (GroupSim g : groups.values()) {
      cluster.defineAsg(
          g.spec.asgName(),
          g.spec.name(),
          g.gpus(),
          g.type.migCapable(),
          seed,
          g.spec.count(),
          g.registers());
      cluster.labelAsg(
          g.spec.asgName(),
          Map.of(
              "topology.kubernetes.io/zone", g.spec.zone(),
              "node.kubernetes.io/instance-type", g.spec.instanceType()));
      cluster.imageAsg(g.spec.asgName(), g.spec.image(), g.amiId, g.imageBoots);
    }
    for (GroupSim g : groups.values()) {
      for (int i = 0; i < g.spec.count(); i++) {
        String name = g.spec.nodeName(i);
        long ageSeconds = 1200 + Math.floorMod(SimIds.hash(seed, "age", name), 6 * 3600L);
        Instant launchedAt = t.minusSeconds(ageSeconds);
        boolean registers = g.imageBoots && !neverRegisters.containsKey(name) && !g.noRegistration;
        String[] ids = cluster.launchInitial(g.spec.asgName(), name, launchedAt, registers);
        NodeSim n = newNode(name, g, ids[0], ids[1], launchedAt, t);
        if (neverRegisters.containsKey(name)) {
          n.noRegistrationFault = neverRegisters.get(name);
        }
        n.registered = registers;
        emitInventory(n, t);
        if (registers) {
          n.podByGpu = Arrays.copyOf(cluster.gpuPods(name), n.gpus.length);
          emitRegistration(n, t);
        } else {
          log.info(
              "sim: node={} ({} {} image {}) does not register",
              name,
              g.spec.instanceType(),
              g.type.hasNvidiaGpu() ? "GPU" : "no NVIDIA GPU",
              g.spec.image());
        }
      }
    }
    // offset-0 no-registration faults are done
    log.info(
        "sim: scenario {} started at {} with {} nodes, {} faults, seed {}",
        scenario.name(),
        t,
        nodeList.size(),
        faults.size(),
        seed);
  }

  private List<String> initialTargets(Fault f) {
    if (f.target() instanceof Target.Node node) {
      return List.of(node.name());
    }
    Target.NodeGroup ng = (Target.NodeGroup) f.target();
    NodeGroupSpec spec = scenario.nodegroup(ng.name()).orElseThrow();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < spec.count(); i++) {
      all.add(spec.nodeName(i));
    }
    return choose(f, ng, all);
  }

  private <T> List<T> choose(Fault f, Target.NodeGroup ng, List<T> all) {
    return ng.pick(seed, f.index(), all);
  }

  private NodeSim newNode(
      String name,
      GroupSim g,
      String instanceId,
      String bootId,
      Instant launchedAt,
      Instant readAt) {
    SplittableRandom rng = new SplittableRandom(SimIds.hash(seed, "node", name));
    int count = g.gpus();
    GpuSim[] gpus = new GpuSim[count];
    for (int i = 0; i < count; i++) {
      double offset = (rng.nextDouble() - 0.5) * 8;
      GpuSim gpu =
          new GpuSim(
              i,
              SimIds.gpuUuid(seed, name, i),
              GpuProfile.pciBusId(count, i),
              offset,
              32 + (g.profile.loadTempC() - 32) * g.busyUtil / 100 + offset);
      // lifetime counters: most GPUs have a clean history, some a few corrected errors
      if (rng.nextInt(10) == 0) {
        gpu.sbeAgg = 1 + rng.nextInt(40);
      }
      if (g.profile.ampereOrLater() && rng.nextInt(25) == 0) {
        gpu.rowCorr = 1 + rng.nextInt(3);
      }
      if (!g.profile.ampereOrLater() && gpu.sbeAgg > 20) {
        gpu.retiredSbe = 1;
      }
      gpus[i] = gpu;
    }
    NodeSim n = new NodeSim(name, g, nextOrdinal++, instanceId, bootId, launchedAt, rng, gpus);
    n.kmsgSeq = 1200 + rng.nextInt(800);
    nodes.put(name, n);
    nodeList.add(n);
    boot(n, bootId, launchedAt, readAt);
    return n;
  }

  // ------------------------------------------------------------------ cluster changes

  private void applyChange(ClusterChange c, Instant at) {
    if (c instanceof ClusterChange.InstanceLaunched l) {
      GroupSim g = groupsByAsg.get(l.asgName());
      if (g == null) {
        log.warn("sim: launch in unknown ASG {} node={}", l.asgName(), l.node());
        return;
      }
      NodeSim n = newNode(l.node(), g, l.instanceId(), l.bootId(), at, at);
      emitInventory(n, at);
      log.info(
          "sim: instance {} launched as node={} in {}", l.instanceId(), l.node(), g.spec.name());
      return;
    }
    NodeSim n = nodes.get(c.node());
    if (n == null) {
      log.debug("sim: change for unknown node={} ignored: {}", c.node(), c);
      return;
    }
    if (c instanceof ClusterChange.RebootStarted) {
      startReboot(n, at);
    } else if (c instanceof ClusterChange.RebootCompleted rc) {
      finishReboot(n, rc.bootId(), at);
    } else if (c instanceof ClusterChange.GpuResetCompleted gr) {
      finishGpuReset(n, gr.gpu(), at);
    } else if (c instanceof ClusterChange.InstanceTerminated) {
      terminated(n, at);
    } else if (c instanceof ClusterChange.NodeJoined j) {
      if (!j.bootId().equals(n.bootId)) {
        boot(n, j.bootId(), at, at);
      }
      if (n.noRegistrationFault >= 0 || n.group.noRegistration) {
        cluster.setRegistered(n.name, false, at);
        return;
      }
      n.registered = true;
      emitInventory(n, at);
      emitRegistration(n, at);
      applyInheritedConfig(n, at);
      log.info("sim: node={} registered", n.name);
    } else if (c instanceof ClusterChange.SchedulingChanged sc) {
      n.unschedulable = sc.unschedulable();
      if (n.registered) {
        String reason = sc.unschedulable() ? "NodeNotSchedulable" : "NodeSchedulable";
        event(
            n,
            NodeEventKind.KUBE_EVENT,
            at,
            "kubelet",
            null,
            null,
            reason,
            "Node " + n.name + " status is now: " + reason,
            null,
            null,
            null,
            null,
            null,
            null);
      }
    } else if (c instanceof ClusterChange.PodsChanged pc) {
      n.podByGpu = Arrays.copyOf(pc.podByGpu(), n.gpus.length);
      ensureCrashLoops(n, at);
    }
  }

  /** The kubelet reports the node going down for a reboot. */
  private void startReboot(NodeSim n, Instant at) {
    n.rebooting = true;
    if (n.registered) {
      event(
          n,
          NodeEventKind.CONDITION_CHANGED,
          at,
          "kubelet",
          "Ready",
          "False",
          "KubeletNotReady",
          "node is shutting down",
          null,
          null,
          null,
          null,
          null,
          null);
    }
    log.info("sim: node={} rebooting", n.name);
  }

  /** The instance is gone: its Node is removed and the node leaves the fleet. */
  private void terminated(NodeSim n, Instant at) {
    if (n.registered) {
      removedEvent(n, at);
    }
    n.terminated = true;
    n.registered = false;
    sink.inventoryRemoved(n.name);
    feed.nodeGone(n.name);
    nodes.remove(n.name);
    nodeList.remove(n);
    log.info("sim: node={} instance {} terminated", n.name, n.instanceId);
  }

  private void finishReboot(NodeSim n, String bootId, Instant at) {
    n.rebooting = false;
    n.kmsgSeq = 1200 + n.rng.nextInt(800);
    boot(n, bootId, at.minus(KERNEL_BOOT_TO_READY), at);
    for (GpuSim g : n.gpus) {
      g.lost = false;
      g.missing = false;
      g.missingFault = -1;
      g.stickyXid = 0;
      g.stickyNeedsReboot = false;
      g.resetVolatile();
      g.temp = 32 + g.tempOffset;
    }
    n.notReadyFault = -1;
    n.hangFault = -1;
    n.silenceUntil = null;
    n.silenceFault = -1;
    n.allocatableOverride = null;
    n.allocatableFault = -1;
    n.devicePluginGone = n.operandDown("device-plugin");
    if (!n.registered) {
      return;
    }
    event(
        n,
        NodeEventKind.NODE_REBOOTED,
        at,
        "kubelet",
        null,
        null,
        "Rebooted",
        "Node " + n.name + " has been rebooted, boot id: " + bootId,
        null,
        null,
        null,
        null,
        null,
        null);
    readyEvent(n, at);
    n.lastCapacity = -1; // always report resources after a reboot
    updateResources(n, at);
    n.lastLabels = null;
    updateLabels(n, at);
    ensureCrashLoops(n, at);
    recurAfterReboot(n, at);
    log.info("sim: node={} back from reboot, bootId={}", n.name, bootId);
  }

  private void finishGpuReset(NodeSim n, int index, Instant at) {
    if (index < 0 || index >= n.gpus.length) {
      return;
    }
    GpuSim g = n.gpus[index];
    if (!g.visible()) {
      log.info("sim: node={} gpu={} reset had no effect: GPU not on the bus", n.name, index);
      return;
    }
    if (g.stickyXid != 0 && !g.stickyNeedsReboot) {
      g.stickyXid = 0;
    }
    g.resetVolatile();
    if (g.thermal == null) {
      g.temp = 32 + g.tempOffset;
    }
    log.info("sim: node={} gpu={} reset, lastXid now {}", n.name, index, g.lastXid(at));
  }

  // ------------------------------------------------------------------ faults

  private List<NodeSim> targets(Fault f) {
    if (f.target() instanceof Target.Node tn) {
      NodeSim n = nodes.get(tn.name());
      if (n == null) {
        log.info("sim: fault[{}] target node={} is gone (replaced), skipped", f.index(), tn.name());
        return List.of();
      }
      return List.of(n);
    }
    Target.NodeGroup ng = (Target.NodeGroup) f.target();
    List<NodeSim> members = new ArrayList<>();
    for (NodeSim n : nodeList) {
      if (n.group.spec.name().equals(ng.name())) {
        members.add(n);
      }
    }
    return choose(f, ng, members);
  }

  private void applyFault(Fault f, Instant at) {
    Injection inj = f.injection();
    if (f.at().isZero() && inj instanceof Injection.NoRegistration) {
      return; // applied before registration
    }
    boolean wholeGroup = f.target() instanceof Target.NodeGroup ng && ng.whole();
    if (wholeGroup) {
      GroupSim g = groups.get(((Target.NodeGroup) f.target()).name());
      applyGroupConfig(g, f, at);
    }
    List<NodeSim> targets = targets(f);
    log.info(
        "sim: fault[{}] {} at +{} on {}",
        f.index(),
        inj.kind(),
        Durations.format(f.at()),
        targets.stream().map(n -> n.name).toList());
    for (NodeSim n : targets) {
      applyInjection(n, f, at);
    }
  }

  private void applyGroupConfig(GroupSim g, Fault f, Instant at) {
    Injection inj = f.injection();
    if (inj instanceof Injection.NoRegistration) {
      g.noRegistration = true;
      cluster.setAsgRegisters(g.spec.asgName(), false);
    } else if (inj instanceof Injection.ContainerError ce) {
      g.containerError = ce;
      g.containerErrorFault = f.index();
      ce.forDuration()
          .ifPresent(
              d ->
                  schedule(
                      at.plus(d),
                      t -> {
                        if (g.containerErrorFault == f.index()) {
                          g.containerError = null;
                          g.containerErrorFault = -1;
                        }
                      }));
    } else if (inj instanceof Injection.OperandMissing om) {
      g.operandFaults.put(om.operand(), om);
      om.forDuration()
          .ifPresent(
              d ->
                  schedule(
                      at.plus(d),
                      t -> {
                        if (g.operandFaults.get(om.operand()) == om) {
                          g.operandFaults.remove(om.operand());
                        }
                      }));
    } else if (inj instanceof Injection.Recover) {
      g.noRegistration = false;
      cluster.setAsgRegisters(g.spec.asgName(), g.registers());
      g.containerError = null;
      g.containerErrorFault = -1;
      g.operandFaults.clear();
    }
  }

  private void injectXid(NodeSim n, GpuSim g, Injection.Xid x, Instant at) {
    xid(
        n,
        g,
        x.code(),
        at,
        x.message().orElse(null),
        x.pid().orElse(null),
        x.process().orElse(null));
    if (x.survives() != Injection.Xid.Survives.NOTHING && g.stickyXid != 0) {
      g.stickyNeedsReboot = true; // a GPU reset does not clear it
    }
    if (x.code() == 79) {
      g.lost = true;
      updateResources(n, at);
    }
  }

  /** A broken GPU's XIDs come back after a reboot; only a new instance is rid of them. */
  private void recurAfterReboot(NodeSim n, Instant at) {
    for (Injection.Xid x : List.copyOf(n.survivingXids)) {
      schedule(
          at.plus(Injection.Xid.RECURS_AFTER),
          t -> {
            GpuSim g = gpu(n, x.gpuIndex());
            if (g == null || n.terminated || !n.registered || n.rebooting) {
              return;
            }
            log.info(
                "sim: node={} gpu={} XID {} again after the reboot",
                n.name,
                x.gpuIndex(),
                x.code());
            injectXid(n, g, x, t);
          });
    }
  }

  private void applyInjection(NodeSim n, Fault f, Instant at) {
    Injection inj = f.injection();
    boolean applied =
        injectGpuCounters(n, f, inj, at)
            || injectGpuState(n, f, inj, at)
            || injectNodeState(n, f, inj, at)
            || injectNodeConfig(n, f, inj, at);
    if (!applied) {
      applyWorldFault(n, f, at);
    }
  }

  /** Applies XID, ECC and row-remap faults of one GPU; false when {@code inj} is none of them. */
  private boolean injectGpuCounters(NodeSim n, Fault f, Injection inj, Instant at) {
    if (inj instanceof Injection.Xid x) {
      GpuSim g = gpu(n, x.gpuIndex());
      if (g == null) {
        return true;
      }
      injectXid(n, g, x, at);
      if (x.survives() == Injection.Xid.Survives.REBOOT) {
        n.survivingXids.add(x);
      }
    } else if (inj instanceof Injection.EccDbe e) {
      GpuSim g = gpu(n, e.gpuIndex());
      if (g == null) {
        return true;
      }
      g.dbeVol++;
      g.dbeAgg++;
      if (n.group.profile.ampereOrLater()) {
        g.rowUncorr++;
        g.rowPending = true;
      } else {
        g.retiredPending++;
        g.retiredDbe++;
      }
      xid(n, g, 48, at, null, null, null);
      if (n.group.profile.ampereOrLater()) {
        xid(n, g, 63, at, null, null, null);
      }
    } else if (inj instanceof Injection.SbeStorm s) {
      GpuSim g = gpu(n, s.gpuIndex());
      if (g == null) {
        return true;
      }
      g.sbeStormRate = s.ratePerSecond();
      g.sbeStormFault = f.index();
      s.forDuration()
          .ifPresent(
              d ->
                  schedule(
                      at.plus(d),
                      t -> {
                        if (g.sbeStormFault == f.index()) {
                          g.sbeStormRate = 0;
                          g.sbeStormFault = -1;
                        }
                      }));
    } else if (inj instanceof Injection.RowRemapFailure r) {
      GpuSim g = gpu(n, r.gpuIndex());
      if (g == null) {
        return true;
      }
      g.dbeVol++;
      g.dbeAgg++;
      g.rowFailure = true;
      xid(n, g, 64, at, null, null, null);
    } else {
      return false;
    }
    return true;
  }

  /**
   * Applies a GPU that overheats, loses NVLink or leaves the bus; false when {@code inj} is none of
   * them.
   */
  private boolean injectGpuState(NodeSim n, Fault f, Injection inj, Instant at) {
    if (inj instanceof Injection.Thermal th) {
      GpuSim g = gpu(n, th.gpuIndex());
      if (g == null) {
        return true;
      }
      double base = g.thermal != null ? g.thermal.temperature(at, g.temp) : g.temp;
      g.thermal =
          new GpuSim.Thermal(
              f.index(),
              at,
              base,
              th.celsius(),
              th.ramp().toNanos(),
              at.plus(th.forDuration()),
              th.hwThrottle());
    } else if (inj instanceof Injection.NvlinkErrors nv) {
      GpuSim g = gpu(n, nv.gpuIndex());
      if (g == null) {
        return true;
      }
      g.nvlinkRate = nv.ratePerSecond();
      g.nvlinkFault = f.index();
      xid(n, g, 74, at, null, null, null);
      nv.forDuration()
          .ifPresent(
              d ->
                  schedule(
                      at.plus(d),
                      t -> {
                        if (g.nvlinkFault == f.index()) {
                          g.nvlinkRate = 0;
                          g.nvlinkFault = -1;
                        }
                      }));
    } else if (inj instanceof Injection.GpuMissing gm) {
      GpuSim g = gpu(n, gm.gpuIndex());
      if (g == null) {
        return true;
      }
      g.missing = true;
      g.missingFault = f.index();
      updateResources(n, at);
      gm.forDuration()
          .ifPresent(
              d ->
                  schedule(
                      at.plus(d),
                      t -> {
                        if (g.missingFault == f.index() && !n.terminated) {
                          g.missing = false;
                          g.missingFault = -1;
                          updateResources(n, t);
                        }
                      }));
    } else {
      return false;
    }
    return true;
  }

  /** Applies the kubelet and the node's registration; false when {@code inj} is none of them. */
  private boolean injectNodeState(NodeSim n, Fault f, Injection inj, Instant at) {
    if (inj instanceof Injection.NotReady nr) {
      if (!n.registered || n.rebooting) {
        return true;
      }
      n.notReadyFault = f.index();
      cluster.setKubeletReady(n.name, false, at);
      event(
          n,
          NodeEventKind.CONDITION_CHANGED,
          at,
          "kubelet",
          "Ready",
          "False",
          "KubeletNotReady",
          nr.message().orElse(NOT_READY_MESSAGE),
          null,
          null,
          null,
          null,
          null,
          null);
      nr.forDuration()
          .ifPresent(
              d ->
                  schedule(
                      at.plus(d),
                      t -> {
                        if (n.notReadyFault == f.index()) {
                          clearNotReady(n, t);
                        }
                      }));
    } else if (inj instanceof Injection.NoRegistration) {
      n.noRegistrationFault = f.index();
      if (n.registered && !n.terminated) {
        removedEvent(n, at);
        n.registered = false;
        cluster.setRegistered(n.name, false, at);
        emitInventory(n, at);
      }
    } else if (inj instanceof Injection.ContainerError ce) {
      boolean wholeGroup = f.target() instanceof Target.NodeGroup ng && ng.whole();
      if (!wholeGroup) {
        n.containerError = ce;
        n.containerErrorFault = f.index();
        ce.forDuration()
            .ifPresent(
                d ->
                    schedule(
                        at.plus(d),
                        t -> {
                          if (n.containerErrorFault == f.index()) {
                            n.containerError = null;
                            n.containerErrorFault = -1;
                          }
                        }));
      }
      ensureCrashLoops(n, at);
    } else {
      return false;
    }
    return true;
  }

  /**
   * Applies operands, allocatable GPUs, silence and recovery; false when {@code inj} is none of
   * them.
   */
  private boolean injectNodeConfig(NodeSim n, Fault f, Injection inj, Instant at) {
    if (inj instanceof Injection.OperandMissing om) {
      boolean wholeGroup = f.target() instanceof Target.NodeGroup ng && ng.whole();
      if (!wholeGroup) {
        n.operandFaults.put(om.operand(), om);
        n.operandFaultIndex.put(om.operand(), f.index());
        om.forDuration()
            .ifPresent(
                d ->
                    schedule(
                        at.plus(d),
                        t -> {
                          Integer idx = n.operandFaultIndex.get(om.operand());
                          if (idx != null && idx == f.index()) {
                            n.operandFaults.remove(om.operand());
                            n.operandFaultIndex.remove(om.operand());
                            operandsChanged(n, t);
                          }
                        }));
      } else {
        om.forDuration().ifPresent(d -> schedule(at.plus(d), t -> operandsChanged(n, t)));
      }
      operandsChanged(n, at);
    } else if (inj instanceof Injection.AllocatableDrop ad) {
      int expected = n.gpus.length;
      n.allocatableOverride = ad.allocatable().orElse(Math.max(0, expected - 1));
      n.allocatableFault = f.index();
      updateResources(n, at);
      ad.forDuration()
          .ifPresent(
              d ->
                  schedule(
                      at.plus(d),
                      t -> {
                        if (n.allocatableFault == f.index()) {
                          n.allocatableOverride = null;
                          n.allocatableFault = -1;
                          updateResources(n, t);
                        }
                      }));
    } else if (inj instanceof Injection.TelemetrySilence ts) {
      n.silenceUntil = at.plus(ts.forDuration());
      n.silenceFault = f.index();
    } else if (inj instanceof Injection.Recover) {
      recover(n, at);
    } else {
      return false;
    }
    return true;
  }

  /** Faults of the world outside the node's own agents: the group, the cloud, the kubelet. */
  private void applyWorldFault(NodeSim n, Fault f, Instant at) {
    Injection inj = f.injection();
    if (inj instanceof Injection.ScaleIn) {
      cluster.scaleIn(n.name, at);
    } else if (inj instanceof Injection.SsmUnregistered) {
      cluster.ssmNeverRegisters(n.name);
    } else if (inj instanceof Injection.Hang h) {
      hang(n, f.index(), h, at);
    } else if (inj instanceof Injection.OperandCrashLoop c) {
      crashLoop(n, f.index(), c, at);
    } else if (inj instanceof Injection.OperandOptOut o) {
      n.optOuts.add(o.operand());
      n.crashLoops.remove(o.operand());
      log.info("sim: node={} opted out of operand {}", n.name, o.operand());
      operandsChanged(n, at);
    }
  }

  /** The operand's pod crash-loops until {@code for} has passed, a recover, or a later fault. */
  private void crashLoop(NodeSim n, int fault, Injection.OperandCrashLoop c, Instant at) {
    if (n.terminated || n.gpus.length == 0 || n.optOuts.contains(c.operand())) {
      log.info("sim: node={} runs no {} pod, crash loop skipped", n.name, c.operand());
      return;
    }
    n.crashLoops.put(c.operand(), fault);
    operandsChanged(n, at);
    c.forDuration()
        .ifPresent(
            d ->
                schedule(
                    at.plus(d),
                    t -> {
                      Integer idx = n.crashLoops.get(c.operand());
                      if (idx != null && idx == fault) {
                        n.crashLoops.remove(c.operand());
                        operandsChanged(n, t);
                      }
                    }));
  }

  /**
   * The node hangs: nothing on it reports (no kubelet status, no scrapes, no heartbeats, no kernel
   * lines) until {@code for} has passed or a reboot. The control plane's view of it is the
   * cluster's (Ready Unknown after the node controller's grace); the simulator emits nothing.
   */
  private void hang(NodeSim n, int fault, Injection.Hang h, Instant at) {
    if (!n.registered || n.rebooting || n.terminated) {
      log.info("sim: node={} not up, hang skipped", n.name);
      return;
    }
    n.hangFault = fault;
    cluster.setKubeletPosting(n.name, false, at);
    h.forDuration().ifPresent(d -> schedule(at.plus(d), t -> endHang(n, fault, t)));
  }

  private void endHang(NodeSim n, int fault, Instant at) {
    if (n.hangFault != fault || n.terminated) {
      return;
    }
    n.hangFault = -1;
    cluster.setKubeletPosting(n.name, true, at);
    log.info("sim: node={} no longer hung, same boot {}", n.name, n.bootId);
  }

  private GpuSim gpu(NodeSim n, int index) {
    if (n.terminated || index < 0 || index >= n.gpus.length) {
      log.info("sim: node={} has no gpu={}, fault skipped", n.name, index);
      return null;
    }
    GpuSim g = n.gpus[index];
    if (!g.visible()) {
      log.info("sim: node={} gpu={} is off the bus, fault skipped", n.name, index);
      return null;
    }
    return g;
  }

  private void recover(NodeSim n, Instant at) {
    for (GpuSim g : n.gpus) {
      g.lost = false;
      g.missing = false;
      g.missingFault = -1;
      g.stickyXid = 0;
      g.stickyNeedsReboot = false;
      g.recentXid = 0;
      g.rowFailure = false;
      g.rowPending = false;
      g.sbeStormRate = 0;
      g.sbeStormFault = -1;
      g.nvlinkRate = 0;
      g.nvlinkFault = -1;
      if (g.thermal != null && g.thermal.rising(at)) {
        g.thermal.downAt = at;
      }
    }
    if (n.notReadyFault >= 0) {
      clearNotReady(n, at);
    }
    if (n.hangFault >= 0) {
      endHang(n, n.hangFault, at);
    }
    n.silenceUntil = null;
    n.silenceFault = -1;
    n.allocatableOverride = null;
    n.allocatableFault = -1;
    n.containerError = null;
    n.containerErrorFault = -1;
    n.operandFaults.clear();
    n.operandFaultIndex.clear();
    n.crashLoops.clear();
    if (n.noRegistrationFault >= 0 && !n.terminated) {
      n.noRegistrationFault = -1;
      if (!n.registered && !n.group.noRegistration && n.group.imageBoots) {
        cluster.setRegistered(n.name, true, at);
        n.registered = true;
        emitInventory(n, at);
        emitRegistration(n, at);
        applyInheritedConfig(n, at);
        return;
      }
    }
    operandsChanged(n, at);
    updateResources(n, at);
  }

  private void clearNotReady(NodeSim n, Instant at) {
    n.notReadyFault = -1;
    cluster.setKubeletReady(n.name, true, at);
    if (n.registered && !n.rebooting) {
      readyEvent(n, at);
    }
  }

  /** Node-group-wide configuration faults hit a node that just registered. */
  private void applyInheritedConfig(NodeSim n, Instant at) {
    if (!n.group.operandFaults.isEmpty()) {
      operandsChanged(n, at);
    }
    ensureCrashLoops(n, at);
  }

  private void operandsChanged(NodeSim n, Instant at) {
    if (n.terminated || n.gpus.length == 0) {
      return;
    }
    TreeMap<String, Injection.OperandMissing> active = n.activeOperandFaults();
    for (String op : Injection.OPERANDS) {
      Injection.OperandMissing f = active.get(op);
      boolean defaultPresent = defaultOperand(n, op);
      boolean present = f == null ? defaultPresent : n.unexpected(f);
      cluster.setOperandPod(n.name, op, present && !n.optOuts.contains(op));
      cluster.setOperandCrashLoop(n.name, op, n.crashLoops.containsKey(op), at);
    }
    boolean dpDown = n.operandDown("device-plugin");
    if (!dpDown && n.devicePluginGone) {
      n.devicePluginGone = false;
    } else if (dpDown && !n.devicePluginGone) {
      Injection.OperandMissing f = active.get("device-plugin");
      schedule(
          at.plus(f != null && !n.unexpected(f) ? f.grace() : DEVICE_PLUGIN_GRACE),
          t -> {
            if (n.operandDown("device-plugin") && !n.devicePluginGone) {
              n.devicePluginGone = true;
              log.info("sim: node={} device plugin down past its grace: allocatable 0", n.name);
              updateResources(n, t);
            }
          });
    }
    updateLabels(n, at);
    updateResources(n, at);
  }

  private static boolean defaultOperand(NodeSim n, String op) {
    return switch (op) {
      case "mig-manager" -> n.group.type.migCapable();
      case "driver", "dcgm" -> false; // pre-installed / embedded in dcgm-exporter
      default -> true;
    };
  }

  // ------------------------------------------------------------------ XID

  private void xid(
      NodeSim n, GpuSim g, int code, Instant at, String message, Long pid, String process) {
    XidTable.Entry e = xids.entry(code);
    if (e.sticky()) {
      if (g.stickyXid == 0 || e.needsReboot() || !g.stickyNeedsReboot) {
        g.stickyXid = code;
        g.stickyNeedsReboot = g.stickyNeedsReboot || e.needsReboot();
      }
    } else {
      g.recentXid = code;
      g.recentXidUntil = at.plus(RECENT_XID_HOLD);
    }
    if (!n.exporterUp(at)) {
      log.info("sim: node={} gpu={} XID {} not reported: exporter down", n.name, g.index, code);
      return;
    }
    Long linePid = pid;
    String lineProcess = process;
    if (e.application()) {
      if (linePid == null) {
        linePid = 1000L + n.rng.nextInt(98_000);
      }
      if (lineProcess == null) {
        lineProcess = APP_PROCESSES[n.group.gpus() >= 8 ? 0 : 2];
      }
    }
    n.kmsgSeq += 1 + n.rng.nextInt(40);
    String text = message != null ? message : xids.text(code);
    String line =
        KernelLog.xid(n.kmsgSeq, n.bootTime, at, g.kernelPci, code, linePid, lineProcess, text);
    log.info("sim: node={} kernel: {}", n.name, line);
    feed.kernelLine(n.name, at, line);
  }

  // ------------------------------------------------------------------ container start failures

  private void ensureCrashLoops(NodeSim n, Instant at) {
    if (n.activeContainerError() == null) {
      return;
    }
    for (int i = 0; i < n.gpus.length; i++) {
      if (n.podByGpu[i] != null && !n.crashLoop[i]) {
        n.crashLoop[i] = true;
        int gpu = i;
        schedule(at.plusMillis(n.rng.nextInt(5000)), t -> podStart(n, gpu, t));
      }
    }
  }

  private void podStart(NodeSim n, int gpu, Instant at) {
    Injection.ContainerError ce = n.activeContainerError();
    String pod = n.podByGpu[gpu];
    if (ce == null || pod == null || n.terminated || !n.registered || n.rebooting) {
      n.crashLoop[gpu] = false;
      return;
    }
    int slash = pod.indexOf('/');
    String ns = slash > 0 ? pod.substring(0, slash) : SimulatedCluster.WORKLOAD_NAMESPACE;
    String podName = slash > 0 ? pod.substring(slash + 1) : pod;
    boolean sandbox = ce.message().toLowerCase(Locale.ROOT).contains("sandbox");
    String reason = ce.reason().orElse(sandbox ? "FailedCreatePodSandBox" : "Failed");
    event(
        n,
        NodeEventKind.CONTAINER_START_FAILURE,
        at,
        "kubelet",
        null,
        null,
        reason,
        ce.message(),
        null,
        null,
        null,
        ns,
        podName,
        sandbox ? null : SimulatedCluster.WORKLOAD_CONTAINER);
    schedule(at.plusMillis(10_000 + n.rng.nextInt(20_001)), t -> podStart(n, gpu, t));
  }

  // ------------------------------------------------------------------ kube side

  private void emitRegistration(NodeSim n, Instant at) {
    event(
        n,
        NodeEventKind.NODE_REGISTERED,
        at,
        "kubelet",
        null,
        null,
        "RegisteredNode",
        "Node " + n.name + " event: Registered Node " + n.name + " in Controller",
        null,
        null,
        null,
        null,
        null,
        null);
    readyEvent(n, at);
    n.lastCapacity = -1;
    updateResources(n, at);
    n.lastLabels = null;
    updateLabels(n, at);
  }

  private int allocatable(NodeSim n) {
    if (n.devicePluginGone) {
      return 0;
    }
    int healthy = 0;
    for (GpuSim g : n.gpus) {
      if (g.visible()) {
        healthy++;
      }
    }
    if (n.allocatableOverride != null) {
      healthy = Math.min(healthy, n.allocatableOverride);
    }
    return healthy;
  }

  /** Emits a RESOURCE_SNAPSHOT when capacity or allocatable changed; tells the cluster. */
  private void updateResources(NodeSim n, Instant at) {
    if (n.terminated) {
      return;
    }
    int capacity = n.gpus.length;
    int alloc = allocatable(n);
    int[] idx = new int[alloc];
    int k = 0;
    for (GpuSim g : n.gpus) {
      if (k < alloc && g.visible()) {
        idx[k++] = g.index;
      }
    }
    cluster.setAllocatableGpus(n.name, idx, at);
    if (!n.registered || n.rebooting) {
      return;
    }
    if (capacity == n.lastCapacity && alloc == n.lastAllocatable) {
      return;
    }
    n.lastCapacity = capacity;
    n.lastAllocatable = alloc;
    event(
        n,
        NodeEventKind.RESOURCE_SNAPSHOT,
        at,
        "kubelet",
        null,
        null,
        null,
        null,
        capacity,
        alloc,
        null,
        null,
        null,
        null);
  }

  /** The labels GPU Feature Discovery and the GPU Operator put on the Node. */
  private static Map<String, String> agentLabels(Map<String, String> labels) {
    TreeMap<String, String> out = new TreeMap<>();
    labels.forEach(
        (k, v) -> {
          if (k.startsWith("nvidia.com/") || k.startsWith("feature.node.kubernetes.io/")) {
            out.put(k, v);
          }
        });
    return out;
  }

  private void updateLabels(NodeSim n, Instant at) {
    if (!n.registered || n.terminated) {
      return;
    }
    TreeMap<String, String> labels = labels(n, true);
    if (labels.equals(n.lastLabels)) {
      return;
    }
    n.lastLabels = labels;
    cluster.setAgentLabels(n.name, agentLabels(labels));
    event(
        n,
        NodeEventKind.LABELS_SNAPSHOT,
        at,
        "kubelet",
        null,
        null,
        null,
        null,
        null,
        null,
        labels,
        null,
        null,
        null);
  }

  private TreeMap<String, String> labels(NodeSim n, boolean registered) {
    GroupSim g = n.group;
    TreeMap<String, String> l = new TreeMap<>();
    l.put("eks.amazonaws.com/nodegroup", g.spec.name());
    l.put("topology.kubernetes.io/zone", g.spec.zone());
    l.put("node.kubernetes.io/instance-type", g.spec.instanceType());
    if (!registered || g.profile == null) {
      return l;
    }
    l.put("kubernetes.io/hostname", n.name);
    l.put("feature.node.kubernetes.io/pci-10de.present", "true");
    l.put("nvidia.com/gpu.present", "true");
    l.put("nvidia.com/gpu.count", Integer.toString(g.gpus()));
    l.put("nvidia.com/gpu.product", g.profile.productLabel());
    l.put("nvidia.com/gpu.memory", Long.toString(g.profile.fbTotalMiB()));
    l.put("nvidia.com/mig.capable", Boolean.toString(g.type.migCapable()));
    l.put("nvidia.com/mig.strategy", "single");
    l.put("nvidia.com/cuda.driver-version.full", g.spec.driverVersion());
    l.put("nvidia.com/gpu.deploy.driver", "pre-installed");
    for (String op :
        List.of(
            "container-toolkit",
            "device-plugin",
            "gpu-feature-discovery",
            "dcgm",
            "dcgm-exporter",
            "operator-validator")) {
      l.put("nvidia.com/gpu.deploy." + op, "true");
    }
    if (g.type.migCapable()) {
      l.put("nvidia.com/gpu.deploy.mig-manager", "true");
    }
    // A missing operand keeps its label: the operator still wants it, its pod is what is gone.
    for (Map.Entry<String, Injection.OperandMissing> e : n.activeOperandFaults().entrySet()) {
      if (n.unexpected(e.getValue())) {
        l.put("nvidia.com/gpu.deploy." + e.getKey(), "true");
      }
    }
    n.optOuts.forEach(op -> l.put("nvidia.com/gpu.deploy." + op, "false"));
    return l;
  }

  private void emitInventory(NodeSim n, Instant at) {
    GroupSim g = n.group;
    NodeInventory inv =
        new NodeInventory(
            n.name,
            n.instanceId,
            g.spec.instanceType(),
            g.spec.name(),
            g.spec.asgName(),
            g.spec.zone(),
            g.spec.image(),
            g.amiId,
            g.gpus(),
            g.type.gpuModel().isEmpty() ? null : g.type.gpuModel(),
            g.type.migCapable(),
            g.type.hasNvidiaGpu() || g.spec.nvidiaImage() ? g.spec.driverVersion() : null,
            n.registered,
            n.launchedAt,
            at,
            labels(n, n.registered),
            null);
    sink.inventory(inv);
  }

  private void event(
      NodeSim n,
      NodeEventKind kind,
      Instant at,
      String source,
      String conditionType,
      String conditionStatus,
      String reason,
      String message,
      Integer capacity,
      Integer allocatable,
      Map<String, String> labels,
      String namespace,
      String pod,
      String container) {
    NodeEvent e =
        new NodeEvent(
            n.name + "/" + kind.name().toLowerCase(Locale.ROOT) + "/" + (++n.eventSeq),
            n.name,
            kind,
            at,
            source,
            conditionType,
            conditionStatus,
            reason,
            message,
            n.bootId,
            capacity,
            allocatable,
            labels == null ? Map.of() : labels,
            n.unschedulable,
            namespace,
            pod,
            container);
    sink.nodeEvent(e);
  }

  // ------------------------------------------------------------------ telemetry

  private void emitTelemetry(Instant t) {
    for (NodeSim n : nodeList) {
      if (!n.exporterUp(t)) {
        continue;
      }
      if (n.silenceUntil != null) {
        n.silenceUntil = null; // silence over
        n.silenceFault = -1;
      }
      if (n.operandDown("dcgm-exporter")) {
        feed.scrapeFailed(n.name, t, "GET " + DCGM_URL + ": Connection refused");
      } else {
        feed.scrape(n.name, t, exposition.render(n.name, telemetry.read(n, t)));
      }
    }
  }

  /**
   * The node (re)booted at {@code bootTime} with {@code bootId}: a new kernel log, whose driver
   * load names every GPU and its PCI address, as the NVIDIA driver does.
   */
  private void boot(NodeSim n, String bootId, Instant bootTime, Instant readAt) {
    n.bootId = bootId;
    n.bootTime = bootTime;
    feed.boot(n.name, bootId, bootTime);
    if (n.gpus.length == 0) {
      return;
    }
    Instant loaded = bootTime.plus(DRIVER_LOADS_AFTER);
    List<String> lines = new ArrayList<>(n.gpus.length + 1);
    lines.add(KernelLog.driverLoaded(++n.kmsgSeq, bootTime, loaded, n.group.spec.driverVersion()));
    for (GpuSim g : n.gpus) {
      lines.add(KernelLog.gpuAt(++n.kmsgSeq, bootTime, loaded, g.kernelPci, g.uuid));
    }
    for (String line : lines) {
      feed.kernelLine(n.name, readAt, line);
    }
  }

  /** The kubelet reporting the node Ready (registration, return from a reboot, recovery). */
  private void readyEvent(NodeSim n, Instant at) {
    event(
        n,
        NodeEventKind.CONDITION_CHANGED,
        at,
        "kubelet",
        "Ready",
        "True",
        "KubeletReady",
        "kubelet is posting ready status",
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** The node controller removing the node from the cluster. */
  private void removedEvent(NodeSim n, Instant at) {
    event(
        n,
        NodeEventKind.NODE_REMOVED,
        at,
        "node-controller",
        null,
        null,
        "RemovingNode",
        "Node " + n.name + " event: Removing Node " + n.name + " from Controller",
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
