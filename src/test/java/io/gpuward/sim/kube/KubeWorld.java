package io.gpuward.sim.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A simulated fleet on a manual clock, its cluster served by a {@link KubeWorldServer}, and a
 * client of that server. The simulator's records also land in {@link #events}.
 */
final class KubeWorld implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  static final InstanceTypeCatalog CATALOG = InstanceTypeCatalog.load();

  final ManualClock clock = new ManualClock(T0);
  final SimulatedCluster cluster;
  final KubeWorldServer server;
  final FleetSimulator sim;
  final KubernetesClient client;
  final List<NodeEvent> events = new CopyOnWriteArrayList<>();

  KubeWorld(String yaml, SimulatedCluster.Settings settings) {
    cluster = new SimulatedCluster(clock, settings);
    server = KubeWorldServer.start(cluster);
    TelemetrySink sink = server.kubeletFeed(new EventList(events));
    sim =
        new FleetSimulator(
            ScenarioLoader.parse(yaml, CATALOG).withStart(T0), CATALOG, cluster, sink);
    client = new KubernetesClientBuilder().withConfig(server.clientConfig()).build();
  }

  /** Moves the clock and the simulator, tick by tick, to {@code offset} after the start. */
  synchronized KubeWorld runTo(Duration offset) {
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

  /** Lets {@code d} of simulated time pass. */
  KubeWorld pass(Duration d) {
    return runTo(Duration.between(T0, clock.instant()).plus(d));
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }

  private record EventList(List<NodeEvent> events) implements TelemetrySink {
    @Override
    public void gpuSample(GpuSample s) {}

    @Override
    public void xid(XidEvent e) {}

    @Override
    public void nodeEvent(NodeEvent e) {
      events.add(e);
    }

    @Override
    public void inventory(NodeInventory i) {}

    @Override
    public void inventoryRemoved(String node) {}
  }
}
