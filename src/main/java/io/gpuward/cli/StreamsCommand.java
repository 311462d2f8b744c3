package io.gpuward.cli;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.KafkaRole;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.RoleHealth;
import io.gpuward.ops.StartupTimeline;
import io.gpuward.rollup.RollupService;
import io.gpuward.rollup.RollupSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gpuward streams}: the verdict engine (Kafka Streams, exactly-once). */
@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description = {
      "Run the verdict engine: reads telemetry, kube events and inventory, writes verdicts and"
          + " node health. Next to it runs the telemetry rollup (per-GPU one-minute windows to"
          + " gpuward.telemetry.rollup.v1, application id <engine id>-rollup). Runs until stopped"
          + " (SIGTERM/Ctrl-C)."
    })
final class StreamsCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Mixin MetricsOptions metrics;

  @Option(
      names = "--rules",
      paramLabel = "DIR",
      description =
          "Folder with rules.yaml and the files it names (default: the rules in the jar).")
  Path rulesDir;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state store folder.")
  Path stateDir;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      description =
          "Streams application id (engine.application.id). The remediator must be given the same"
              + " id: its repairs wait for this engine's progress.")
  String applicationId;

  @Option(
      names = "--no-rollup",
      description = "Do not run the telemetry rollup next to the engine.")
  boolean noRollup;

  @Override
  public Integer call() throws Exception {
    StartupTimeline.begin("main");
    Map<String, Object> defaults = new HashMap<>();
    if (stateDir != null) {
      defaults.put(GpuwardConfig.ENGINE_STATE_DIR, stateDir.toString());
    }
    if (applicationId != null) {
      defaults.put(GpuwardConfig.ENGINE_APPLICATION_ID, applicationId);
    }
    GpuwardConfig cfg = kafka.config(defaults);
    RuleCatalog rules = rulesDir == null ? RuleCatalog.load() : RuleCatalog.load(rulesDir);
    Platform platform = Platform.connect(cfg, true);
    platform.registerSchemas(KafkaRole.ENGINE);
    var meters = MetricsOptions.registry("streams");
    var engineRef = new AtomicReference<EngineService>();
    try (MetricsServer server =
            metrics.start(
                "streams",
                MetricsOptions.STREAMS,
                meters,
                RoleHealth.streams(() -> engineRef.get() == null ? null : engineRef.get().state()),
                System.out::println);
        EngineService engine =
            EngineService.start(
                cfg,
                platform.topics(),
                rules,
                InstanceTypeCatalog.load(),
                meters,
                Clock.systemUTC(),
                Duration.ofSeconds(60));
        RollupService rollup =
            noRollup
                ? null
                : RollupService.start(
                    cfg,
                    platform.topics(),
                    RollupSettings.DEFAULT,
                    Duration.ofSeconds(60),
                    meters)) {
      engineRef.set(engine);
      Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "gpuward-engine-shutdown"));
      AtomicReference<Throwable> rollupFailure = new AtomicReference<>();
      if (rollup != null) {
        Runtime.getRuntime().addShutdownHook(new Thread(rollup::close, "gpuward-rollup-shutdown"));
        // A failed rollup stops the role too, so the orchestrator restarts it whole.
        Thread watcher =
            new Thread(
                () -> {
                  try {
                    Throwable f = rollup.awaitStop();
                    if (f != null) {
                      rollupFailure.set(f);
                      engine.close();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "gpuward-rollup-watch");
        watcher.setDaemon(true);
        watcher.start();
      }
      System.out.printf(
          "gpuward engine running: rules %s, application %s, broker %s%s%n",
          rules.version(),
          cfg.engineApplicationId(),
          cfg.bootstrapServers(),
          rollup == null ? "" : "; telemetry rollup " + RollupService.applicationId(cfg));
      Throwable failure = engine.awaitStop();
      if (failure != null) {
        throw new IllegalStateException("verdict engine stopped", failure);
      }
      if (rollupFailure.get() != null) {
        throw new IllegalStateException("telemetry rollup stopped", rollupFailure.get());
      }
    }
    return 0;
  }
}
