package io.gpuward.remediation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Per control and inventory partition, the offsets the remediator refused: the state reader adds to
 * them, and the group commit writes them as the metadata of the partition's committed offset, so a
 * restart skips them instead of decoding and dead-lettering them again.
 */
final class StateRefusals {
  private final Map<TopicPartition, RefusedOffsets> refused = new ConcurrentHashMap<>();

  /** What an earlier instance committed for {@code tp}. */
  void restore(TopicPartition tp, String metadata) {
    refused.put(tp, RefusedOffsets.parse(metadata));
  }

  RefusedOffsets of(TopicPartition tp) {
    return refused.computeIfAbsent(tp, k -> new RefusedOffsets());
  }

  /** The metadata committed with {@code tp}'s offset. */
  String metadata(TopicPartition tp) {
    return of(tp).encode();
  }
}
