package io.gpuward.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuTelemetryRollup;
import io.gpuward.avro.HealthState;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.Topic;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SampleRecords;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The sink end to end: real broker, embedded registry over HTTP, in-JVM Connect worker with the
 * Debezium JDBC sink and gpuward's converter, real PostgreSQL. Records produced through gpuward's
 * serdes land as rows; re-delivery upserts; garbage goes to the sink DLQ without stopping it.
 */
class SinkPipelineIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void landsEveryTopicInItsTableUpsertsAndDeadLettersGarbage() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = TestNames.unique("sink") + ".";
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startInMemory()) {
      var client = new RegistryClient(registry.url());
      Topics topics =
          new Topics(TopicCatalog.load(prefix).withPartitions(1), new AvroSerdes(client, true));
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
      }
      try (SinkStack sink = SinkStack.start(bootstrap, registry.url(), topics, prefix, null);
          var producer =
              new KafkaProducer<>(
                  Map.<String, Object>of("bootstrap.servers", bootstrap),
                  new StringSerializer(),
                  new ByteArraySerializer())) {
        String node = SampleRecords.NODE;
        FaultVerdict open = SampleRecords.faultVerdict();
        FaultVerdict cleared =
            FaultVerdict.newBuilder(open)
                .setState(VerdictState.CLEARED)
                .setUpdatedAt(open.getUpdatedAt().plusSeconds(30))
                .setClearReason("GPU back in telemetry")
                .build();
        send(producer, topics.verdicts, node, open);
        send(producer, topics.verdicts, node, open); // re-delivery: no new row
        producer.send(
            new ProducerRecord<>(
                topics.verdicts.name(), node, "not avro".getBytes(StandardCharsets.UTF_8)));
        send(producer, topics.verdicts, node, cleared);
        send(producer, topics.incidents, "nodegroup:p5-train", SampleRecords.fleetIncident());
        send(producer, topics.health, node, SampleRecords.nodeHealth());
        NodeHealth healthy =
            NodeHealth.newBuilder(SampleRecords.nodeHealth())
                .setState(HealthState.HEALTHY)
                .setOpenVerdicts(List.of())
                .setInstanceType(null)
                .setUpdatedAt(SampleRecords.T0.plusSeconds(90))
                .build();
        send(producer, topics.health, node, healthy);
        send(producer, topics.audit, node, SampleRecords.remediationRecord());
        send(producer, topics.rollup, node, rollup(node, SampleRecords.T0));
        producer.flush();

        Eventually.await(
            Duration.ofSeconds(40),
            () ->
                assertThat(sink.rowCounts())
                    .containsEntry("gpu_verdicts", 2L)
                    .containsEntry("fleet_incidents", 1L)
                    .containsEntry("node_health", 1L)
                    .containsEntry("remediation_audit", 1L)
                    .containsEntry("gpu_telemetry_rollup", 1L));
        Eventually.await(
            Duration.ofSeconds(20),
            () ->
                assertThat(query(sink, "SELECT state FROM node_health WHERE node = '" + node + "'"))
                    .containsExactly("HEALTHY"));

        try (Connection c = sink.postgres().connect();
            Statement st = c.createStatement()) {
          ResultSet rs =
              st.executeQuery(
                  "SELECT state, fault_class, evidence, gpus, fix_hint, clear_reason,"
                      + " detected_at, held FROM gpu_verdicts ORDER BY updated_at");
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("state")).isEqualTo("OPEN");
          assertThat(rs.getString("fault_class")).isEqualTo("GPU_LOST");
          JsonNode evidence = JSON.readTree(rs.getString("evidence"));
          assertThat(evidence).hasSize(2);
          assertThat(evidence.get(0).get("signal").asText()).isEqualTo("xid=79");
          assertThat(JSON.readTree(rs.getString("gpus")).get(0).get("index").asInt()).isEqualTo(3);
          assertThat(rs.getString("fix_hint")).isNull();
          assertThat(rs.getString("clear_reason")).isNull();
          assertThat(rs.getTimestamp("detected_at").toInstant()).isEqualTo(open.getDetectedAt());
          assertThat(rs.getBoolean("held")).isFalse();
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("state")).isEqualTo("CLEARED");
          assertThat(rs.getString("clear_reason")).isEqualTo("GPU back in telemetry");

          rs = st.executeQuery("SELECT open_verdicts, instance_type, updated_at FROM node_health");
          rs.next();
          assertThat(JSON.readTree(rs.getString("open_verdicts"))).isEmpty();
          assertThat(rs.getString("instance_type")).isNull();
          assertThat(rs.getTimestamp("updated_at").toInstant())
              .isEqualTo(SampleRecords.T0.plusSeconds(90));

          rs = st.executeQuery("SELECT jsonb_array_length(nodes) FROM fleet_incidents");
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(3);

          rs = st.executeQuery("SELECT outcome, reason, dry_run, attempt FROM remediation_audit");
          rs.next();
          assertThat(rs.getString("outcome")).isEqualTo("SKIPPED");
          assertThat(rs.getString("reason")).isEqualTo("BUDGET");
          assertThat(rs.getInt("attempt")).isEqualTo(1);

          rs =
              st.executeQuery(
                  "SELECT sample_count, avg_temperature_c, max_memory_temperature_c,"
                      + " max_memory_used_mib, window_start FROM gpu_telemetry_rollup");
          rs.next();
          assertThat(rs.getInt("sample_count")).isEqualTo(12);
          assertThat(rs.getDouble("avg_temperature_c")).isEqualTo(65.5);
          assertThat(rs.getObject("max_memory_temperature_c")).isNull();
          assertThat(rs.getLong("max_memory_used_mib")).isEqualTo(79_000L);
          assertThat(rs.getTimestamp("window_start").toInstant()).isEqualTo(SampleRecords.T0);
        }

        assertThat(readAll(bootstrap, prefix + SinkTables.DLQ_TOPIC))
            .singleElement()
            .satisfies(
                r ->
                    assertThat(new String(r.value(), StandardCharsets.UTF_8))
                        .isEqualTo("not avro"));
        assertThat(sink.worker().taskStates("gpuward-sink-gpu-verdicts")).containsOnly("RUNNING");
      }
    }
  }

  private static GpuTelemetryRollup rollup(String node, Instant start) {
    return GpuTelemetryRollup.newBuilder()
        .setNode(node)
        .setUuid(SampleRecords.GPU_UUID)
        .setGpuIndex(3)
        .setModel("NVIDIA H100 80GB HBM3")
        .setWindowStart(start)
        .setWindowEnd(start.plusSeconds(60))
        .setSampleCount(12)
        .setAvgTemperatureC(65.5)
        .setMaxTemperatureC(71.0)
        .setAvgGpuUtilPct(97.0)
        .setAvgPowerW(600.0)
        .setMaxPowerW(612.5)
        .setAvgMemoryUsedMib(78_000.0)
        .setMaxMemoryUsedMib(79_000L)
        .build();
  }

  private static <V> void send(
      KafkaProducer<String, byte[]> producer, Topic<V> topic, String key, V value) {
    producer.send(
        new ProducerRecord<>(
            topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value)));
  }

  private static List<String> query(SinkStack sink, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = sink.postgres().connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                TestNames.unique("dlq-reader"),
                "auto.offset.reset",
                "earliest"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      Eventually.await(
          Duration.ofSeconds(20),
          () -> {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            assertThat(out).isNotEmpty();
          });
    }
    return out;
  }
}
