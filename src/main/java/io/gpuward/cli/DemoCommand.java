package io.gpuward.cli;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.config.Durations;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.KafkaRole;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedKafka;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.exporter.TelemetryPublisher;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.Health;
import io.gpuward.ops.HealthCheck;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.ProgressCheck;
import io.gpuward.ops.RoleHealth;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.rollup.RollupService;
import io.gpuward.rollup.RollupSettings;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.ScenarioException;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimTimeline;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.SimulationRunner;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Utils;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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
  private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

  @Mixin MetricsOptions metrics;

  @Spec CommandSpec spec;

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
      description =
          "Write verdicts.jsonl, incidents.jsonl, audit.jsonl, inventory.jsonl and control.jsonl"
              + " here, and world-actions.jsonl: every call the simulated cluster received.")
  Path out;

  @Option(
      names = "--dry-run",
      description = "Decide and audit, but do not act on the simulated cluster.")
  boolean dryRun;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description =
          "Remediation policy YAML, as for 'gpuward remediate --policy' (default: the built-in"
              + " policy).")
  Path policyFile;

  private RemediationPolicy policy;

  @Option(
      names = "--shadow-policy",
      paramLabel = "FILE",
      description =
          "Also run a shadow remediator with this policy beside the live one (as 'gpuward"
              + " remediate --shadow'; it never acts) and print how its decisions differ (as"
              + " 'gpuward backtest --shadow').")
  Path shadowPolicyFile;

  private RemediationPolicy shadowPolicy;

  /** The shadow remediator of this run, reported after the summary; none without a policy. */
  private DemoShadow shadow = DemoShadow.NONE;

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

  /** Wall time a role may be behind the simulated fleet before the run is given up. */
  static final Duration MAX_WALL_LAG = Duration.ofSeconds(60);

  /** Wall time the remediator may go without polling for verdicts before it counts as stopped. */
  static final Duration REMEDIATOR_SILENCE = Duration.ofSeconds(20);

  static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  /** Called once every role runs (tests stop a role here). */
  @FunctionalInterface
  interface Hook {
    void running(Roles roles);
  }

  /**
   * What a run produced, for a caller that scores it ({@code gpuward bench --fleet}).
   *
   * @param simStart the simulated start the scenario's fault offsets count from
   * @param complete false when a role stopped and the run was cut short
   */
  record Outputs(
      Instant simStart,
      List<FaultVerdict> verdicts,
      List<FleetIncident> incidents,
      List<RemediationRecord> audit,
      boolean complete) {}

  /** The roles of one demo run. */
  record Roles(EngineService engine, RollupService rollup, RemediatorService remediator) {}

  /** What the roles connect to. */
  private record Stack(GpuwardConfig cfg, Topics topics, PrometheusMeterRegistry meters) {}

  private final Hook hook;
  private long t0Nanos;

  /** A scenario built in code instead of {@code --scenario}; null for the usual demo. */
  private Scenario given;

  /** Where progress and the summary go; null for stdout. */
  private PrintStream console;

  private Consumer<Outputs> outputs = r -> {};

  DemoCommand() {
    this(roles -> {});
  }

  DemoCommand(Hook hook) {
    this.hook = hook;
  }

  /**
   * The demo running {@code scenario}, printing to {@code console} and handing what it produced to
   * {@code outputs}; picocli still parses the flags (speed, partitions) into it.
   */
  static DemoCommand of(Scenario scenario, PrintStream console, Consumer<Outputs> outputs) {
    DemoCommand d = new DemoCommand();
    d.given = scenario;
    d.console = console;
    d.outputs = outputs;
    return d;
  }

  @Override
  public Integer call() throws Exception {
    checkOptions();
    if (!verbose) {
      quietLogs();
    }
    Duration asked = null;
    if (duration != null) {
      try {
        asked = ScenarioOptions.parseDuration(duration, SimTimeline.MAX_AGE);
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
    }
    InstanceTypeCatalog types = InstanceTypeCatalog.load();
    Scenario scenario =
        given != null
            ? given
            : scenarioFile == null
                ? ScenarioLoader.loadDefault(types)
                : ScenarioLoader.load(scenarioFile, types);
    Duration simDuration = asked == null ? scenario.duration() : asked;
    Instant start;
    try {
      start = SimTimeline.start(scenario.start(), Instant.now(), simDuration, speed);
    } catch (ScenarioException e) {
      throw usage(e.getMessage());
    }
    PrintStream o = console != null ? console : new PrintStream(System.out, true);
    Path work = Files.createTempDirectory("gpuward-demo-");
    try {
      return run(o, scenario, simDuration, start, types, work);
    } finally {
      deleteRecursively(work);
    }
  }

  private void checkOptions() {
    if (sinkDir != null && !sink) {
      throw usage("--sink-dir needs --sink");
    }
    if (!(speed > 0) || speed > 1000) {
      throw usage("--speed must be > 0 and <= 1000, was " + speed);
    }
    if (partitions < 1 || partitions > 64) {
      throw usage("--partitions must be 1..64, was " + partitions);
    }
    policy = PolicyFile.load(spec, policyFile); // a bad policy fails before anything starts
    shadowPolicy = shadowPolicyFile == null ? null : PolicyFile.load(spec, shadowPolicyFile);
    checkOut();
  }

  /** {@code --out} must be a folder that can be made now: the run's files go there at the end. */
  private void checkOut() {
    if (out == null) {
      return;
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw usage("--out: " + out + " is a file, not a folder");
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw usage("--out: cannot create folder " + out + ": " + Errors.describe(e));
    }
    if (!Files.isWritable(out)) {
      throw usage("--out: folder " + out + " is not writable");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * The progress lines and the summary say what happened, and a role that stops is reported in one
   * line: keep the per-record logs and Kafka's own (with their stack traces) out unless -v.
   */
  private static void quietLogs() {
    Configurator.setLevel("io.gpuward", Level.WARN);
    Configurator.setLevel("io.gpuward.engine.RunningStreams", Level.OFF);
    Configurator.setLevel("org.apache.kafka", Level.OFF);
    Configurator.setLevel("kafka", Level.OFF);
    Configurator.setLevel("org.hibernate", Level.ERROR);
    // The simulated world's HTTP servers and the meter binders warn about a busy machine and a
    // client's meters bound twice: nothing a demo user acts on.
    Configurator.setLevel("io.vertx", Level.ERROR);
    Configurator.setLevel("io.micrometer", Level.ERROR);
  }

  private int run(
      PrintStream o,
      Scenario scenario,
      Duration simDuration,
      Instant start,
      InstanceTypeCatalog types,
      Path work)
      throws Exception {
    t0Nanos = System.nanoTime();
    o.printf(
        "gpuward demo: scenario '%s', %s simulated at %sx from %s, %s%n",
        scenario.name(),
        Durations.format(simDuration),
        DemoFormat.speed(speed),
        start,
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
      Platform platform =
          Platform.connect(cfg, true, c -> c.withPartitions(partitions).withUnlimitedRetention());
      platform.registerSchemas(KafkaRole.SIMULATOR, KafkaRole.ENGINE, KafkaRole.REMEDIATOR);
      Stack stack = new Stack(cfg, platform.topics(), MetricsOptions.registry("demo"));
      try (DemoSink sinks =
          sink
              ? DemoSink.start(
                  o, kafka.bootstrapServers(), registry.url(), platform.topics(), sinkDir)
              : null) {
        return runRoles(o, stack, scenario, simDuration, start, types, sinks);
      }
    }
  }

  private int runRoles(
      PrintStream o,
      Stack stack,
      Scenario scenario,
      Duration simDuration,
      Instant start,
      InstanceTypeCatalog types,
      DemoSink sinks)
      throws Exception {
    GpuwardConfig cfg = stack.cfg();
    RuleCatalog rules = RuleCatalog.load();
    Duration startTimeout = Duration.ofSeconds(60);
    try (EngineService engine =
            EngineService.start(
                cfg,
                stack.topics(),
                rules,
                types,
                stack.meters(),
                Clock.systemUTC(),
                startTimeout);
        RollupService rollup =
            RollupService.start(cfg, stack.topics(), RollupSettings.DEFAULT, startTimeout)) {
      o.printf("  verdict engine %s (rules %s)%n", engine.state(), rules.version());
      // One timeline for the fleet, the simulated cluster and the remediator, never ahead of the
      // wall clock: Kafka and the engine refuse event times in the future.
      // Held at the start until the world's nodes are registered and the watcher has sent their
      // inventory, as a watcher running for a while has.
      SimClock clock = SimClock.heldNotAfter(start, speed, Clock.systemUTC());
      SimulatedCluster cluster = new SimulatedCluster(clock);
      Planner planner = new Planner(policy);
      try (TelemetryPublisher publisher =
              new TelemetryPublisher(cfg.kafkaClientProps(), stack.topics(), "gpuward-demo-sim");
          AutoCloseable producerMetrics = publisher.bindMetrics(stack.meters());
          SimulatedWorld world =
              SimulatedWorld.start(
                  cluster, clock, cfg.kafkaClientProps(), stack.topics(), types, stack.meters());
          RemediatorService remediator =
              new RemediatorService(
                  cfg.kafkaClientProps(),
                  stack.topics(),
                  audit ->
                      new Remediation(
                          planner,
                          world.clusterActuator(),
                          world.cloudActuator(),
                          audit,
                          clock,
                          cfg.dryRun(),
                          stack.meters()),
                  cfg.remediationGroupId(),
                  stack.meters());
          DemoObserver observer = new DemoObserver(cfg.kafkaClientProps(), stack.topics());
          MetricsServer server = startMetrics(stack, engine, remediator, o);
          DemoShadow shadowRole = DemoShadow.start(shadowPolicy, cfg, stack.topics(), clock)) {
        shadow = shadowRole;
        remediator.followEngine(cfg.engineApplicationId()).start();
        // The watcher publishes the inventory it reads from the simulated API and cloud; the
        // watcher and the nodes' exporters publish the NodeEvents they read from the API.
        FleetSimulator sim =
            new FleetSimulator(
                scenario,
                types,
                cluster,
                world.kubeletFeed(WorldOnly.of(publisher)),
                clock.start());
        sim.advanceTo(clock.start());
        world.startExporterWatches(publisher);
        world.startWatcher(
            cluster.nodes().stream().map(LiveNode::name).toList(), Duration.ofSeconds(60));
        clock.release();
        o.printf(
            "  fleet: %d nodes in %d node groups; remediation policy %s%n%n",
            scenario.nodeCount(), scenario.nodegroups().size(), policy.version());
        Roles roles = new Roles(engine, rollup, remediator);
        Optional<RoleWatch.Stopped> stopped =
            simulate(o, stack, sim, clock, simDuration, roles, publisher, observer);
        return finish(o, clock, cluster, simDuration, observer, sinks, stopped);
      }
    }
  }

  private MetricsServer startMetrics(
      Stack stack, EngineService engine, RemediatorService remediator, PrintStream o) {
    return metrics.start(
        "demo",
        MetricsOptions.DEMO,
        stack.meters(),
        HealthCheck.all(
            Map.of(
                "engine",
                RoleHealth.streams(engine::state),
                "remediator",
                new ProgressCheck(
                    "verdict polls", remediator::polls, Duration.ofSeconds(60), Clock.systemUTC()),
                "remediator-state",
                RoleHealth.alive("control and inventory reader", remediator::stateReaderAlive))),
        o::println);
  }

  /**
   * Runs the simulation while watching every role, then lets the engine and the remediator finish
   * what the last ticks caused. Returns the first role that stopped, if one did.
   */
  private Optional<RoleWatch.Stopped> simulate(
      PrintStream o,
      Stack stack,
      FleetSimulator sim,
      SimClock clock,
      Duration simDuration,
      Roles roles,
      TelemetryPublisher publisher,
      DemoObserver observer)
      throws InterruptedException {
    GpuwardConfig cfg = stack.cfg();
    try (SimulationRunner runner = SimulationRunner.realTime(sim, clock, simDuration);
        LagProbe probe = new LagProbe(cfg.kafkaClientProps());
        RoleWatch watch = watch(roles, runner)) {
      DemoLags lags =
          new DemoLags(probe, cfg, stack.topics(), clock, () -> sim.lastTick().orElse(sim.start()));
      runner.start();
      hook.running(roles);
      Optional<RoleWatch.Stopped> stopped = follow(o, runner, observer, watch, lags);
      if (stopped.isEmpty()) {
        publisher.flush();
        stopped = settle(roles.remediator(), observer, watch, lags);
      }
      watch.closing();
      if (stopped.isEmpty()) {
        quiesce(roles, observer);
      }
      return stopped;
    }
  }

  /**
   * Stops the roles that write outputs, then reads to the end of every output topic, so that the
   * summary, the jsonl files and the sink tables all hold the same records: the engine's wall-clock
   * punctuation (held verdicts released) would otherwise write after the summary was taken.
   */
  private static void quiesce(Roles roles, DemoObserver observer) throws InterruptedException {
    roles.remediator().close();
    roles.engine().close();
    if (!observer.awaitEnd(Duration.ofSeconds(15))) {
      log.warn("the demo's reader did not reach the end of the output topics within 15 s");
    }
  }

  private RoleWatch watch(Roles roles, SimulationRunner runner) {
    RoleWatch watch = new RoleWatch();
    watch.awaitStop("verdict engine", roles.engine()::awaitStop);
    watch.awaitStop("telemetry rollup", roles.rollup()::awaitStop);
    watch.check(
        "remediator",
        new ProgressCheck(
            "verdict polls", roles.remediator()::polls, REMEDIATOR_SILENCE, Clock.systemUTC()));
    watch.check(
        "simulator",
        () ->
            runner
                .progress()
                .failure()
                .map(f -> Health.down("failed: " + Errors.describe(f)))
                .orElse(Health.UP));
    return watch;
  }

  /** Prints progress until the simulation ends or a role stops. */
  private Optional<RoleWatch.Stopped> follow(
      PrintStream o, SimulationRunner runner, DemoObserver observer, RoleWatch watch, DemoLags lags)
      throws InterruptedException {
    while (true) {
      boolean done = awaitTicks(runner, watch);
      DemoLags.Now now = lags.measure();
      now.report(watch, speed, MAX_WALL_LAG);
      Optional<RoleWatch.Stopped> stopped = watch.stopped();
      if (done || stopped.isPresent()) {
        progress(o, runner.progress(), observer, now);
        return stopped;
      }
      progress(o, runner.progress(), observer, now);
    }
  }

  /** Waits one progress period for the simulation; true when it ended (or failed). */
  private static boolean awaitTicks(SimulationRunner runner, RoleWatch watch)
      throws InterruptedException {
    try {
      return runner.awaitCompletion(PROGRESS_EVERY);
    } catch (IllegalStateException e) {
      watch.stopped(
          "simulator", "failed: " + Errors.describe(e.getCause() == null ? e : e.getCause()));
      return true;
    }
  }

  /**
   * Lets the engine and the remediator finish what the last ticks caused: until the engine has
   * committed every input, the remediator has handled every verdict and no output came for 2 s. An
   * engine that does not catch up within {@link #MAX_WALL_LAG} stopped the run short.
   */
  private Optional<RoleWatch.Stopped> settle(
      RemediatorService remediator, DemoObserver observer, RoleWatch watch, DemoLags lags)
      throws InterruptedException {
    long t0 = System.nanoTime();
    long quietDeadline = t0 + Duration.ofSeconds(15).toNanos();
    long hardDeadline = t0 + MAX_WALL_LAG.toNanos();
    while (true) {
      DemoLags.Now now = lags.measure();
      Optional<RoleWatch.Stopped> stopped = watch.stopped();
      if (stopped.isPresent()) {
        return stopped;
      }
      boolean engineDone = now.engine().filter(Duration::isZero).isPresent();
      boolean quiet =
          observer.quietFor().compareTo(Duration.ofSeconds(2)) >= 0 && remediator.idle();
      long t = System.nanoTime();
      if (engineDone && (quiet || t > quietDeadline)) {
        return Optional.empty();
      }
      if (t > hardDeadline) {
        watch.stopped(
            "verdict engine",
            "did not catch up within "
                + Durations.format(MAX_WALL_LAG)
                + " after the simulation ended ("
                + DemoLags.format(now.engine())
                + " behind)");
        return watch.stopped();
      }
      Thread.sleep(200);
    }
  }

  private int finish(
      PrintStream o,
      SimClock clock,
      SimulatedCluster cluster,
      Duration simDuration,
      DemoObserver observer,
      DemoSink sinks,
      Optional<RoleWatch.Stopped> stopped)
      throws Exception {
    if (stopped.isPresent()) {
      o.printf(
          "%nINCOMPLETE: %s; %s of %s simulated. The results below cover only what happened"
              + " before.%n",
          stopped.get().line(), Durations.format(clock.elapsed()), Durations.format(simDuration));
    } else {
      o.printf(
          "%ndone: %s simulated in %.1fs wall; cluster: %d reboot(s), %d replacement(s), %d GPU"
              + " reset(s)%n",
          Durations.format(simDuration),
          (System.nanoTime() - t0Nanos) / 1e9,
          cluster.reboots(),
          cluster.replacements(),
          cluster.gpuResets());
    }
    DemoReport.print(
        o,
        clock.start(),
        observer.verdicts(),
        observer.incidents(),
        observer.audit(),
        observer.deadLetters());
    writeOut(o, observer, cluster);
    if (stopped.isEmpty()) {
      shadow.report(o, clock.start(), out);
    }
    outputs.accept(
        new Outputs(
            clock.start(),
            observer.verdicts(),
            observer.incidents(),
            observer.audit(),
            stopped.isEmpty()));
    if (stopped.isPresent()) {
      throw new RoleStoppedException(stopped.get().line());
    }
    if (sinks != null) {
      sinks.awaitLanded(observer.verdicts(), observer.audit(), Duration.ofSeconds(30));
      sinks.report(o);
      sinks.holdIfInteractive(o);
    }
    return 0;
  }

  private void writeOut(PrintStream o, DemoObserver observer, SimulatedCluster cluster)
      throws IOException {
    if (out == null) {
      return;
    }
    DemoReport.writeJsonl(out.resolve("verdicts.jsonl"), observer.verdicts());
    DemoReport.writeJsonl(out.resolve("incidents.jsonl"), observer.incidents());
    DemoReport.writeJsonl(out.resolve("audit.jsonl"), observer.audit());
    DemoReport.writeJsonl(out.resolve("inventory.jsonl"), observer.inventory());
    DemoReport.writeJsonl(out.resolve("control.jsonl"), observer.control());
    DemoReport.writeWorldActions(out.resolve("world-actions.jsonl"), cluster.actions());
    o.printf(
        "%n  wrote %s/{verdicts,incidents,audit,inventory,control,world-actions}.jsonl%n", out);
  }

  private static void progress(
      PrintStream o, SimulationRunner.Progress p, DemoObserver obs, DemoLags.Now lags) {
    var verdicts = obs.verdicts();
    long open =
        verdicts.stream().map(v -> v.getVerdictId()).distinct().count()
            - verdicts.stream().filter(v -> v.getState().name().equals("CLEARED")).count();
    var audit = obs.audit();
    long acted = audit.stream().filter(r -> r.getOutcome().name().equals("SUCCEEDED")).count();
    o.printf(
        Locale.ROOT,
        "  [%6s %3.0f%%] samples %,d  xids %,d  kube events %,d | verdicts %d (open %d) | audit %d"
            + " (%d steps done) | %s%n",
        Durations.format(p.simulatedElapsed()),
        p.fraction() * 100,
        p.records().gpuSamples(),
        p.records().xidEvents(),
        p.records().nodeEvents(),
        verdicts.size(),
        open,
        audit.size(),
        acted,
        lags.line());
  }

  private static void deleteRecursively(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      // best effort: it is a temp dir
    }
  }
}
