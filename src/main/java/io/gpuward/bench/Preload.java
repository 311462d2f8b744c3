package io.gpuward.bench;

import io.gpuward.contract.Topics;
import io.gpuward.exporter.TelemetryPublisher;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.RecordCounts;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.SimulationRunner;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Phase 1: a synthetic fleet simulated as fast as possible for a number of ticks into the telemetry
 * topics (GPU samples, kube events, inventory), through the same publisher the exporter uses. The
 * simulated time ends about now, so the live load of the latency phase continues it.
 */
final class Preload {

  /**
   * What was loaded.
   *
   * @param counts records by type
   * @param seconds wall time, from the first tick to every record acknowledged
   */
  record Result(RecordCounts counts, double seconds) {
    double sampleRate() {
      return counts.gpuSamples() / seconds;
    }

    double recordRate() {
      return counts.total() / seconds;
    }
  }

  private Preload() {}

  static Result run(
      Scenario fleet,
      int ticks,
      InstanceTypeCatalog types,
      Map<String, Object> clientProps,
      Topics topics,
      PrintStream progress)
      throws InterruptedException {
    Duration span = fleet.sampleInterval().multipliedBy(ticks - 1L);
    Instant start = Instant.now().minus(span).minusSeconds(1).truncatedTo(Bench.SECONDS);
    Scenario scenario = fleet.withStart(start).withDuration(span);
    ManualClock clock = new ManualClock(start);
    SimulatedCluster cluster = new SimulatedCluster(clock);
    long t0 = System.nanoTime();
    RecordCounts counts;
    try (TelemetryPublisher publisher =
        new TelemetryPublisher(clientProps, topics, "gpuward-bench-preload")) {
      FleetSimulator sim = new FleetSimulator(scenario, types, cluster, publisher, start);
      try (SimulationRunner runner = SimulationRunner.asFastAsPossible(sim, clock, span)) {
        runner.start();
        while (!runner.awaitCompletion(Bench.PROGRESS_EVERY)) {
          var p = runner.progress();
          double s = (System.nanoTime() - t0) / 1e9;
          progress.printf(
              Locale.ROOT,
              "  pre-load: %,d samples (%.0f%% of %d ticks), %,.0f samples/s%n",
              p.records().gpuSamples(),
              p.fraction() * 100,
              ticks,
              p.records().gpuSamples() / s);
        }
        counts = runner.progress().records();
      }
      publisher.flush();
      if (publisher.failed() > 0) {
        throw new IllegalStateException(
            "pre-load: " + publisher.failed() + " record(s) could not be sent");
      }
    }
    return new Result(counts, (System.nanoTime() - t0) / 1e9);
  }
}
