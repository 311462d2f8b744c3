package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.contract.WireFormat;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.Readers;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on the real broker with the embedded registry over HTTP: telemetry in, framed Avro
 * verdicts out whose schema ids resolve, and poison records dead-lettered without stopping it.
 */
class EnginePipelineIT {

  @TempDir Path stateDir;

  @Test
  void shouldTurnTelemetryIntoFramedVerdictsAndDeadLetterPoison() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = TestNames.unique("pipeline") + ".";
    try (EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.startOnKafka(bootstrap, TestNames.unique("schemas"))) {
      var client = new RegistryClient(registry.url());
      Topics topics =
          new Topics(TopicCatalog.load(prefix).withPartitions(2), new AvroSerdes(client, true));
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
      }
      var cfg =
          new GpuwardConfig(
              Map.of(
                  GpuwardConfig.BOOTSTRAP_SERVERS, bootstrap,
                  GpuwardConfig.REGISTRY_URL, registry.url(),
                  GpuwardConfig.ENGINE_APPLICATION_ID, TestNames.unique("engine"),
                  GpuwardConfig.ENGINE_STATE_DIR, stateDir.toString()));
      var meters = new SimpleMeterRegistry();
      try (EngineService engine =
              EngineService.start(
                  cfg,
                  topics,
                  RuleCatalog.load(),
                  InstanceTypeCatalog.load(),
                  meters,
                  Clock.systemUTC(),
                  Duration.ofSeconds(60));
          var producer =
              new KafkaProducer<>(
                  Map.<String, Object>of("bootstrap.servers", bootstrap),
                  new StringSerializer(),
                  new ByteArraySerializer())) {
        Instant t = Instant.now();
        String xidTopic = topics.xid.name();
        send(
            producer,
            topics.inventory.name(),
            "cache-warm-0",
            topics
                .inventory
                .valueSerde()
                .serializer()
                .serialize(
                    topics.inventory.name(),
                    inventory(
                        "cache-warm-0", "m5.large", "bottlerocket-aws-k8s-1.32-nvidia-x86_64", t)));
        send(
            producer, xidTopic, "p5-train-1", "garbage, not avro".getBytes(StandardCharsets.UTF_8));
        send(producer, xidTopic, "p5-train-1", new byte[] {0, 0, 0, 0x30, 0x39, 2, 4, 6});
        send(
            producer,
            xidTopic,
            "p5-train-1",
            topics
                .xid
                .valueSerde()
                .serializer()
                .serialize(
                    xidTopic,
                    xid("p5-train-1", 119, "GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138", t)));
        producer.flush();

        List<byte[]> verdictBytes = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        try (var consumer = Readers.committed(bootstrap)) {
          consumer.subscribe(List.of(topics.verdicts.name(), topics.dlq.name()));
          Eventually.await(
              Duration.ofSeconds(60),
              () -> {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                  if (r.topic().equals(topics.verdicts.name())) {
                    verdictBytes.add(r.value());
                  } else {
                    dead.add(
                        topics.dlq.valueSerde().deserializer().deserialize(r.topic(), r.value()));
                  }
                }
                assertThat(verdictBytes).hasSize(2);
                assertThat(dead).hasSize(2);
              });
        }

        List<FaultClass> classes = new ArrayList<>();
        for (byte[] b : verdictBytes) {
          assertThat(b[0]).as("Confluent magic byte").isEqualTo((byte) 0);
          int id = WireFormat.schemaIdOf(b).orElseThrow();
          assertThat(client.schemaById(id).getFullName())
              .isEqualTo(FaultVerdict.getClassSchema().getFullName());
          classes.add(
              topics
                  .verdicts
                  .valueSerde()
                  .deserializer()
                  .deserialize(topics.verdicts.name(), b)
                  .getFaultClass());
        }
        assertThat(classes)
            .containsExactlyInAnyOrder(
                FaultClass.IMAGE_INSTANCE_MISMATCH, FaultClass.GPU_XID_FATAL);
        assertThat(dead)
            .allSatisfy(
                d -> {
                  assertThat(d.getKind()).isEqualTo(DeadLetterKind.DESERIALIZATION);
                  assertThat(d.getOriginalTopic()).isEqualTo(xidTopic);
                });
        assertThat(dead)
            .extracting(DeadLetter::getReason)
            .anySatisfy(r -> assertThat(r).contains("not Confluent-framed"))
            .anySatisfy(r -> assertThat(r).contains("unknown schema id 12345"));
        assertThat(client.subjects()).contains(topics.verdicts.spec().valueSubject());
      }
    }
  }

  private static void send(
      KafkaProducer<String, byte[]> p, String topic, String key, byte[] value) {
    p.send(new ProducerRecord<>(topic, key, value));
  }
}
