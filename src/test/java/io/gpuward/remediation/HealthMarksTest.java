package io.gpuward.remediation;

import static io.gpuward.avro.RemediationAction.CORDON;
import static io.gpuward.avro.RemediationAction.DRAIN;
import static io.gpuward.avro.RemediationAction.ESCALATE;
import static io.gpuward.avro.RemediationAction.REBOOT;
import static io.gpuward.avro.RemediationAction.REPLACE;
import static io.gpuward.avro.RemediationAction.RESET_GPU;
import static io.gpuward.avro.RemediationAction.UNCORDON;
import static io.gpuward.avro.RemediationAction.VALIDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import io.gpuward.remediation.port.HealthMark;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthMarksTest {

  private static Step step(RemediationAction a) {
    return new Step("op-" + a, a, 1, null, null);
  }

  @Test
  void shouldMarkWhatTheRepairOfThePlanIs() {
    assertThat(HealthMarks.ahead(List.of(step(CORDON), step(DRAIN), step(RESET_GPU))))
        .contains(HealthMark.PENDING_RESET);
    assertThat(HealthMarks.ahead(List.of(step(DRAIN), step(REBOOT))))
        .contains(HealthMark.PENDING_REBOOT);
    assertThat(HealthMarks.ahead(List.of(step(DRAIN), step(REPLACE))))
        .contains(HealthMark.PENDING_REPLACEMENT);
    assertThat(HealthMarks.ahead(List.of(step(VALIDATE)))).contains(HealthMark.VALIDATING);
    assertThat(HealthMarks.ahead(List.of(step(ESCALATE)))).contains(HealthMark.ESCALATED);
  }

  @Test
  void shouldLeaveTheMarkToTheCordonAndTheUncordonOtherwise() {
    assertThat(HealthMarks.ahead(List.of(step(CORDON)))).isEmpty();
    assertThat(HealthMarks.ahead(List.of(step(CORDON), step(DRAIN)))).isEmpty();
    assertThat(HealthMarks.ahead(List.of(step(UNCORDON)))).isEmpty();
  }

  @Test
  void shouldNotMarkForARepairThatIsSkippedOrOnlyRecorded() {
    Step skipped = new Step("op", REBOOT, 1, SkipReason.BUDGET, "no budget");
    Step recorded = Step.record("op", RESET_GPU, 1, Outcome.VERIFIED, "GPU back");
    assertThat(HealthMarks.ahead(List.of(step(DRAIN), skipped))).isEmpty();
    assertThat(HealthMarks.ahead(List.of(recorded, step(REBOOT))))
        .contains(HealthMark.PENDING_REBOOT);
  }

  @Test
  void shouldSetTheMarkBeforeTheFirstStepTowardTheRepairAndNotBeforeTheCordon() {
    assertThat(HealthMarks.setBefore(step(CORDON))).isFalse();
    assertThat(HealthMarks.setBefore(step(DRAIN))).isTrue();
    assertThat(HealthMarks.setBefore(step(RESET_GPU))).isTrue();
    assertThat(HealthMarks.setBefore(Step.record("op", RESET_GPU, 1, Outcome.VERIFIED, "")))
        .isFalse();
  }

  @Test
  void shouldNameLabelValuesAsSchedulersReadThem() {
    assertThat(HealthMark.PENDING_REPLACEMENT.value()).isEqualTo("pending-replacement");
    assertThat(HealthMark.UNSCHEDULABLE.value()).isEqualTo("unschedulable");
  }
}
