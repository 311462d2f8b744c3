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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gpuward simulate}: publishes a scenario's fleet telemetry to Kafka. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate a fleet from a scenario file and publish its GPU samples, XID events, kube events",
      "and inventory to the telemetry topics, with event times, at --speed.",
      "With --serve: run the simulated world in this process, served as a Kubernetes API and as",
      "EC2, Auto Scaling, SSM and EKS on loopback, with its action log at GET /world/actions,",
      "until stopped (or for --duration); telemetry goes to Kafka only with --publish."
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;
  @Mixin ScenarioOptions scenarioOptions;
  @Mixin MetricsOptions metrics;

  @Option(
      names = "--serve",
      description =
          "Serve the world (Kubernetes API, AWS endpoint, action log) until Ctrl-C, or for"
              + " --duration when given, instead of only publishing its telemetry.")
  boolean serve;

  @Option(
      names = "--publish",
      description = "With --serve: also publish the fleet's telemetry to Kafka.")
  boolean publish;

  @Option(
      names = "--no-inventory",
      description =
          "With --serve --publish: leave the inventory to 'gpuward watch' reading the served APIs.")
  boolean noInventory;

  @Option(
      names = "--kube-port",
      paramLabel = "PORT",
      description = "With --serve: the Kubernetes API's port on 127.0.0.1 (default: a free one).")
  Integer kubePort;

  @Option(
      names = "--aws-port",
      paramLabel = "PORT",
      description = "With --serve: the AWS endpoint's port on 127.0.0.1 (default: a free one).")
  Integer awsPort;

  @Option(
      names = "--world-port",
      paramLabel = "PORT",
      description = "With --serve: the action log's port on 127.0.0.1 (default: a free one).")
  Integer worldPort;

  @Option(
      names = "--write-kubeconfig",
      paramLabel = "FILE",
      description = "With --serve: write a kubeconfig for the served Kubernetes API to FILE.")
  Path kubeconfig;

  @Override
  public Integer call() throws Exception {
    if (serve) {
      return serve();
    }
    refuseServeOnly();
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

  private int serve() throws Exception {
    if (noInventory && !publish) {
      throw new ParameterException(spec.commandLine(), "--no-inventory needs --publish");
    }
    WorldServe.Options options =
        new WorldServe.Options(
            port("--kube-port", kubePort),
            port("--aws-port", awsPort),
            port("--world-port", worldPort),
            kubeconfig,
            publish,
            !noInventory);
    InstanceTypeCatalog types = InstanceTypeCatalog.load();
    Scenario scenario = scenarioOptions.scenario(types);
    double speed = scenarioOptions.speed();
    boolean untilStopped = scenarioOptions.duration == null;
    WorldServe.Run run =
        new WorldServe.Run(
            scenario,
            types,
            speed,
            scenarioOptions.start(scenario, speed),
            untilStopped ? ScenarioOptions.MAX_DURATION : scenario.duration(),
            untilStopped);
    return new WorldServe(options, run, System.out)
        .serve(() -> Platform.connect(kafka.config(Map.of()), true), metrics);
  }

  private int port(String flag, Integer value) {
    if (value == null) {
      return 0;
    }
    if (value < 0 || value > 65_535) {
      throw new ParameterException(spec.commandLine(), flag + " must be 0..65535, was " + value);
    }
    return value;
  }

  /** The serving options mean nothing without --serve; silently ignoring them would mislead. */
  private void refuseServeOnly() {
    boolean any =
        publish
            || noInventory
            || kubePort != null
            || awsPort != null
            || worldPort != null
            || kubeconfig != null;
    if (any) {
      throw new ParameterException(
          spec.commandLine(),
          "--publish, --no-inventory, --kube-port, --aws-port, --world-port and"
              + " --write-kubeconfig need --serve");
    }
  }
}
