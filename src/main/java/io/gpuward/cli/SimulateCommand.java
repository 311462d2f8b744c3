package io.gpuward.cli;

import io.gpuward.config.Durations;
import io.gpuward.contract.KafkaRole;
import io.gpuward.exporter.TelemetryPublisher;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.ProgressCheck;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.SimulationRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gpuward simulate}: publishes a scenario's fleet telemetry to Kafka. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate a fleet from a scenario file and publish its GPU samples, XID events, kube events",
      "and inventory to the telemetry topics, with event times, at --speed."
    })
final class SimulateCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin ScenarioOptions scenarioOptions;
  @Mixin MetricsOptions metrics;

  @Override
  public Integer call() throws Exception {
    InstanceTypeCatalog types = InstanceTypeCatalog.load();
    Scenario scenario = scenarioOptions.scenario(types);
    double speed = scenarioOptions.speed();
    Instant start = scenarioOptions.start(scenario, speed);
    Platform platform = Platform.connect(kafka.config(Map.of()), true);
    platform.registerSchemas(KafkaRole.SIMULATOR);
    // Never ahead of the wall clock: brokers and the engine refuse event times in the future.
    SimClock clock = SimClock.notAfter(start, speed, Clock.systemUTC());
    SimulatedCluster cluster = new SimulatedCluster(clock);
    var meters = MetricsOptions.registry("simulate");
    try (TelemetryPublisher publisher =
            new TelemetryPublisher(
                platform.config().kafkaClientProps(), platform.topics(), "gpuward-simulate");
        AutoCloseable producerMetrics = publisher.bindMetrics(meters);
        MetricsServer server =
            metrics.start(
                "simulate",
                MetricsOptions.SIMULATE,
                meters,
                new ProgressCheck(
                    "records published",
                    publisher::sent,
                    Duration.ofSeconds(60),
                    Clock.systemUTC()),
                System.out::println)) {
      FleetSimulator sim = new FleetSimulator(scenario, types, cluster, publisher, clock.start());
      System.out.printf(
          "simulating '%s': %d nodes, %s at %sx from %s into %s%n",
          scenario.name(),
          scenario.nodeCount(),
          Durations.format(scenario.duration()),
          speed,
          start,
          platform.config().bootstrapServers());
      try (SimulationRunner runner = SimulationRunner.realTime(sim, clock)) {
        runner.start();
        while (!runner.awaitCompletion(Duration.ofSeconds(5))) {
          var p = runner.progress();
          System.out.printf(
              "  [%s] %,d records (%,d samples), %,d send failures%n",
              Durations.format(p.simulatedElapsed()),
              p.records().total(),
              p.records().gpuSamples(),
              publisher.failed());
        }
        var p = runner.progress();
        if (p.failure().isPresent()) {
          throw new IllegalStateException("simulation failed", p.failure().get());
        }
        publisher.flush();
        System.out.printf(
            "done: %,d records published (%,d samples, %,d XIDs, %,d kube events, %,d inventory),"
                + " %,d failed%n",
            publisher.sent(),
            p.records().gpuSamples(),
            p.records().xidEvents(),
            p.records().nodeEvents(),
            p.records().inventory(),
            publisher.failed());
      }
    }
    return 0;
  }
}
