package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class EngineProgressBarrierTest {
  private static final TopicPartition XID = new TopicPartition("xid", 0);
  private static final TopicPartition FLEET =
      new TopicPartition("engine-correlation-fleet-repartition", 0);

  /** The broker: partition ends, and the engine group's committed offsets. */
  private final Map<TopicPartition, Long> ends = new HashMap<>(Map.of(XID, 100L, FLEET, 10L));

  private final Map<TopicPartition, Long> committed = new HashMap<>(Map.of(XID, 90L, FLEET, 10L));

  private boolean groupReadable = true;

  private final EngineProgressBarrier.GroupOffsets group =
      () -> groupReadable ? Optional.of(Map.copyOf(committed)) : Optional.empty();

  private final VerdictReadBarrier.EndOffsets endOffsets =
      parts -> {
        Map<TopicPartition, Long> got = new HashMap<>();
        parts.forEach(tp -> got.put(tp, ends.get(tp)));
        return Optional.of(got);
      };

  private final EngineProgressBarrier barrier =
      new EngineProgressBarrier("engine", t -> !t.equals("retired"), group, endOffsets);

  private static FaultVerdict verdict(String id) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN))
        .setVerdictId(id)
        .build();
  }

  @Test
  void shouldWaitUntilTheEngineCommittedPastTheEndsItsInputsHadWhenFirstAsked() {
    assertThat(barrier.readThrough(verdict("v1"))).isFalse();
    ends.put(XID, 150L); // written since: the target stays the end taken first
    committed.put(XID, 100L);
    assertThat(barrier.readThrough(verdict("v1"))).isTrue();
  }

  @Test
  void shouldWaitForTheCorrelatorWhenTheFirstPassPutNewVerdictsOnItsTopic() {
    ReadBarrier twice =
        new OrderedBarriers(
            List.of(
                barrier,
                new EngineProgressBarrier("engine", t -> !t.equals("retired"), group, endOffsets)));
    assertThat(twice.readThrough(verdict("v1"))).isFalse();
    // The engine processed its inputs and wrote three storm members' correlation events.
    committed.put(XID, 100L);
    ends.put(FLEET, 13L);
    assertThat(twice.readThrough(verdict("v1"))).isFalse();
    committed.put(FLEET, 13L); // the correlator decided on them (and committed any incident)
    assertThat(twice.readThrough(verdict("v1"))).isTrue();
  }

  @Test
  void shouldKeepTheStepWaitingWhenTheEngineGroupIsUnknownOrUnreadable() {
    committed.clear(); // no such group: engine.application.id differs from the engine's
    assertThat(barrier.readThrough(verdict("v1"))).isFalse();
    committed.putAll(Map.of(XID, 100L, FLEET, 10L));
    groupReadable = false;
    assertThat(barrier.readThrough(verdict("v1"))).isFalse();
    groupReadable = true;
    assertThat(barrier.readThrough(verdict("v1"))).isTrue();
  }

  @Test
  void shouldTakeTheEndsAfreshForTheNextStepAndForgetAClearedVerdict() {
    committed.put(XID, 100L);
    assertThat(barrier.readThrough(verdict("v1"))).isTrue();
    ends.put(XID, 120L);
    assertThat(barrier.readThrough(verdict("v1"))).isFalse();
    barrier.forget("v1");
    committed.put(XID, 120L);
    ends.put(XID, 200L);
    assertThat(barrier.readThrough(verdict("v1"))).isFalse(); // new target: 200
  }

  @Test
  void shouldIgnoreOffsetsTheGroupKeepsForATopicTheEngineNoLongerReads() {
    TopicPartition retired = new TopicPartition("retired", 0);
    committed.put(retired, 5L);
    ends.put(retired, 500L); // still written by someone, never read again by the engine
    committed.put(XID, 100L);
    assertThat(barrier.readThrough(verdict("v1"))).isTrue();
  }
}
