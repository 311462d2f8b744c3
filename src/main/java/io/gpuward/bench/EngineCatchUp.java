package io.gpuward.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows a consumer group's committed offsets (the engine's application id) on one topic until
 * they reach given end offsets. Under exactly-once the committed offsets move with each
 * transaction, so "committed = end" means every record's output is committed too.
 */
final class EngineCatchUp {
  private static final long POLL_MILLIS = 100;

  private EngineCatchUp() {}

  /** Records of {@code endOffsets}' partitions that {@code groupId} has committed past. */
  static long committed(Admin admin, String groupId, Map<TopicPartition, Long> endOffsets)
      throws InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> offsets;
    try {
      offsets =
          admin
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return -1; // the group may not exist yet; ask again
    }
    long sum = 0;
    for (TopicPartition tp : endOffsets.keySet()) {
      OffsetAndMetadata om = offsets.get(tp);
      if (om != null) {
        sum += om.offset();
      }
    }
    return sum;
  }

  /**
   * Waits until {@code groupId} has committed up to {@code endOffsets}; returns the wall time from
   * the call, in seconds.
   *
   * @param alive throws when the engine failed, to stop waiting
   * @throws IllegalStateException when it does not get there within {@code timeout}
   */
  static double await(
      Admin admin,
      String groupId,
      Map<TopicPartition, Long> endOffsets,
      Duration timeout,
      Supplier<String> alive,
      PrintStream progress)
      throws InterruptedException {
    long total = endOffsets.values().stream().mapToLong(Long::longValue).sum();
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    long lastProgress = t0;
    while (true) {
      long done = committed(admin, groupId, endOffsets);
      long now = System.nanoTime();
      if (done >= total) {
        return (now - t0) / 1e9;
      }
      String failure = alive.get();
      if (failure != null) {
        throw new IllegalStateException("engine stopped while catching up: " + failure);
      }
      if (now > deadline) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "engine did not catch up within %ds (%,d of %,d samples committed)",
                timeout.toSeconds(),
                Math.max(0, done),
                total));
      }
      if (now - lastProgress >= Bench.PROGRESS_EVERY.toNanos()) {
        lastProgress = now;
        progress.printf(
            Locale.ROOT,
            "  engine: %,d of %,d samples committed (%.0f%%), %,.0f samples/s%n",
            Math.max(0, done),
            total,
            100.0 * Math.max(0, done) / total,
            Math.max(0, done) / ((now - t0) / 1e9));
      }
      Thread.sleep(POLL_MILLIS);
    }
  }
}
