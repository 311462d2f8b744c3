package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.inventory;
import static io.gpuward.engine.EngineFixtures.xid;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.Topic;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.Garbage;
import io.gpuward.testing.Readers;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An undecodable input record's dead letter and the committed offset past it are one transaction:
 * once the dead letter is visible to a {@code read_committed} reader, the engine's group has
 * committed past the record, even when no record follows it on its partition. So an engine killed
 * at any moment after that commit never reads the record again, and a restart does not dead-letter
 * it twice.
 */
class EngineDeadLetterOffsetIT {
  private static final String NODE = "p5-train-1";
  private static final String OTHER = "p5-train-2";
  private static final String GPU = "GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138";

  @TempDir Path first;
  @TempDir Path second;

  @Test
  void shouldCommitPastAnUndecodableRecordWithItsDeadLetterSoARestartDoesNotRepeatIt()
      throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("dlq-offset") + ".").withPartitions(1),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    String app = TestNames.unique("engine");
    Instant t = Instant.now();
    try (var producer = producer(bootstrap);
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      long poison;
      try (EngineService engine = start(bootstrap, topics, app, first)) {
        for (String node : List.of(NODE, OTHER)) {
          send(
              producer, topics.inventory, node, inventory(node, "p5.48xlarge", "al2023-nvidia", t));
        }
        // The poison record is the first record its partition gives the task, and its last.
        poison =
            producer
                .send(
                    new ProducerRecord<>(topics.xid.name(), NODE, Garbage.unknownId(new Random(5))))
                .get()
                .offset();
        awaitDeadLetters(bootstrap, topics, 1);

        OffsetAndMetadata committed =
            admin
                .listConsumerGroupOffsets(app)
                .partitionsToOffsetAndMetadata()
                .get()
                .get(new TopicPartition(topics.xid.name(), 0));
        assertThat(committed).isNotNull();
        assertThat(committed.offset()).isGreaterThan(poison);
      }
      try (EngineService engine = start(bootstrap, topics, app, second)) {
        send(producer, topics.xid, OTHER, xid(OTHER, 79, GPU, t.plusSeconds(1)));
        awaitVerdicts(bootstrap, topics, 1);
      }
      List<DeadLetter> dead = awaitDeadLetters(bootstrap, topics, 1);
      assertThat(dead)
          .extracting(DeadLetter::getKind, DeadLetter::getOriginalOffset)
          .containsExactly(Tuple.tuple(DeadLetterKind.DESERIALIZATION, poison));
    }
  }

  /** Every committed dead letter, once at least {@code n} are there and nothing more comes. */
  private static List<DeadLetter> awaitDeadLetters(String bootstrap, Topics topics, int n) {
    List<DeadLetter> out = new ArrayList<>();
    try (var c = Readers.committed(bootstrap)) {
      c.subscribe(List.of(topics.dlq.name()));
      Eventually.await(
          Duration.ofSeconds(60),
          () -> {
            for (var r : c.poll(Duration.ofMillis(200))) {
              out.add(topics.dlq.valueSerde().deserializer().deserialize(r.topic(), r.value()));
            }
            assertThat(out).hasSizeGreaterThanOrEqualTo(n);
          });
      for (var r : c.poll(Duration.ofSeconds(1))) {
        out.add(topics.dlq.valueSerde().deserializer().deserialize(r.topic(), r.value()));
      }
    }
    return out;
  }

  private static void awaitVerdicts(String bootstrap, Topics topics, int n) {
    List<FaultVerdict> out = new ArrayList<>();
    try (var c = Readers.committed(bootstrap)) {
      c.subscribe(List.of(topics.verdicts.name()));
      Eventually.await(
          Duration.ofSeconds(60),
          () -> {
            for (var r : c.poll(Duration.ofMillis(200))) {
              out.add(
                  topics.verdicts.valueSerde().deserializer().deserialize(r.topic(), r.value()));
            }
            assertThat(out).hasSize(n);
          });
    }
  }

  private static <V extends SpecificRecord> void send(
      KafkaProducer<String, byte[]> p, Topic<V> topic, String key, V value) throws Exception {
    p.send(
            new ProducerRecord<>(
                topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value)))
        .get();
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.<String, Object>of("bootstrap.servers", bootstrap),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  private static EngineService start(String bootstrap, Topics topics, String app, Path stateDir) {
    var cfg =
        new GpuwardConfig(
            Map.of(
                GpuwardConfig.BOOTSTRAP_SERVERS, bootstrap,
                GpuwardConfig.ENGINE_APPLICATION_ID, app,
                GpuwardConfig.ENGINE_STATE_DIR, stateDir.toString()));
    return EngineService.start(
        cfg,
        topics,
        RuleCatalog.load(),
        InstanceTypeCatalog.load(),
        new SimpleMeterRegistry(),
        Clock.systemUTC(),
        Duration.ofSeconds(60));
  }
}
