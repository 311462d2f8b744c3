package io.gpuward.remediation;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partitions' committed ends (the last stable offset, what a read-committed consumer reaches) and a
 * group's committed offsets, read from the broker for the {@link VerdictReadBarrier} and the {@link
 * EngineProgressBarrier}. The admin client is safe to share between lanes; a read that fails or
 * takes longer than {@link #TIMEOUT} is empty and the step asks again later.
 */
final class CommittedEnds implements VerdictReadBarrier.EndOffsets, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommittedEnds.class);

  /** Longest a lane waits for the broker's answer before it moves on to other nodes. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** How long one read of a group's committed offsets is reused. */
  static final Duration GROUP_READ_EVERY = Duration.ofMillis(100);

  private final Admin admin;
  private volatile Cached cached;

  CommittedEnds(Map<String, Object> clientProps, String clientId) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put("client.id", clientId);
    this.admin = Admin.create(p);
  }

  @Override
  public Optional<Map<TopicPartition, Long>> committedEnds(Set<TopicPartition> partitions) {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    partitions.forEach(tp -> ask.put(tp, OffsetSpec.latest()));
    try {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> got =
          admin
              .listOffsets(ask, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
              .all()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, Long> ends = new HashMap<>();
      got.forEach((tp, info) -> ends.put(tp, info.offset()));
      return Optional.of(ends);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("verdict partitions' ends {} unreadable; the disruptive step waits", partitions, e);
      return Optional.empty();
    }
  }

  /**
   * The committed offsets of consumer group {@code group}, only those of settled transactions (a
   * pending exactly-once commit is waited for by the broker, not reported). Read at most once per
   * {@link #GROUP_READ_EVERY}: lanes waiting at once share a read, and an older answer only makes a
   * step wait a little longer (offsets only grow).
   */
  Optional<Map<TopicPartition, Long>> groupCommitted(String group) {
    Cached c = cached;
    long now = System.nanoTime();
    if (c != null && c.group().equals(group) && now - c.atNanos() < GROUP_READ_EVERY.toNanos()) {
      return Optional.of(c.offsets());
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> got =
          admin
              .listConsumerGroupOffsets(
                  group, new ListConsumerGroupOffsetsOptions().requireStable(true))
              .partitionsToOffsetAndMetadata()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, Long> offsets = new HashMap<>();
      got.forEach(
          (tp, o) -> {
            if (o != null) {
              offsets.put(tp, o.offset());
            }
          });
      cached = new Cached(group, Map.copyOf(offsets), now);
      return Optional.of(offsets);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("engine group {} offsets unreadable; the disruptive step waits", group, e);
      return Optional.empty();
    }
  }

  private record Cached(String group, Map<TopicPartition, Long> offsets, long atNanos) {}

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
