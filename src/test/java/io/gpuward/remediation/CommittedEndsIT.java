package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The read barrier's end against a real broker: the engine writes verdicts in transactions, so the
 * end a read-committed remediator can reach is the last stable offset, and a transaction still open
 * must not count (its records are not readable yet: waiting for them would wait forever).
 */
class CommittedEndsIT {

  @Test
  void shouldGiveTheEndAReadCommittedConsumerReachesAndNotAnOpenTransactionsEnd() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String topic = TestNames.unique("ends");
    TopicPartition tp = new TopicPartition(topic, 0);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    try (var producer = transactional(bootstrap);
        var ends = new CommittedEnds(Map.of("bootstrap.servers", bootstrap), "ends-it");
        var consumer = readCommitted(bootstrap)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "n1".getBytes(), "a".getBytes()));
      producer.send(new ProducerRecord<>(topic, "n1".getBytes(), "b".getBytes()));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "n1".getBytes(), "open".getBytes())).get();

      long end = ends.committedEnds(Set.of(tp)).orElseThrow().get(tp);
      assertThat(end).as("two records and the commit marker").isEqualTo(3);

      consumer.assign(List.of(tp));
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            consumer.poll(Duration.ofMillis(100));
            assertThat(consumer.position(tp)).isGreaterThanOrEqualTo(end);
          });
      producer.abortTransaction();
    }
  }

  private static KafkaProducer<byte[], byte[]> transactional(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            "bootstrap.servers",
            bootstrap,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            TestNames.unique("ends-tx")),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> readCommitted(String bootstrap) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers",
            bootstrap,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }
}
