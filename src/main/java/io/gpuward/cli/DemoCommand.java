package io.gpuward.cli;

import io.gpuward.config.Durations;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.KafkaRole;
import io.gpuward.embedded.EmbeddedKafka;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.exporter.TelemetryPublisher;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.HealthCheck;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.ProgressCheck;
import io.gpuward.ops.RoleHealth;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.gpuward.rollup.RollupService;
import io.gpuward.rollup.RollupSettings;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.SimulationRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gpuward demo}: the whole loop in one process — a real in-JVM Kafka broker, the embedded
 * schema registry, the simulated fleet, the verdict engine and the remediator acting on the
 * simulated cluster — with live progress and a summary.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole pipeline in one process on an embedded Kafka broker and a simulated fleet:",
      "fault -> verdict -> action -> recovery -> verdict cleared."
    })
final class DemoCommand implements Callable<Integer> {

  @Mixin MetricsOptions metrics;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      description = "Scenario YAML (default: the built-in scenario with every seed problem).")
  Path scenarioFile;

  @Option(
      names = "--duration",
      paramLabel = "D",
      description = "Simulated time to run, e.g. 90s, 5m (default: the scenario's duration).")
  String duration;

  @Option(
      names = "--speed",
      paramLabel = "X",
      defaultValue = "3",
      description = "Simulated seconds per wall-clock second (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Write verdicts.jsonl, incidents.jsonl and audit.jsonl here.")
  Path out;

  @Option(
      names = "--dry-run",
      description = "Decide and audit, but do not act on the simulated cluster.")
  boolean dryRun;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also show gpuward's INFO logs (every verdict and step) on stderr.")
  boolean verbose;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "3",
      description = "Partitions per topic on the embedded broker (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--sink",
      description =
          "Also start PostgreSQL and a Kafka Connect worker that land verdicts, incidents, node"
              + " health, the audit and the telemetry rollup in tables (connectors/); print row"
              + " counts and the Grafana data source at the end. In a terminal, PostgreSQL stays up"
              + " until Ctrl-C.")
  boolean sink;

  @Option(
      names = "--sink-dir",
      paramLabel = "DIR",
      description =
          "With --sink: keep PostgreSQL's data in DIR (reused when it already holds one) instead"
              + " of a temporary folder.")
  Path sinkDir;

  @Override
  public Integer call() throws Exception {
    if (sinkDir != null && !sink) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--sink-dir needs --sink");
    }
    if (!(speed > 0) || speed > 1000) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--speed must be > 0 and <= 1000, was " + speed);
    }
    if (partitions < 1 || partitions > 64) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--partitions must be 1..64, was " + partitions);
    }
    if (!verbose) {
      // The progress lines and the summary say what happened; keep the per-record logs out.
      org.apache.logging.log4j.core.config.Configurator.setLevel(
          "io.gpuward", org.apache.logging.log4j.Level.WARN);
      // The demo's state lives in a temp dir on purpose (it is deleted at the end).
      org.apache.logging.log4j.core.config.Configurator.setLevel(
          "org.apache.kafka.streams.processor.internals.StateDirectory",
          org.apache.logging.log4j.Level.ERROR);
      org.apache.logging.log4j.core.config.Configurator.setLevel(
          "org.hibernate", org.apache.logging.log4j.Level.ERROR);
    }
    InstanceTypeCatalog types = InstanceTypeCatalog.load();
    Scenario scenario =
        scenarioFile == null
            ? ScenarioLoader.loadDefault(types)
            : ScenarioLoader.load(scenarioFile, types);
    Duration simDuration = scenario.duration();
    if (duration != null) {
      try {
        simDuration = Durations.parse(duration);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--duration: " + e.getMessage());
      }
    }
    PrintStream o =
        new PrintStream(spec.commandLine().getOut() == null ? System.out : System.out, true);
    Path work = Files.createTempDirectory("gpuward-demo-");
    try {
      return run(o, scenario, simDuration, types, work);
    } finally {
      deleteRecursively(work);
    }
  }

  private int run(
      PrintStream o, Scenario scenario, Duration simDuration, InstanceTypeCatalog types, Path work)
      throws Exception {
    long t0 = System.nanoTime();
    o.printf(
        "gpuward demo: scenario '%s', %s simulated at %sx, %s%n",
        scenario.name(),
        Durations.format(simDuration),
        trim(speed),
        dryRun ? "dry run (no actions)" : "acting live on the simulated cluster");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.startOnKafka(
                kafka.bootstrapServers(), EmbeddedSchemaRegistry.DEFAULT_TOPIC)) {
      o.printf("  kafka %s, schema registry %s%n", kafka.bootstrapServers(), registry.url());
      Map<String, Object> settings = new HashMap<>();
      settings.put(GpuwardConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      settings.put(GpuwardConfig.REGISTRY_URL, registry.url());
      settings.put(GpuwardConfig.ENGINE_STATE_DIR, work.resolve("streams").toString());
      settings.put(GpuwardConfig.REMEDIATION_DRY_RUN, Boolean.toString(dryRun));
      GpuwardConfig cfg = new GpuwardConfig(settings);
      Platform platform = Platform.connect(cfg, true, partitions);
      platform.registerSchemas(KafkaRole.SIMULATOR, KafkaRole.ENGINE, KafkaRole.REMEDIATOR);
      var topics = platform.topics();
      var meters = MetricsServer.registry("demo");
      RuleCatalog rules = RuleCatalog.load();

      try (EngineService engine =
              EngineService.start(
                  cfg, topics, rules, types, meters, Clock.systemUTC(), Duration.ofSeconds(60));
          RollupService rollup =
              RollupService.start(cfg, topics, RollupSettings.DEFAULT, Duration.ofSeconds(60));
          DemoSink sinks =
              sink
                  ? DemoSink.start(o, kafka.bootstrapServers(), registry.url(), topics, sinkDir)
                  : null) {
        o.printf("  verdict engine %s (rules %s)%n", engine.state(), rules.version());
        SimClock clock = new SimClock(Instant.now().truncatedTo(ChronoUnit.SECONDS), speed);
        SimulatedCluster cluster = new SimulatedCluster(clock);
        RemediationPolicy policy = RemediationPolicy.load();
        Planner planner = new Planner(policy);
        try (TelemetryPublisher publisher =
                new TelemetryPublisher(cfg.kafkaClientProps(), topics, "gpuward-demo-sim");
            AutoCloseable producerMetrics = publisher.bindMetrics(meters);
            RemediatorService remediator =
                new RemediatorService(
                    cfg.kafkaClientProps(),
                    topics,
                    audit ->
                        new Remediation(
                            planner, cluster, cluster, audit, clock, cfg.dryRun(), meters),
                    cfg.remediationGroupId(),
                    meters);
            DemoObserver observer = new DemoObserver(cfg.kafkaClientProps(), topics);
            MetricsServer server =
                metrics.start(
                    "demo",
                    MetricsOptions.DEMO,
                    meters,
                    HealthCheck.all(
                        Map.of(
                            "engine",
                            RoleHealth.streams(engine::state),
                            "remediator",
                            new ProgressCheck(
                                "verdict polls",
                                remediator::polls,
                                Duration.ofSeconds(60),
                                Clock.systemUTC()))),
                    o::println)) {
          remediator.start();
          FleetSimulator sim =
              new FleetSimulator(scenario, types, cluster, publisher, clock.start());
          o.printf(
              "  fleet: %d nodes in %d node groups; remediation policy %s%n%n",
              scenario.nodeCount(), scenario.nodegroups().size(), policy.version());
          try (SimulationRunner runner = SimulationRunner.realTime(sim, clock, simDuration)) {
            runner.start();
            Duration every = Duration.ofSeconds(2);
            while (!runner.awaitCompletion(every)) {
              progress(o, runner.progress(), observer);
            }
            var last = runner.progress();
            if (last.failure().isPresent()) {
              throw new IllegalStateException("simulation failed", last.failure().get());
            }
            progress(o, last, observer);
          }
          publisher.flush();
          // Let the engine and the remediator finish what the last ticks caused.
          long settleDeadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
          while ((observer.quietFor().compareTo(Duration.ofSeconds(2)) < 0 || !remediator.idle())
              && System.nanoTime() < settleDeadline) {
            Thread.sleep(200);
          }
          o.printf(
              "%ndone: %s simulated in %.1fs wall; cluster: %d reboot(s), %d replacement(s), %d GPU"
                  + " reset(s)%n",
              Durations.format(simDuration),
              (System.nanoTime() - t0) / 1e9,
              cluster.reboots(),
              cluster.replacements(),
              cluster.gpuResets());
          DemoReport.print(
              o,
              clock.start(),
              observer.verdicts(),
              observer.incidents(),
              observer.audit(),
              observer.deadLetters());
          if (out != null) {
            DemoReport.writeJsonl(out.resolve("verdicts.jsonl"), observer.verdicts());
            DemoReport.writeJsonl(out.resolve("incidents.jsonl"), observer.incidents());
            DemoReport.writeJsonl(out.resolve("audit.jsonl"), observer.audit());
            o.printf("%n  wrote %s/{verdicts,incidents,audit}.jsonl%n", out);
          }
          if (sinks != null) {
            sinks.awaitLanded(observer.verdicts(), observer.audit(), Duration.ofSeconds(30));
            sinks.report(o);
            sinks.holdIfInteractive(o);
          }
        }
      }
    }
    return 0;
  }

  private static void progress(PrintStream o, SimulationRunner.Progress p, DemoObserver obs) {
    var verdicts = obs.verdicts();
    long open =
        verdicts.stream().map(v -> v.getVerdictId()).distinct().count()
            - verdicts.stream().filter(v -> v.getState().name().equals("CLEARED")).count();
    var audit = obs.audit();
    long acted = audit.stream().filter(r -> r.getOutcome().name().equals("SUCCEEDED")).count();
    o.printf(
        Locale.ROOT,
        "  [%6s %3.0f%%] samples %,d  xids %,d  kube events %,d | verdicts %d (open %d) | audit %d"
            + " (%d steps done)%n",
        Durations.format(p.simulatedElapsed()),
        p.fraction() * 100,
        p.records().gpuSamples(),
        p.records().xidEvents(),
        p.records().nodeEvents(),
        verdicts.size(),
        open,
        audit.size(),
        acted);
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: it is a temp dir
    }
  }
}
