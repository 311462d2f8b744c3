package io.gpuward.cli;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.ops.ConfigMask;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Connection options every Kafka-facing role shares; flags override the config file. */
final class KafkaOptions {
  private static final Logger log = LoggerFactory.getLogger(KafkaOptions.class);

  @Option(
      names = {"-b", "--bootstrap-servers"},
      paramLabel = "HOST:PORT",
      description =
          "Kafka bootstrap servers (default: bootstrap.servers from --config, else"
              + " 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(
      names = {"-r", "--registry-url"},
      paramLabel = "URL",
      description =
          "Confluent-compatible schema registry (default: schema.registry.url from --config,"
              + " else http://127.0.0.1:8081).")
  String registryUrl;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      description =
          "Prefix for every gpuward topic (default: topic.prefix from --config, else none).")
  String topicPrefix;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Properties file with gpuward settings (see README, Configuration).")
  Path configFile;

  @Option(
      names = {"-D", "--set"},
      paramLabel = "KEY=VALUE",
      description =
          "Set one setting, e.g. -D kafka.security.protocol=SSL. Repeatable. Secrets belong in"
              + " files or the environment: config.providers=file,env with"
              + " ${file:PATH:KEY} / ${env:NAME} values (see README, Security).")
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
    if (bootstrapServers != null) {
      values.put(GpuwardConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    if (registryUrl != null) {
      values.put(GpuwardConfig.REGISTRY_URL, registryUrl);
    }
    if (topicPrefix != null) {
      values.put(GpuwardConfig.TOPIC_PREFIX, topicPrefix);
    }
    values.putAll(overrides);
    log.info("settings: {}", ConfigMask.masked(values));
    return new GpuwardConfig(values);
  }
}
