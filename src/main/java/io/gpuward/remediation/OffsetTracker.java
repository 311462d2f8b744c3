package io.gpuward.remediation;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets are safe to commit when records finish out of order: per partition, everything
 * below the oldest record still in flight. A restart then re-reads unfinished verdicts (and the
 * ledger keeps finished steps from repeating).
 */
final class OffsetTracker {
  private final Map<TopicPartition, TreeSet<Long>> inFlight = new HashMap<>();
  private final Map<TopicPartition, Long> nextToRead = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  synchronized void started(TopicPartition tp, long offset) {
    inFlight.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
    nextToRead.merge(tp, offset + 1, Math::max);
  }

  synchronized void finished(TopicPartition tp, long offset) {
    TreeSet<Long> s = inFlight.get(tp);
    if (s != null) {
      s.remove(offset);
    }
  }

  /** Offsets that advanced since the last call: commit them. */
  synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    nextToRead.forEach(
        (tp, next) -> {
          TreeSet<Long> s = inFlight.get(tp);
          long safe = s == null || s.isEmpty() ? next : s.first();
          if (!Long.valueOf(safe).equals(committed.get(tp))) {
            out.put(tp, new OffsetAndMetadata(safe));
          }
        });
    return out;
  }

  synchronized void committedAll(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
  }

  /** Forgets partitions this consumer lost in a rebalance. */
  synchronized void revoked(Collection<TopicPartition> tps) {
    tps.forEach(
        tp -> {
          inFlight.remove(tp);
          nextToRead.remove(tp);
          committed.remove(tp);
        });
  }

  synchronized boolean idle() {
    return inFlight.values().stream().allMatch(TreeSet::isEmpty);
  }
}
