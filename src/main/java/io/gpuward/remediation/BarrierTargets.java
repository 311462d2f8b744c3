package io.gpuward.remediation;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;

/**
 * Per verdict, the offsets a barrier waits for: taken when it is first asked (later writes do not
 * move them), dropped once passed, so the verdict's next disruptive step takes them afresh.
 */
final class BarrierTargets {
  private final Map<String, Map<TopicPartition, Long>> targets = new ConcurrentHashMap<>();

  /**
   * Whether {@code reached} passed every target of {@code verdictId}; the targets come from {@code
   * take} when there are none yet, and an empty answer keeps the step waiting.
   */
  boolean passed(
      String verdictId,
      Supplier<Optional<Map<TopicPartition, Long>>> take,
      Map<TopicPartition, Long> reached) {
    Map<TopicPartition, Long> target = targets.get(verdictId);
    if (target == null) {
      Optional<Map<TopicPartition, Long>> taken = take.get();
      if (taken.isEmpty()) {
        return false;
      }
      target = taken.get();
      targets.put(verdictId, target);
    }
    boolean through =
        target.entrySet().stream()
            .allMatch(e -> reached.getOrDefault(e.getKey(), -1L) >= e.getValue());
    if (through) {
      targets.remove(verdictId);
    }
    return through;
  }

  void forget(String verdictId) {
    targets.remove(verdictId);
  }
}
