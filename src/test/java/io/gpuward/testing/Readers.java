package io.gpuward.testing;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Consumers that read what a test's roles committed, as a downstream user would. */
public final class Readers {
  private Readers() {}

  /**
   * A {@code read_committed} consumer of string keys and raw values, in a group of its own, from
   * the beginning: it sees exactly the transactions that committed.
   */
  public static KafkaConsumer<String, byte[]> committed(String bootstrap) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers",
            bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG,
            TestNames.unique("reader"),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }
}
