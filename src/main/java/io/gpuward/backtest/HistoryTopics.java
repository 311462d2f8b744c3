package io.gpuward.backtest;

import io.gpuward.contract.Topic;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A history read from the live topics by a plain consumer: no group id (nothing committed, no live
 * group joined or rebalanced), every partition assigned, read committed. The stream topics are read
 * from {@code from} (offsetsForTimes), the compacted ones (inventory, control) whole, each up to
 * the end offsets taken when the read starts. Never writes.
 */
public final class HistoryTopics {
  private static final Logger log = LoggerFactory.getLogger(HistoryTopics.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STALL = Duration.ofSeconds(20);

  private HistoryTopics() {}

  /** Reads the period from {@code from} (null: the beginning) to the topics' current ends. */
  public static History read(Map<String, Object> clientProps, Topics topics, Instant from) {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "gpuward-backtest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
      return new History(
          all(consumer, topics.verdicts, from),
          all(consumer, topics.incidents, from),
          all(consumer, topics.inventory, null),
          all(consumer, topics.control, null),
          all(consumer, topics.audit, from));
    }
  }

  private static <V> List<V> all(
      KafkaConsumer<String, byte[]> consumer, Topic<V> topic, Instant from) {
    List<TopicPartition> parts = new ArrayList<>();
    for (PartitionInfo p : consumer.partitionsFor(topic.name(), TIMEOUT)) {
      parts.add(new TopicPartition(p.topic(), p.partition()));
    }
    consumer.assign(parts);
    seek(consumer, parts, from);
    Map<TopicPartition, Long> end = consumer.endOffsets(parts, TIMEOUT);
    List<V> out = new ArrayList<>();
    long lastProgress = System.nanoTime();
    while (!reached(consumer, end)) {
      var records = consumer.poll(Duration.ofMillis(200));
      if (!records.isEmpty()) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
        throw new IllegalStateException(
            "topic " + topic.name() + " made no progress for " + STALL.toSeconds() + " s");
      }
      for (ConsumerRecord<String, byte[]> r : records) {
        decode(topic, r, out);
      }
    }
    return out;
  }

  static void seek(
      KafkaConsumer<String, byte[]> consumer, List<TopicPartition> parts, Instant from) {
    if (from == null) {
      consumer.seekToBeginning(parts);
      return;
    }
    Map<TopicPartition, Long> at = new HashMap<>();
    parts.forEach(p -> at.put(p, from.toEpochMilli()));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at, TIMEOUT);
    Map<TopicPartition, Long> ends = consumer.endOffsets(parts, TIMEOUT);
    for (TopicPartition p : parts) {
      OffsetAndTimestamp o = found.get(p);
      consumer.seek(p, o == null ? ends.get(p) : o.offset());
    }
  }

  private static boolean reached(
      KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
    for (var e : end.entrySet()) {
      if (consumer.position(e.getKey(), TIMEOUT) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  static <V> void decode(Topic<V> topic, ConsumerRecord<String, byte[]> r, List<V> out) {
    if (r.value() == null) {
      return; // a tombstone: a withdrawn command or a node gone; the replay works on values
    }
    try {
      out.add(topic.valueSerde().deserializer().deserialize(r.topic(), r.value()));
    } catch (SerializationException e) {
      log.warn(
          "unreadable record skipped topic={} partition={} offset={}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
    }
  }
}
