package io.gpuward.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far a consumer group is behind in event time: the timestamp of the oldest record it has not
 * committed yet, against a clock. A group that commits a record only once its output is out (the
 * engine under exactly-once, the remediator after handling a verdict) is behind by exactly that.
 * Caught up costs two admin requests; behind adds one short fetch of the first uncommitted record
 * of each lagging partition.
 */
final class LagProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LagProbe.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration FETCH = Duration.ofMillis(100);
  private static final int FETCH_ROUNDS = 5;

  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> reader;
  private final Map<String, List<TopicPartition>> partitions = new HashMap<>();

  LagProbe(Map<String, Object> clientProps) {
    this.admin = Admin.create(clientProps);
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Only the first record of each partition is read: keep each partition's fetch small.
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024);
    this.reader = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * How far {@code group} is behind {@code now} on {@code topics}: zero when it has committed every
   * record; empty when the offsets cannot be read right now.
   */
  Optional<Duration> behind(String group, List<String> topics, Instant now) {
    try {
      List<TopicPartition> parts = partitionsOf(topics);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, Long> end = endOffsets(parts);
      Map<TopicPartition, Long> position = new HashMap<>();
      for (var e : end.entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        long at = c == null ? 0 : c.offset();
        if (at < e.getValue()) {
          position.put(e.getKey(), at);
        }
      }
      return Optional.of(
          oldestTimestamp(position, end)
              .map(t -> Duration.between(t, now))
              .filter(d -> !d.isNegative())
              .orElse(Duration.ZERO));
    } catch (ExecutionException | TimeoutException e) {
      log.debug("lag of group {} on {} unknown: {}", group, topics, e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private List<TopicPartition> partitionsOf(List<String> topics)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<TopicPartition> all = new ArrayList<>();
    for (String topic : topics) {
      List<TopicPartition> parts = partitions.get(topic);
      if (parts == null) {
        parts =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(topic)
                .partitions()
                .stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        partitions.put(topic, parts);
      }
      all.addAll(parts);
    }
    return all;
  }

  private Map<TopicPartition, Long> endOffsets(List<TopicPartition> parts)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    parts.forEach(tp -> ask.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> end = new HashMap<>();
    admin
        .listOffsets(ask)
        .all()
        .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .forEach((tp, info) -> end.put(tp, info.offset()));
    return end;
  }

  /**
   * The oldest timestamp among the first records at {@code positions}. A partition with nothing
   * readable before its end (only a transaction marker after the committed offset) is not behind.
   */
  private Optional<Instant> oldestTimestamp(
      Map<TopicPartition, Long> positions, Map<TopicPartition, Long> end) {
    if (positions.isEmpty()) {
      return Optional.empty();
    }
    reader.assign(positions.keySet());
    positions.forEach(reader::seek);
    Map<TopicPartition, Long> first = new HashMap<>();
    for (int round = 0; round < FETCH_ROUNDS && unread(positions, end, first); round++) {
      for (var r : reader.poll(FETCH)) {
        first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.timestamp());
      }
      reader.pause(first.keySet());
    }
    reader.assign(List.of());
    return first.values().stream().min(Long::compare).map(Instant::ofEpochMilli);
  }

  /** Whether a partition still has records to look at before its end. */
  private boolean unread(
      Map<TopicPartition, Long> positions,
      Map<TopicPartition, Long> end,
      Map<TopicPartition, Long> first) {
    return positions.keySet().stream()
        .anyMatch(tp -> !first.containsKey(tp) && reader.position(tp) < end.get(tp));
  }

  @Override
  public void close() {
    reader.close(Duration.ofSeconds(2));
    admin.close(Duration.ofSeconds(2));
  }
}
