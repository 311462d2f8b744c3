package io.gpuward.sim;

import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.ExporterFleet;
import io.gpuward.exporter.NodeFeed;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 *
 * <p>This class is the stepper: it owns the timeline and, within a tick, merges the cluster's
 * changes, the scenario's faults and the follow-ups in time order. Each job is one part (see the
 * package's DESIGN.md): {@link FleetNodes} (groups and nodes), {@link NodeLifecycle} (launch,
 * registration, what the cluster did), {@link FaultScheduler} (faults to their targets), one
 * applier per family of faults ({@link GpuFaults}, {@link NodeFaults}, {@link OperandFaults},
 * {@link ContainerFaults}), {@link SimFollowUps} (what happens later), {@link NodePublisher} (kube
 * events, resources, labels, inventory) and {@link NodeSignals} (dcgm-exporter pages and kernel
 * logs).
 */
public final class FleetSimulator {

  private static final Logger log = LoggerFactory.getLogger(FleetSimulator.class);

  private final Scenario scenario;
  private final InstanceTypeCatalog catalog;
  private final SimulatedCluster cluster;
  private final CountingSink sink;
  private final Instant start;
  private final long intervalNanos;
  private final SimFollowUps followUps = new SimFollowUps();
  private final NodeSignals signals;
  private final FleetNodes fleet;
  private final NodeLifecycle lifecycle;
  private final FaultScheduler faults;

  private boolean initialized;
  private volatile long tickIndex;
  private volatile Instant lastTick;

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
    NodeFeed feed = Objects.requireNonNull(exporters.apply(this.sink), "feed");
    this.start = Objects.requireNonNull(start, "start");
    this.intervalNanos = scenario.sampleInterval().toNanos();
    XidTable xids = XidTable.load();
    ClusterControls controls = cluster.controls();
    this.signals = new NodeSignals(feed, intervalNanos, xids);
    this.fleet = new FleetNodes(scenario.seed(), signals);
    NodePublisher publisher = new NodePublisher(this.sink, controls);
    GpuFaults gpuFaults = new GpuFaults(followUps, publisher, signals, xids);
    OperandFaults operandFaults = new OperandFaults(controls, followUps, publisher);
    ContainerFaults containerFaults = new ContainerFaults(followUps, publisher);
    this.lifecycle =
        new NodeLifecycle(
            scenario.seed(),
            fleet,
            controls,
            publisher,
            signals,
            gpuFaults,
            operandFaults,
            containerFaults);
    NodeFaults nodeFaults =
        new NodeFaults(controls, followUps, publisher, lifecycle, gpuFaults, operandFaults);
    this.faults =
        new FaultScheduler(
            scenario, start, fleet, gpuFaults, nodeFaults, operandFaults, containerFaults);
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
    return fleet.names();
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
    List<ClusterChange> changes = cluster.controls().pollChanges(t);
    int ci = 0;
    while (true) {
      ClusterChange c = ci < changes.size() ? changes.get(ci) : null;
      Instant cAt = c == null ? null : clampChange(c.at(), t);
      Instant fAt = faults.nextDue(t);
      Instant tmAt = followUps.nextDue(t);
      // earliest first; ties: cluster change, then fault, then follow-up
      if (cAt != null
          && (fAt == null || !fAt.isBefore(cAt))
          && (tmAt == null || !tmAt.isBefore(cAt))) {
        ci++;
        lifecycle.apply(c, cAt);
      } else if (fAt != null && (tmAt == null || !tmAt.isBefore(fAt))) {
        faults.applyNext(fAt);
      } else if (tmAt != null) {
        followUps.runNext();
      } else {
        break;
      }
    }
    signals.scrape(fleet.nodes(), t);
  }

  private Instant clampChange(Instant at, Instant t) {
    Instant lo = lastTick == null ? start : lastTick;
    if (at.isBefore(lo)) {
      return lo;
    }
    return at.isAfter(t) ? t : at;
  }

  private void initialize(Instant t) {
    fleet.defineGroups(scenario, catalog);
    lifecycle.start(t, faults.neverRegistering());
    log.info(
        "sim: scenario {} started at {} with {} nodes, {} faults, seed {}",
        scenario.name(),
        t,
        fleet.nodes().size(),
        faults.size(),
        scenario.seed());
  }
}
