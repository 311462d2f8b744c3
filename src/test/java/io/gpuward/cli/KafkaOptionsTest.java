package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.engine.EngineService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Settings precedence (file, then flags, then -D) and the pass-through of TLS/SASL settings to
 * every kind of Kafka client: producer, consumer, admin, and Streams' own clients.
 */
class KafkaOptionsTest {
  @TempDir Path dir;

  static KafkaOptions parse(String... args) {
    KafkaOptions o = new KafkaOptions();
    new CommandLine(o).parseArgs(args);
    return o;
  }

  Path file() throws Exception {
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(secrets.resolve("sasl.jaas.config"), "JAAS-FROM-FILE");
    Path f = dir.resolve("gpuward.properties");
    Files.writeString(
        f,
        String.join(
            "\n",
            "bootstrap.servers=b-1.msk:9096",
            "schema.registry.url=https://registry:8081",
            "config.providers=dir",
            "config.providers.dir.class="
                + "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
            "kafka.security.protocol=SASL_SSL",
            "kafka.sasl.mechanism=SCRAM-SHA-512",
            "kafka.sasl.jaas.config=${dir:" + secrets + ":sasl.jaas.config}",
            "kafka.ssl.truststore.location=/etc/tls/truststore.p12",
            ""));
    return f;
  }

  @Test
  void shouldTakeTheFileThenFlagsThenOverrides() throws Exception {
    Path f = file();
    GpuwardConfig fromFile = parse("-c", f.toString()).config(Map.of());
    assertThat(fromFile.bootstrapServers()).isEqualTo("b-1.msk:9096");
    assertThat(fromFile.registryUrl()).isEqualTo("https://registry:8081");

    GpuwardConfig flagged =
        parse("-c", f.toString(), "-b", "other:9092", "-D", "kafka.sasl.mechanism=PLAIN")
            .config(Map.of());
    assertThat(flagged.bootstrapServers()).isEqualTo("other:9092");
    assertThat(flagged.kafkaClientProps()).containsEntry("sasl.mechanism", "PLAIN");

    GpuwardConfig none = parse().config(Map.of());
    assertThat(none.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(none.registryUrl()).isEqualTo("http://127.0.0.1:8081");
  }

  @Test
  void shouldPassSecuritySettingsToEveryKindOfClient() throws Exception {
    GpuwardConfig cfg = parse("-c", file().toString()).config(Map.of());
    Map<String, Object> client = cfg.kafkaClientProps();
    Map<String, Object> expected =
        Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "JAAS-FROM-FILE",
            "ssl.truststore.location", "/etc/tls/truststore.p12");

    // plain clients (remediator, exporter, simulator, admin) take kafkaClientProps as they are
    var producer = new ProducerConfig(withSerdes(client, true));
    var consumer = new ConsumerConfig(withSerdes(client, false));
    var admin = new AdminClientConfig(client);
    for (var c : java.util.List.of(producer, consumer, admin)) {
      assertThat(c.getString("security.protocol")).isEqualTo("SASL_SSL");
      assertThat(c.getString("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
      assertThat(c.getPassword("sasl.jaas.config").value()).isEqualTo("JAAS-FROM-FILE");
      assertThat(c.getString("ssl.truststore.location")).isEqualTo("/etc/tls/truststore.p12");
    }

    // the engine: Streams hands them on to its consumers, producers and admin
    Properties streamsProps =
        EngineService.properties(
            cfg,
            new io.gpuward.contract.Topics(
                io.gpuward.contract.TopicCatalog.load(""),
                new io.gpuward.contract.AvroSerdes(
                    new io.gpuward.contract.InMemorySchemaRegistry(), true)),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            Clock.systemUTC());
    StreamsConfig streams = new StreamsConfig(streamsProps);
    for (Map<String, Object> c :
        java.util.List.of(
            streams.getMainConsumerConfigs("g", "c", 0),
            streams.getRestoreConsumerConfigs("c"),
            streams.getProducerConfigs("p"),
            streams.getAdminConfigs("a"))) {
      assertThat(c).containsAllEntriesOf(expected);
    }
  }

  private static Map<String, Object> withSerdes(Map<String, Object> props, boolean producer) {
    Map<String, Object> m = new java.util.HashMap<>(props);
    if (producer) {
      m.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
      m.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
    } else {
      m.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
      m.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
    }
    return m;
  }
}
