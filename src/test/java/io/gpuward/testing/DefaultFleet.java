package io.gpuward.testing;

import io.gpuward.contract.TelemetrySink;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimulatedCluster;
import java.time.Instant;

/** The default demo fleet, for tests that act on a simulated cluster. */
public final class DefaultFleet {
  private DefaultFleet() {}

  /**
   * Fills {@code cluster} with the default scenario's nodes and pods as they are at {@code at} (its
   * first tick), publishing nothing.
   */
  public static SimulatedCluster populate(
      SimulatedCluster cluster, InstanceTypeCatalog types, Instant at) {
    new FleetSimulator(ScenarioLoader.loadDefault(types), types, cluster, TelemetrySink.NONE, at)
        .advanceTo(at);
    return cluster;
  }
}
