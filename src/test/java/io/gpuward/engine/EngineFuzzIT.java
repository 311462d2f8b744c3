package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.inventory;
import static io.gpuward.engine.EngineFixtures.rebooted;
import static io.gpuward.engine.EngineFixtures.sample;
import static io.gpuward.engine.EngineFixtures.xid;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.VerdictState;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.Topic;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.Garbage;
import io.gpuward.testing.Garbage.Crafted;
import io.gpuward.testing.Readers;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad record on every engine input, on a real broker with the registry over HTTP:
 * each is dead-lettered exactly once with the kind it deserves, nothing else is, the engine never
 * stops, and a real fault sent after the garbage still gets its verdict. {@code -Dfuzz.rounds=N}
 * and {@code -Dfuzz.unknownIds=N} scale it up (CI runs 2 rounds and 2,000 distinct unknown ids).
 */
class EngineFuzzIT {
  private static final String NODE = "p5-train-1";
  private static final String OTHER = "p5-train-2";
  private static final String GPU = "GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138";
  private static final int ROUNDS = Integer.getInteger("fuzz.rounds", 2);
  private static final int UNKNOWN_IDS = Integer.getInteger("fuzz.unknownIds", 2000);

  @TempDir Path stateDir;

  private record Sent(String topic, int partition, long offset) {}

  @Test
  void shouldDeadLetterEveryCraftedRecordOnceAndKeepProducingVerdicts() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = TestNames.unique("fuzz") + ".";
    try (EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.startOnKafka(bootstrap, TestNames.unique("schemas"))) {
      Topics topics =
          new Topics(
              TopicCatalog.load(prefix).withPartitions(2),
              new AvroSerdes(new RegistryClient(registry.url()), true));
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
      }
      var meters = new SimpleMeterRegistry();
      try (EngineService engine = start(bootstrap, registry.url(), topics, meters);
          var producer = producer(bootstrap)) {
        long now = System.currentTimeMillis();
        Instant t = Instant.ofEpochMilli(now);
        for (String node : List.of(NODE, OTHER)) {
          send(
              producer, topics.inventory, node, inventory(node, "p5.48xlarge", "al2023-nvidia", t));
        }
        send(producer, topics.xid, NODE, xid(NODE, 79, GPU, t));
        Map<Sent, Crafted> garbage = sendGarbage(producer, topics, now);
        send(producer, topics.xid, OTHER, xid(OTHER, 79, GPU, t.plusSeconds(1)));
        producer.flush();

        Map<Sent, DeadLetter> dead = new HashMap<>();
        List<FaultVerdict> verdicts = new ArrayList<>();
        readUntil(bootstrap, topics, dead, verdicts, garbage.size());

        assertThat(dead.keySet()).containsExactlyInAnyOrderElementsOf(garbage.keySet());
        garbage.forEach(
            (sent, crafted) -> {
              DeadLetter d = dead.get(sent);
              assertThat(d.getKind())
                  .as(crafted.label() + " on " + sent.topic())
                  .isEqualTo(crafted.expected());
              assertThat(d.getReason()).as(crafted.label()).isNotBlank().hasSizeLessThan(2000);
            });
        assertThat(verdicts)
            .extracting(FaultVerdict::getNode, FaultVerdict::getFaultClass, FaultVerdict::getState)
            .containsExactlyInAnyOrder(
                Tuple.tuple(NODE, FaultClass.GPU_LOST, VerdictState.OPEN),
                Tuple.tuple(OTHER, FaultClass.GPU_LOST, VerdictState.OPEN));
        assertThat(engine.state()).isEqualTo(KafkaStreams.State.RUNNING);
        double counted =
            meters.find(EngineMetrics.DEAD_LETTERS).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
        assertThat(counted).isEqualTo(garbage.size());
      }
    }
  }

  private Map<Sent, Crafted> sendGarbage(
      KafkaProducer<String, byte[]> producer, Topics topics, long now) throws Exception {
    Random random = new Random(Long.getLong("fuzz.seed", 11L));
    List<Map.Entry<String, Crafted>> all = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      for (Crafted c :
          Garbage.forStream(NODE, now, (n, at, odd) -> gpu(topics, n, at, odd), random)) {
        all.add(Map.entry(topics.gpu.name(), c));
      }
      for (Crafted c :
          Garbage.forStream(NODE, now, (n, at, odd) -> xidBytes(topics, n, at, odd), random)) {
        all.add(Map.entry(topics.xid.name(), c));
      }
      for (Crafted c :
          Garbage.forStream(NODE, now, (n, at, odd) -> event(topics, n, at, odd), random)) {
        all.add(Map.entry(topics.kubeEvents.name(), c));
      }
      byte[] inv =
          serialize(
              topics.inventory,
              inventory(NODE, "p5.48xlarge", "al2023-nvidia", Instant.ofEpochMilli(now)));
      for (Crafted c : Garbage.poison(NODE, inv, random)) {
        all.add(Map.entry(topics.inventory.name(), c));
      }
    }
    for (Crafted c : Garbage.unknownIds(UNKNOWN_IDS, i -> "p5-train-" + (i % 8), random)) {
      all.add(Map.entry(topics.gpu.name(), c));
    }
    Map<Sent, Crafted> sent = new HashMap<>();
    for (var e : all) {
      Crafted c = e.getValue();
      var meta =
          producer
              .send(
                  new ProducerRecord<>(
                      e.getKey(), null, System.currentTimeMillis(), c.key(), c.value()))
              .get();
      sent.put(new Sent(meta.topic(), meta.partition(), meta.offset()), c);
    }
    return sent;
  }

  private static void readUntil(
      String bootstrap,
      Topics topics,
      Map<Sent, DeadLetter> dead,
      List<FaultVerdict> verdicts,
      int expectedDead) {
    try (var consumer = Readers.committed(bootstrap)) {
      consumer.subscribe(List.of(topics.verdicts.name(), topics.dlq.name()));
      Eventually.await(
          Duration.ofSeconds(120),
          () -> {
            for (var r : consumer.poll(Duration.ofMillis(200))) {
              if (r.topic().equals(topics.verdicts.name())) {
                verdicts.add(
                    topics.verdicts.valueSerde().deserializer().deserialize(r.topic(), r.value()));
              } else {
                DeadLetter d =
                    topics.dlq.valueSerde().deserializer().deserialize(r.topic(), r.value());
                Sent at =
                    new Sent(d.getOriginalTopic(), d.getOriginalPartition(), d.getOriginalOffset());
                assertThat(dead.put(at, d)).as("dead-lettered twice: " + at).isNull();
              }
            }
            assertThat(dead).hasSize(expectedDead);
            assertThat(verdicts).hasSize(2);
          });
    }
  }

  private static byte[] gpu(Topics topics, String node, long at, boolean impossible) {
    return serialize(
        topics.gpu,
        sample(node, 0, GPU, impossible ? 644_245_923.0 : 45.0, Instant.ofEpochMilli(at)));
  }

  private static byte[] xidBytes(Topics topics, String node, long at, boolean impossible) {
    return serialize(
        topics.xid, xid(node, impossible ? 99_999 : 13, GPU, Instant.ofEpochMilli(at)));
  }

  private static byte[] event(Topics topics, String node, long at, boolean impossible) {
    NodeEvent e = rebooted(node, "boot-1", Instant.ofEpochMilli(at));
    if (impossible) {
      e = NodeEvent.newBuilder(e).setMessage("m".repeat(20_000)).build();
    }
    return serialize(topics.kubeEvents, e);
  }

  private static <V extends SpecificRecord> byte[] serialize(Topic<V> topic, V value) {
    return topic.valueSerde().serializer().serialize(topic.name(), value);
  }

  private static <V extends SpecificRecord> void send(
      KafkaProducer<String, byte[]> p, Topic<V> topic, String key, V value) {
    p.send(new ProducerRecord<>(topic.name(), key, serialize(topic, value)));
  }

  private EngineService start(
      String bootstrap, String registryUrl, Topics topics, SimpleMeterRegistry meters) {
    var cfg =
        new GpuwardConfig(
            Map.of(
                GpuwardConfig.BOOTSTRAP_SERVERS,
                bootstrap,
                GpuwardConfig.REGISTRY_URL,
                registryUrl,
                GpuwardConfig.ENGINE_APPLICATION_ID,
                TestNames.unique("engine"),
                GpuwardConfig.ENGINE_STATE_DIR,
                stateDir.toString()));
    return EngineService.start(
        cfg,
        topics,
        RuleCatalog.load(),
        InstanceTypeCatalog.load(),
        meters,
        Clock.systemUTC(),
        Duration.ofSeconds(60));
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.<String, Object>of("bootstrap.servers", bootstrap),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
