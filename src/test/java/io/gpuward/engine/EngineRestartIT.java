package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.VerdictState;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.testing.Eventually;
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
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on the real broker across a restart that also loses its local state: open verdicts
 * come back from the changelogs, so recovery after the restart clears the same verdict, and nothing
 * is emitted twice. Nodes spread over partitions exercise the joins on every task.
 */
class EngineRestartIT {
  @TempDir Path first;
  @TempDir Path second;

  @Test
  void shouldLoseNoVerdictAcrossARestartWithFreshLocalState() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    var registry = new InMemorySchemaRegistry();
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("restart") + ".").withPartitions(3),
            new AvroSerdes(registry, true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    String app = TestNames.unique("engine");
    Instant t = Instant.now();
    List<String> nodes =
        List.of("p5-train-0", "p5-train-1", "p5-train-2", "p5-train-3", "p5-train-4");
    try (var producer =
        new KafkaProducer<String, SpecificRecord>(
            Map.of("bootstrap.servers", bootstrap),
            new StringSerializer(),
            (topic, v) ->
                topic.equals(topics.xid.name())
                    ? topics
                        .xid
                        .valueSerde()
                        .serializer()
                        .serialize(topic, (io.gpuward.avro.XidEvent) v)
                    : topics
                        .kubeEvents
                        .valueSerde()
                        .serializer()
                        .serialize(topic, (NodeEvent) v))) {
      try (EngineService engine = start(bootstrap, topics, app, first)) {
        for (String n : nodes) {
          producer.send(new ProducerRecord<>(topics.kubeEvents.name(), n, notReady(n, t)));
          producer.send(
              new ProducerRecord<>(topics.xid.name(), n, xid(n, 79, "GPU-" + n, t.plusSeconds(5))));
        }
        producer.flush();
        awaitVerdicts(bootstrap, topics, 2 * nodes.size()); // GPU_LOST + NODE_NOT_READY_GPU each
      }
      // The restarted engine has an empty state dir: it must restore from the changelogs.
      try (EngineService engine = start(bootstrap, topics, app, second)) {
        for (String n : nodes) {
          producer.send(
              new ProducerRecord<>(
                  topics.kubeEvents.name(), n, rebooted(n, "boot-2", t.plusSeconds(60))));
        }
        producer.flush();
        List<FaultVerdict> all = awaitVerdicts(bootstrap, topics, 4 * nodes.size());
        for (String n : nodes) {
          List<FaultVerdict> lost =
              all.stream()
                  .filter(v -> v.getNode().equals(n) && v.getFaultClass() == FaultClass.GPU_LOST)
                  .toList();
          assertThat(lost)
              .extracting(FaultVerdict::getState)
              .as(n)
              .containsExactly(VerdictState.OPEN, VerdictState.CLEARED);
          assertThat(lost.get(1).getVerdictId()).isEqualTo(lost.get(0).getVerdictId());
          assertThat(
                  all.stream()
                      .filter(
                          v ->
                              v.getNode().equals(n)
                                  && v.getFaultClass() == FaultClass.NODE_NOT_READY_GPU))
              .as("NotReady joined with the XID on %s's partition", n)
              .extracting(FaultVerdict::getState)
              .containsExactly(VerdictState.OPEN, VerdictState.CLEARED);
        }
      }
    }
  }

  private static NodeEvent notReady(String node, Instant at) {
    return NodeEvent.newBuilder()
        .setEventId(node + "-nr-" + at.toEpochMilli())
        .setNode(node)
        .setKind(NodeEventKind.CONDITION_CHANGED)
        .setEventTime(at)
        .setSource("kubelet")
        .setConditionType("Ready")
        .setConditionStatus("False")
        .setReason("KubeletNotReady")
        .setLabels(Map.of())
        .build();
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

  private static List<FaultVerdict> awaitVerdicts(String bootstrap, Topics topics, int n) {
    List<FaultVerdict> out = new ArrayList<>();
    try (var c =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                TestNames.unique("verdict-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            topics.verdicts.valueSerde().deserializer())) {
      c.subscribe(List.of(topics.verdicts.name()));
      Eventually.await(
          Duration.ofSeconds(60),
          () -> {
            c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            assertThat(out).hasSizeGreaterThanOrEqualTo(n);
          });
    }
    // Nothing more arrives: no verdict was emitted twice.
    out.sort(java.util.Comparator.comparing(FaultVerdict::getUpdatedAt));
    assertThat(out).hasSize(n);
    return out;
  }
}
