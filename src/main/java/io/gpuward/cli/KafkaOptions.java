package io.gpuward.cli;

import io.gpuward.config.GpuwardConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Connection options every Kafka-facing role shares; flags override the config file. */
final class KafkaOptions {

  @Option(
      names = {"-b", "--bootstrap-servers"},
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).",
      defaultValue = "127.0.0.1:9092")
  String bootstrapServers;

  @Option(
      names = {"-r", "--registry-url"},
      paramLabel = "URL",
      description = "Confluent-compatible schema registry (default: ${DEFAULT-VALUE}).",
      defaultValue = "http://127.0.0.1:8081")
  String registryUrl;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      description = "Prefix for every gpuward topic (default: none).",
      defaultValue = "")
  String topicPrefix;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Properties file with gpuward settings (see README, Configuration).")
  Path configFile;

  @Option(
      names = {"-D", "--set"},
      paramLabel = "KEY=VALUE",
      description = "Set one setting, e.g. -D kafka.security.protocol=SSL. Repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** The typed config: file, then flags, then -D overrides. Fails naming the bad key. */
  GpuwardConfig config(Map<String, Object> roleDefaults) {
    Map<String, Object> values = new HashMap<>(roleDefaults);
    if (configFile != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(configFile)) {
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read config file " + configFile, e);
      }
      p.forEach((k, v) -> values.put(k.toString(), v));
    }
    values.put(GpuwardConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    values.put(GpuwardConfig.REGISTRY_URL, registryUrl);
    values.put(GpuwardConfig.TOPIC_PREFIX, topicPrefix);
    values.putAll(overrides);
    return new GpuwardConfig(values);
  }
}
