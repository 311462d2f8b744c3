package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderedBarriersTest {
  private final List<String> asked = new ArrayList<>();
  private boolean firstOpen;
  private boolean secondOpen;

  private final OrderedBarriers barriers =
      new OrderedBarriers(
          List.of(
              v -> {
                asked.add("first");
                return firstOpen;
              },
              v -> {
                asked.add("second");
                return secondOpen;
              }));

  private final FaultVerdict v =
      PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN);

  @Test
  void shouldAskABarrierOnlyOnceTheOneBeforeItPassedAndNotAskThatOneAgain() {
    assertThat(barriers.readThrough(v)).isFalse();
    assertThat(asked).containsExactly("first");
    firstOpen = true;
    assertThat(barriers.readThrough(v)).isFalse();
    firstOpen = false; // passed once for this verdict: not asked again
    assertThat(barriers.readThrough(v)).isFalse();
    secondOpen = true;
    assertThat(barriers.readThrough(v)).isTrue();
    assertThat(asked).containsExactly("first", "first", "second", "second", "second");
  }

  @Test
  void shouldStartFromTheFirstForTheNextStep() {
    firstOpen = true;
    secondOpen = true;
    assertThat(barriers.readThrough(v)).isTrue();
    firstOpen = false;
    assertThat(barriers.readThrough(v)).isFalse();
  }
}
