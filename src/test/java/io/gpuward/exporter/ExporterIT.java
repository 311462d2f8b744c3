package io.gpuward.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.contract.WireFormat;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter on the real broker: samples, XIDs and heartbeats from a fake dcgm-exporter and a
 * kernel log file arrive Confluent-framed on their topics, keyed by node.
 */
class ExporterIT {
  static final String NODE = "p5-train-3";
  static final String BOOT = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

  @TempDir Path dir;

  @Test
  void shouldPublishFramedSamplesXidsAndHeartbeatsKeyedByNode() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = TestNames.unique("exporter") + ".";
    var registry = new InMemorySchemaRegistry();
    Topics topics =
        new Topics(TopicCatalog.load(prefix).withPartitions(2), new AvroSerdes(registry, true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    Path kmsg = dir.resolve("kmsg");
    Files.writeString(
        kmsg,
        "6,1240,8123456,-;NVRM: GPU at PCI:0000:53:00: GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138\n"
            + "4,2050,912345678,-;NVRM: Xid (PCI:0000:53:00): 79, pid=123456, name=python3, GPU"
            + " has fallen off the bus.\n");

    ProducerFlow.State flow = new ProducerFlow.State();
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    props = ProducerFlow.install(props, flow);
    var identity = new NodeIdentity(NODE, BOOT, Instant.parse("2025-11-24T09:00:00Z"), false);

    try (var dcgm = new FakeDcgmExporter(Fixtures.text("dcgm/h100-8gpu-pods.prom"));
        var publisher = new TelemetryPublisher(props, topics, "exporter-it")) {
      var settings =
          new ExporterService.Settings(
              identity,
              dcgm.url(),
              Duration.ofMillis(500),
              Duration.ofSeconds(2),
              kmsg,
              Duration.ofMillis(500),
              1000,
              1000);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      try (var exporter =
              ExporterService.start(
                  settings,
                  publisher,
                  flow,
                  new SimpleMeterRegistry(),
                  Clock.systemUTC(),
                  List.of());
          var consumer = consumer(bootstrap)) {
        consumer.subscribe(List.of(topics.gpu.name(), topics.xid.name(), topics.kubeEvents.name()));
        Eventually.await(
            Duration.ofSeconds(60),
            () -> {
              consumer.poll(Duration.ofMillis(200)).forEach(records::add);
              assertThat(records.stream().filter(r -> r.topic().equals(topics.gpu.name())))
                  .hasSizeGreaterThanOrEqualTo(16);
              assertThat(records.stream().filter(r -> r.topic().equals(topics.xid.name())))
                  .hasSize(1);
              assertThat(records.stream().filter(r -> r.topic().equals(topics.kubeEvents.name())))
                  .isNotEmpty();
            });
        assertThat(flow.acknowledged()).isPositive();
        assertThat(exporter.stats().buffer().dropped()).isZero();
      }

      assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(NODE));
      assertThat(records)
          .allSatisfy(
              r -> {
                assertThat(r.value()[0]).as("Confluent magic byte").isEqualTo(WireFormat.MAGIC);
                assertThat(WireFormat.schemaIdOf(r.value())).isPresent();
              });
      List<GpuSample> samples = new ArrayList<>();
      XidEvent xid = null;
      List<NodeEvent> events = new ArrayList<>();
      for (var r : records) {
        if (r.topic().equals(topics.gpu.name())) {
          samples.add(topics.gpu.valueSerde().deserializer().deserialize(r.topic(), r.value()));
        } else if (r.topic().equals(topics.xid.name())) {
          xid = topics.xid.valueSerde().deserializer().deserialize(r.topic(), r.value());
        } else {
          events.add(
              topics.kubeEvents.valueSerde().deserializer().deserialize(r.topic(), r.value()));
        }
      }
      assertThat(samples).allSatisfy(s -> assertThat(s.getNode()).isEqualTo(NODE));
      assertThat(samples)
          .filteredOn(s -> s.getGpuIndex() == 2)
          .allSatisfy(s -> assertThat(s.getLastXid()).isEqualTo(79));
      assertThat(xid).isNotNull();
      assertThat(xid.getXid()).isEqualTo(79);
      assertThat(xid.getGpuUuid()).isEqualTo("GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138");
      assertThat(xid.getEventId()).isEqualTo(NODE + "/xid/0f1e2d3c/2050");
      assertThat(events)
          .allSatisfy(e -> assertThat(e.getKind()).isEqualTo(NodeEventKind.EXPORTER_HEARTBEAT));
      assertThat(registry.subjects())
          .contains(topics.gpu.spec().valueSubject(), topics.xid.spec().valueSubject());
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers",
            bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG,
            TestNames.unique("exporter-reader"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }
}
