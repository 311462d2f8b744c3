package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the verdict engine has processed everything that was on its input partitions when a
 * disruptive step first asked. The engine runs exactly-once: its group's committed offsets move in
 * the transaction that writes what those records caused (verdicts, correlation events, incidents),
 * so once they pass the ends taken then, all of that is committed. Asked twice in a row ({@link
 * OrderedBarriers}), it covers the chain input → verdict → fleet correlator → incident: the first
 * pass puts every storm member's verdict on the correlation topic, the second has the correlator
 * decide on them. How long that takes does not matter, so a lagging engine (a failover, a backlog,
 * a loaded machine) no longer lets a storm drain before its hold.
 *
 * <p>A group with no committed offsets keeps the step waiting (and says so once): the remediator
 * then cannot know what the engine correlated, and acting anyway is what this exists to prevent.
 */
final class EngineProgressBarrier implements ReadBarrier {
  private static final Logger log = LoggerFactory.getLogger(EngineProgressBarrier.class);

  /** The engine group's committed offsets (transactions settled); empty if unreadable. */
  @FunctionalInterface
  interface GroupOffsets {
    Optional<Map<TopicPartition, Long>> committed();
  }

  private final String engineGroup;
  private final Predicate<String> engineReads;
  private final GroupOffsets group;
  private final VerdictReadBarrier.EndOffsets ends;
  private final BarrierTargets targets = new BarrierTargets();
  private final AtomicBoolean toldNoOffsets = new AtomicBoolean();

  /**
   * @param engineReads the topics the engine reads now: offsets the group keeps for others (a topic
   *     it no longer reads, still written or deleted) would never be passed
   */
  EngineProgressBarrier(
      String engineGroup,
      Predicate<String> engineReads,
      GroupOffsets group,
      VerdictReadBarrier.EndOffsets ends) {
    this.engineGroup = engineGroup;
    this.engineReads = engineReads;
    this.group = group;
    this.ends = ends;
  }

  @Override
  public boolean readThrough(FaultVerdict v) {
    Optional<Map<TopicPartition, Long>> now = group.committed();
    return now.isPresent() && targets.passed(v.getVerdictId(), () -> endsNow(v), now.get());
  }

  @Override
  public void forget(String verdictId) {
    targets.forget(verdictId);
  }

  /** The ends of every partition the engine group consumes, as the broker has them now. */
  private Optional<Map<TopicPartition, Long>> endsNow(FaultVerdict v) {
    Optional<Map<TopicPartition, Long>> committed = group.committed();
    if (committed.isEmpty()) {
      return Optional.empty();
    }
    Set<TopicPartition> partitions =
        committed.get().keySet().stream()
            .filter(tp -> engineReads.test(tp.topic()))
            .collect(Collectors.toSet());
    if (partitions.isEmpty()) {
      if (toldNoOffsets.compareAndSet(false, true)) {
        log.warn(
            "engine group {} has no committed offsets: disruptive steps wait until the engine "
                + "has correlated (check engine.application.id) node={} verdictId={}",
            engineGroup,
            v.getNode(),
            v.getVerdictId());
      }
      return Optional.empty();
    }
    return ends.committedEnds(partitions);
  }
}
