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
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verdict partitions' committed ends (the last stable offset, what a read-committed consumer
 * reaches) read from the broker, for the {@link VerdictReadBarrier}. The admin client is safe to
 * share between lanes; a read that fails or takes longer than {@link #TIMEOUT} is empty and the
 * step asks again later.
 */
final class CommittedEnds implements VerdictReadBarrier.EndOffsets, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommittedEnds.class);

  /** Longest a lane waits for the broker's answer before it moves on to other nodes. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Admin admin;

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

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
