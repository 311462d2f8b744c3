package io.gpuward.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.contract.KafkaConnectivity;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {

  private final String bootstrap = SharedKafka.bootstrapServers();

  @Test
  void shouldAnswerConnectivityCheck() {
    assertThat(KafkaConnectivity.check(bootstrap, Duration.ofSeconds(5))).isNotBlank();
  }

  @Test
  void shouldRoundTripRecords() throws Exception {
    String topic = createTopic("roundtrip");
    try (var producer = producer(Map.of())) {
      producer.send(new ProducerRecord<>(topic, "node-1", "hello")).get();
      producer.send(new ProducerRecord<>(topic, "node-2", "world")).get();
    }

    List<String> seen = consume(topic, "read_uncommitted", 2);

    assertThat(seen).containsExactly("node-1=hello", "node-2=world");
  }

  @Test
  void shouldCommitTransactionsAndHideAbortedOnes() throws Exception {
    String topic = createTopic("tx");
    try (var producer =
        producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TestNames.unique("tx-id")))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "aborted"));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed"));
      producer.commitTransaction();
    }

    List<String> seen = consume(topic, "read_committed", 1);

    assertThat(seen).containsExactly("k=committed");
  }

  private String createTopic(String prefix) {
    String topic = TestNames.unique(prefix);
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicAdmin.ensureNewTopics(
          admin, List.of(new NewTopic(topic, 1, (short) 1)), Duration.ofSeconds(30));
    }
    return topic;
  }

  private KafkaProducer<String, String> producer(Map<String, Object> extra) {
    Map<String, Object> props = new java.util.HashMap<>(extra);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private List<String> consume(String topic, String isolation, int expected) {
    List<String> seen = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                TestNames.unique("group"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
              seen.add(r.key() + "=" + r.value());
            }
            assertThat(seen).hasSizeGreaterThanOrEqualTo(expected);
          });
      // nothing more arrives (e.g. an aborted record) within a short extra poll
      consumer.poll(Duration.ofMillis(300)).forEach(r -> seen.add(r.key() + "=" + r.value()));
    }
    return seen;
  }
}
