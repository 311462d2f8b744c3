package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether the remediator has read every version of a verdict that was on the verdict topic when its
 * disruptive step was about to go. Correlation settling gives the engine time to hold a storm's
 * verdicts, but a remediator that runs behind the topic may not have read the hold yet when the
 * settle time is over: the hold is further down the partition, and the drain would go on the
 * version it had. So once settled, the partition's committed end is taken (a remote read, once per
 * step) and the step waits until the consumer's position passed it: every hold published before
 * that moment has then reached {@link Remediation#noteLatest}.
 *
 * <p>The verdict's partition is the one its node's records were last read from; a node not read
 * since start (its verdict restored whole at start) waits for every partition read so far. The
 * consumer thread reports positions; lanes ask. An end that cannot be read keeps the step waiting:
 * acting on a hold not yet read is the failure this exists to prevent.
 */
final class VerdictReadBarrier implements ReadBarrier {

  /** The committed end offsets of partitions, read from the broker now; empty if unreadable. */
  @FunctionalInterface
  interface EndOffsets {
    Optional<Map<TopicPartition, Long>> committedEnds(Set<TopicPartition> partitions);
  }

  private final EndOffsets ends;
  private final Map<String, TopicPartition> partitionOfNode = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> readTo = new ConcurrentHashMap<>();
  private final BarrierTargets targets = new BarrierTargets();
  private final Set<TopicPartition> always = ConcurrentHashMap.newKeySet();

  VerdictReadBarrier(EndOffsets ends) {
    this.ends = ends;
  }

  /** A record of {@code node} was read from {@code tp} (consumer thread). */
  void read(String node, TopicPartition tp) {
    partitionOfNode.put(node, tp);
  }

  /**
   * Partitions every verdict waits for as well, read by another consumer that reports its positions
   * here: the fleet incidents, so that a hold the engine committed is known.
   */
  void alwaysWaitFor(Set<TopicPartition> partitions) {
    always.addAll(partitions);
  }

  /** The consumer's position on {@code tp} after handing its records on (consumer thread). */
  void position(TopicPartition tp, long position) {
    readTo.merge(tp, position, Math::max);
  }

  @Override
  public boolean readThrough(FaultVerdict v) {
    return targets.passed(
        v.getVerdictId(), () -> ends.committedEnds(partitionsOf(v.getNode())), readTo);
  }

  private Set<TopicPartition> partitionsOf(String node) {
    TopicPartition tp = partitionOfNode.get(node);
    Set<TopicPartition> out = new HashSet<>(always);
    if (tp != null) {
      out.add(tp);
    } else {
      out.addAll(new HashMap<>(readTo).keySet());
    }
    return out;
  }

  @Override
  public void forget(String verdictId) {
    targets.forget(verdictId);
  }
}
