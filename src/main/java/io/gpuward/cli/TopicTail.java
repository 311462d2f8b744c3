package io.gpuward.cli;

import io.gpuward.contract.Topic;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Reads gpuward's outcome topics for {@code status} and {@code explain} as a plain consumer: no
 * group (nothing committed, nobody rebalanced), every partition assigned, compacted topics from the
 * beginning and stream topics from {@code since} (offsetsForTimes), read committed. The first read
 * stops at the end offsets taken when it starts; {@link #follow} keeps consuming for {@code
 * --watch}.
 */
final class TopicTail implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicTail.class);

  /** How long a read may make no progress before it fails (a partition without a leader). */
  static final Duration STALL = Duration.ofSeconds(20);

  static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** The topics a view reads. */
  enum Source {
    VERDICTS,
    HEALTH,
    INCIDENTS,
    AUDIT,
    CONTROL,
    DLQ
  }

  private final Topics topics;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Instant since;

  TopicTail(Map<String, Object> clientProps, Topics topics, Set<Source> sources, Instant since) {
    this.topics = topics;
    this.since = since;
    Map<String, Object> c = new HashMap<>(clientProps);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "gpuward-status");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (Source s : sources) {
      parts.addAll(partitions(topic(s).name()));
    }
    consumer.assign(parts);
    seek(parts);
  }

  Topics topics() {
    return topics;
  }

  /** Reads up to the end offsets taken now. */
  void readToEnd(ReadModel model) {
    List<TopicPartition> parts = List.copyOf(consumer.assignment());
    Map<TopicPartition, Long> end = consumer.endOffsets(parts, TIMEOUT);
    long lastProgress = System.nanoTime();
    while (!reached(end)) {
      int n = poll(model, Duration.ofMillis(200));
      if (n > 0) {
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
        throw new IllegalStateException(
            "reading " + String.join(", ", names(parts)) + " made no progress in " + STALL);
      }
    }
  }

  /** Consumes what arrives for {@code d} (watch mode). */
  void follow(ReadModel model, Duration d) {
    long until = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < until) {
      long left = Math.max(1, (until - System.nanoTime()) / 1_000_000);
      poll(model, Duration.ofMillis(Math.min(left, 500)));
    }
  }

  /** Makes a blocked poll return (from another thread: Ctrl-C). */
  void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close(Duration.ZERO);
  }

  private int poll(ReadModel model, Duration d) {
    int n = 0;
    for (ConsumerRecord<String, byte[]> r : consumer.poll(d)) {
      dispatch(model, r);
      n++;
    }
    return n;
  }

  private void dispatch(ReadModel model, ConsumerRecord<String, byte[]> r) {
    String t = r.topic();
    try {
      if (t.equals(topics.verdicts.name())) {
        model.verdict(read(r, topics.verdicts));
      } else if (t.equals(topics.health.name())) {
        model.health(read(r, topics.health));
      } else if (t.equals(topics.control.name())) {
        model.control(read(r, topics.control));
      } else if (r.value() == null) {
        return; // a stream topic has no tombstones to apply
      } else if (t.equals(topics.incidents.name())) {
        model.incident(read(r, topics.incidents).value());
      } else if (t.equals(topics.audit.name())) {
        model.audit(read(r, topics.audit).value());
      } else if (t.equals(topics.dlq.name())) {
        model.deadLetter(read(r, topics.dlq).value());
      }
    } catch (SerializationException e) {
      log.debug(
          "unreadable record skipped topic={} partition={} offset={}: {}",
          t,
          r.partition(),
          r.offset(),
          e.getMessage());
      model.unreadable();
    }
  }

  private static <V> Read<V> read(ConsumerRecord<String, byte[]> r, Topic<V> topic) {
    V value =
        r.value() == null
            ? null
            : topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    return new Read<>(
        r.topic(), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), r.key(), value);
  }

  private void seek(List<TopicPartition> parts) {
    Map<TopicPartition, Long> at = new HashMap<>();
    for (TopicPartition tp : parts) {
      if (isStream(tp.topic())) {
        at.put(tp, Math.max(0, since.toEpochMilli()));
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
    if (at.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at, TIMEOUT);
    for (TopicPartition tp : at.keySet()) {
      OffsetAndTimestamp o = found.get(tp);
      if (o == null) {
        consumer.seekToEnd(List.of(tp)); // nothing that recent on this partition
      } else {
        consumer.seek(tp, o.offset());
      }
    }
  }

  private boolean isStream(String topic) {
    return !topic.equals(topics.health.name()) && !topic.equals(topics.control.name());
  }

  private Topic<?> topic(Source s) {
    return switch (s) {
      case VERDICTS -> topics.verdicts;
      case HEALTH -> topics.health;
      case INCIDENTS -> topics.incidents;
      case AUDIT -> topics.audit;
      case CONTROL -> topics.control;
      case DLQ -> topics.dlq;
    };
  }

  private List<TopicPartition> partitions(String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    return end.entrySet().stream()
        .allMatch(e -> consumer.position(e.getKey(), TIMEOUT) >= e.getValue());
  }

  private static List<String> names(List<TopicPartition> parts) {
    return parts.stream().map(TopicPartition::topic).distinct().sorted().toList();
  }
}
