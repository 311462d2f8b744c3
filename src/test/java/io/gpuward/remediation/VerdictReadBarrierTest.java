package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class VerdictReadBarrierTest {
  private static final TopicPartition P0 = new TopicPartition("verdicts", 0);
  private static final TopicPartition P1 = new TopicPartition("verdicts", 1);

  private final Map<TopicPartition, Long> ends = new HashMap<>(Map.of(P0, 10L, P1, 20L));
  private final AtomicInteger asked = new AtomicInteger();
  private boolean brokerUp = true;
  private final VerdictReadBarrier barrier =
      new VerdictReadBarrier(
          parts -> {
            asked.incrementAndGet();
            if (!brokerUp) {
              return Optional.empty();
            }
            Map<TopicPartition, Long> got = new HashMap<>();
            parts.forEach(tp -> got.put(tp, ends.get(tp)));
            return Optional.of(got);
          });

  private static FaultVerdict verdict(String node) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN))
        .setVerdictId("v-" + node)
        .setNode(node)
        .build();
  }

  @Test
  void shouldWaitUntilTheNodesPartitionWasReadToTheEndItHadWhenFirstAsked() {
    barrier.read("n1", P0);
    barrier.position(P0, 7);
    assertThat(barrier.readThrough(verdict("n1"))).isFalse();
    ends.put(P0, 15L); // more written since: the target stays the end taken first
    barrier.position(P0, 10);
    assertThat(barrier.readThrough(verdict("n1"))).isTrue();
    assertThat(asked).hasValue(1);
  }

  @Test
  void shouldTakeTheEndAfreshForTheNextStep() {
    barrier.read("n1", P0);
    barrier.position(P0, 10);
    assertThat(barrier.readThrough(verdict("n1"))).isTrue();
    ends.put(P0, 12L);
    assertThat(barrier.readThrough(verdict("n1"))).isFalse();
    assertThat(asked).hasValue(2);
  }

  @Test
  void shouldIgnoreOtherPartitionsForANodeItReadFromOne() {
    barrier.read("n1", P0);
    barrier.position(P0, 10);
    barrier.position(P1, 0);
    assertThat(barrier.readThrough(verdict("n1"))).isTrue();
  }

  @Test
  void shouldWaitForEveryPartitionReadSoFarForANodeNotReadSinceStart() {
    barrier.position(P0, 10);
    barrier.position(P1, 5);
    assertThat(barrier.readThrough(verdict("restored"))).isFalse();
    barrier.position(P1, 20);
    assertThat(barrier.readThrough(verdict("restored"))).isTrue();
  }

  @Test
  void shouldKeepTheStepWaitingWhileTheEndsCannotBeRead() {
    barrier.read("n1", P0);
    barrier.position(P0, 100);
    brokerUp = false;
    assertThat(barrier.readThrough(verdict("n1"))).isFalse();
    brokerUp = true;
    assertThat(barrier.readThrough(verdict("n1"))).isTrue();
  }

  @Test
  void shouldNeverMoveAPositionBack() {
    barrier.read("n1", P0);
    barrier.position(P0, 10);
    // re-assigned after a rebalance, the partition is read again from the committed offset: the
    // versions up to 10 were noted already
    barrier.position(P0, 3);
    assertThat(barrier.readThrough(verdict("n1"))).isTrue();
  }
}
