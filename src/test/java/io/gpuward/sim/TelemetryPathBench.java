package io.gpuward.sim;

import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.ExporterFleet;
import io.gpuward.exporter.NodeFeed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;

/**
 * What the text path costs per GPU sample: a synthetic fleet ticked with the nodes' pages dropped
 * (physics and rendering only) and through gpuward's exporter (rendering and parsing): {@code java
 * -cp target/classes:target/test-classes:$(cat cp.txt) io.gpuward.sim.TelemetryPathBench 10000}.
 * Not a test: timing is measured here, never asserted.
 */
public final class TelemetryPathBench {
  private TelemetryPathBench() {}

  public static void main(String[] args) {
    int gpus = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Function<TelemetrySink, NodeFeed> dropped = out -> new DroppedFeed();
    Function<TelemetrySink, NodeFeed> parsed =
        out -> new ExporterFleet(out, Duration.ofSeconds(30), new SimpleMeterRegistry());
    for (int round = 0; round < 2; round++) {
      report("render only", gpus, dropped);
      report("render+parse", gpus, parsed);
    }
  }

  private static void report(String what, int gpus, Function<TelemetrySink, NodeFeed> feed) {
    Instant t0 = SimHarness.T0;
    FleetSimulator sim =
        new FleetSimulator(
            Scenario.synthetic(gpus, 5).withStart(t0),
            SimHarness.CATALOG,
            new SimulatedCluster(new ManualClock(t0)),
            TelemetrySink.NONE,
            t0,
            feed);
    sim.advanceTo(t0);
    long best = Long.MAX_VALUE;
    for (int i = 1; i <= 5; i++) {
      long start = System.nanoTime();
      sim.advanceTo(t0.plusSeconds(i));
      best = Math.min(best, System.nanoTime() - start);
    }
    System.out.printf(
        Locale.ROOT,
        "%s: %d GPUs, best tick %.1f ms, %.2f us per GPU sample%n",
        what,
        gpus,
        best / 1e6,
        best / 1e3 / gpus);
  }

  private static final class DroppedFeed implements NodeFeed {
    @Override
    public void boot(String node, String bootId, Instant bootTime) {}

    @Override
    public void scrape(String node, Instant at, String text) {}

    @Override
    public void scrapeFailed(String node, Instant at, String error) {}

    @Override
    public void kernelLine(String node, Instant readAt, String line) {}

    @Override
    public void nodeGone(String node) {}
  }
}
