package io.gpuward.sim;

import io.gpuward.config.Durations;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.time.Duration;
import java.time.Instant;

/** A simulator, its cluster and a manual clock moved tick by tick. */
final class SimHarness {

  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  static final InstanceTypeCatalog CATALOG = InstanceTypeCatalog.load();

  final ManualClock clock = new ManualClock(T0);
  final SimulatedCluster cluster;
  final RecordingSink sink = new RecordingSink();
  final FleetSimulator sim;

  SimHarness(Scenario scenario) {
    this(scenario, SimulatedCluster.Settings.defaults());
  }

  SimHarness(Scenario scenario, SimulatedCluster.Settings settings) {
    cluster = new SimulatedCluster(clock, settings);
    sim = new FleetSimulator(scenario.withStart(T0), CATALOG, cluster, sink);
  }

  static SimHarness of(String yaml) {
    return new SimHarness(ScenarioLoader.parse(yaml, CATALOG));
  }

  /** Moves the clock and the simulator tick by tick to {@code offset} after the start. */
  SimHarness runTo(Duration offset) {
    Instant target = T0.plus(offset);
    Duration step = sim.scenario().sampleInterval();
    Instant t = sim.lastTick().map(x -> x.plus(step)).orElse(T0);
    while (!t.isAfter(target)) {
      clock.set(t);
      sim.advanceTo(t);
      t = t.plus(step);
    }
    clock.set(target);
    return this;
  }

  SimHarness runTo(String offset) {
    return runTo(Durations.parse(offset));
  }

  Instant at(String offset) {
    return T0.plus(Durations.parse(offset));
  }

  /** Counts records without keeping them (big fleets). */
  static final class CountingSink implements TelemetrySink {
    long samples;
    long xids;
    long events;
    long inventory;
    long tombstones;
    final java.util.Set<String> uuids = new java.util.HashSet<>();

    @Override
    public void gpuSample(io.gpuward.avro.GpuSample s) {
      samples++;
      if (uuids.size() < 200_000) {
        uuids.add(s.getUuid());
      }
    }

    @Override
    public void xid(io.gpuward.avro.XidEvent e) {
      xids++;
    }

    @Override
    public void nodeEvent(io.gpuward.avro.NodeEvent e) {
      events++;
    }

    @Override
    public void inventory(io.gpuward.avro.NodeInventory i) {
      inventory++;
    }

    @Override
    public void inventoryRemoved(String node) {
      tombstones++;
    }
  }
}
