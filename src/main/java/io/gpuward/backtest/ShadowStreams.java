package io.gpuward.backtest;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
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
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The live audit, the shadow audit and the verdicts, read as they flow by one plain consumer: no
 * group id (nothing committed, no group joined), every partition assigned, read committed, from
 * {@code from} (offsetsForTimes) or the beginning. Never writes. Not thread-safe: one reader.
 */
public final class ShadowStreams implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final Topics topics;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<TopicPartition, Long> endAtOpen;
  private final List<FaultVerdict> verdicts = new ArrayList<>();
  private final List<RemediationRecord> live = new ArrayList<>();
  private final List<RemediationRecord> shadow = new ArrayList<>();

  private ShadowStreams(Map<String, Object> clientProps, Topics topics, Instant from) {
    this.topics = topics;
    Map<String, Object> c = new HashMap<>(clientProps);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "gpuward-shadow-diff");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (Topic<?> t : List.of(topics.verdicts, topics.audit, topics.auditShadow)) {
      for (PartitionInfo p : consumer.partitionsFor(t.name(), TIMEOUT)) {
        parts.add(new TopicPartition(p.topic(), p.partition()));
      }
    }
    consumer.assign(parts);
    HistoryTopics.seek(consumer, parts, from);
    this.endAtOpen = consumer.endOffsets(parts, TIMEOUT);
  }

  /** Opens the reader at {@code from} (null: the beginning of the three topics). */
  public static ShadowStreams open(Map<String, Object> clientProps, Topics topics, Instant from) {
    return new ShadowStreams(clientProps, topics, from);
  }

  /** Reads what came within {@code wait}; true when anything did. */
  public boolean poll(Duration wait) {
    var records = consumer.poll(wait);
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.topic().equals(topics.verdicts.name())) {
        HistoryTopics.decode(topics.verdicts, r, verdicts);
      } else if (r.topic().equals(topics.audit.name())) {
        HistoryTopics.decode(topics.audit, r, live);
      } else {
        HistoryTopics.decode(topics.auditShadow, r, shadow);
      }
    }
    return !records.isEmpty();
  }

  /**
   * Reads up to the ends the topics had when the reader opened.
   *
   * @throws IllegalStateException when nothing comes for {@code stall}
   */
  public void readToEnd(Duration stall) {
    long lastProgress = System.nanoTime();
    while (!caughtUp()) {
      if (poll(Duration.ofMillis(200))) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > stall.toNanos()) {
        throw new IllegalStateException(
            "the audit topics made no progress for " + stall.toSeconds() + " s");
      }
    }
  }

  private boolean caughtUp() {
    for (var e : endAtOpen.entrySet()) {
      if (consumer.position(e.getKey(), TIMEOUT) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Every verdict version read so far. */
  public List<FaultVerdict> verdicts() {
    return List.copyOf(verdicts);
  }

  /** The live audit read so far. */
  public List<RemediationRecord> live() {
    return List.copyOf(live);
  }

  /** The shadow audit read so far. */
  public List<RemediationRecord> shadow() {
    return List.copyOf(shadow);
  }

  @Override
  public void close() {
    consumer.close(Duration.ZERO); // no group to leave
  }
}
