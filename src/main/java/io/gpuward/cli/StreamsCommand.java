package io.gpuward.cli;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.RoleHealth;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gpuward streams}: the verdict engine (Kafka Streams, exactly-once). */
@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description = {
      "Run the verdict engine: reads telemetry, kube events and inventory, writes verdicts and"
          + " node health. Runs until stopped (SIGTERM/Ctrl-C)."
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

  @Option(names = "--application-id", paramLabel = "ID", description = "Streams application id.")
  String applicationId;

  @Override
  public Integer call() throws Exception {
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
    var meters = MetricsServer.registry("streams");
    var engineRef = new java.util.concurrent.atomic.AtomicReference<EngineService>();
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
                Duration.ofSeconds(60))) {
      engineRef.set(engine);
      Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "gpuward-engine-shutdown"));
      System.out.printf(
          "gpuward engine running: rules %s, application %s, broker %s%n",
          rules.version(), cfg.engineApplicationId(), cfg.bootstrapServers());
      Throwable failure = engine.awaitStop();
      if (failure != null) {
        throw new IllegalStateException("verdict engine stopped", failure);
      }
    }
    return 0;
  }
}
