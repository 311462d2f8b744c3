package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.Topic;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.testing.SampleRecords;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The backtest's Kafka read path on the real broker: stream topics from {@code --from} by record
 * timestamp, compacted ones whole, committed records only, no consumer group.
 */
class HistoryTopicsIT {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void shouldReadStreamTopicsFromTheStartTimeTheCompactedOnesWholeAndOnlyCommittedRecords()
      throws Exception {
    Map<String, Object> props = Map.of("bootstrap.servers", SharedKafka.bootstrapServers());
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("history") + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(props)) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    FaultVerdict early = verdict("v-early", T0);
    FaultVerdict late = verdict("v-late", T0.plusSeconds(60));
    RemediationRecord audited =
        RemediationRecord.newBuilder(SampleRecords.remediationRecord())
            .setAt(T0.plusSeconds(61))
            .build();
    Map<String, Object> tx = new HashMap<>(props);
    tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TestNames.unique("history-writer"));
    try (var producer =
        new KafkaProducer<>(tx, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      send(producer, topics.inventory, SampleRecords.nodeInventory(), T0.minusSeconds(3600));
      send(producer, topics.control, SampleRecords.controlCommand(), T0.minusSeconds(600));
      send(producer, topics.verdicts, early, T0);
      send(producer, topics.verdicts, late, T0.plusSeconds(60));
      send(producer, topics.audit, audited, T0.plusSeconds(61));
      producer.commitTransaction();
      producer.beginTransaction();
      send(producer, topics.verdicts, verdict("v-aborted", T0.plusSeconds(70)), T0.plusSeconds(70));
      producer.flush();
      producer.abortTransaction();
    }

    History h = HistoryTopics.read(props, topics, T0.plusSeconds(30));

    assertThat(h.verdicts()).extracting(FaultVerdict::getVerdictId).containsExactly("v-late");
    assertThat(h.audit()).containsExactly(audited);
    assertThat(h.inventory()).containsExactly(SampleRecords.nodeInventory());
    assertThat(h.control()).containsExactly(SampleRecords.controlCommand());
    assertThat(HistoryTopics.read(props, topics, null).verdicts())
        .extracting(FaultVerdict::getVerdictId)
        .containsExactlyInAnyOrder("v-early", "v-late");
  }

  private static FaultVerdict verdict(String id, Instant at) {
    return FaultVerdict.newBuilder(SampleRecords.faultVerdict())
        .setVerdictId(id)
        .setDetectedAt(at)
        .setUpdatedAt(at)
        .setValidUntil(at.plusSeconds(600))
        .build();
  }

  private static <V extends SpecificRecord> void send(
      KafkaProducer<String, byte[]> producer, Topic<V> topic, V value, Instant timestamp) {
    byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
    producer.send(new ProducerRecord<>(topic.name(), null, timestamp.toEpochMilli(), "n", bytes));
  }
}
