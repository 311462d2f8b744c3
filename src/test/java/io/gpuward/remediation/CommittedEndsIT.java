package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
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

  /**
   * What the engine-progress barrier rests on: an exactly-once Kafka Streams application whose
   * input ends in a transaction marker (the engine's repartition topic, written by the engine in
   * transactions) commits its group offset up to the input's stable end, not one short of it, and
   * the stable committed offsets can be read by another client.
   */
  @Test
  void shouldSeeAnExactlyOnceStreamsGroupCommitPastItsInputsTransactionMarkers() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String in = TestNames.unique("progress-in");
    String out = TestNames.unique("progress-out");
    String app = TestNames.unique("progress-app");
    TopicPartition tp = new TopicPartition(in, 0);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin
          .createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1)))
          .all()
          .get();
    }
    try (var producer = transactional(bootstrap)) {
      producer.initTransactions();
      for (int t = 0; t < 3; t++) {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(in, "fleet".getBytes(), ("e" + t).getBytes()));
        producer.commitTransaction();
      }
    }
    StreamsBuilder b = new StreamsBuilder();
    b.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("progress").toString());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    try (var ends = new CommittedEnds(Map.of("bootstrap.servers", bootstrap), "progress-it");
        var streams = new KafkaStreams(b.build(), props)) {
      long end = ends.committedEnds(Set.of(tp)).orElseThrow().get(tp);
      assertThat(end).as("three records, each followed by its commit marker").isEqualTo(6);
      streams.start();
      Eventually.await(
          Duration.ofSeconds(60),
          () -> assertThat(ends.groupCommitted(app).orElseThrow()).containsEntry(tp, end));
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
