package io.gpuward.cli;

import static io.gpuward.cli.ReadModelFixtures.POLICY;
import static io.gpuward.cli.ReadModelFixtures.T0;
import static io.gpuward.cli.ReadModelFixtures.step;
import static io.gpuward.cli.ReadModelFixtures.verdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.RemediationPolicy;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What `explain` and `status` say of a node whose repair is validated before it returns. */
class NextStepValidateTest {
  private static final NextStep VALIDATING =
      new NextStep(
          POLICY.withValidate(
              new RemediationPolicy.Validate(
                  Set.of(FaultClass.GPU_LOST), 2, Duration.ofMinutes(10))));

  private static Trail trail(FaultVerdict v, RemediationAction a, Outcome o, int sec) {
    Trail t = new Trail();
    t.add(step(v, a, o, null, sec, ""));
    return t;
  }

  @Test
  void shouldSayAClearedVerdictWaitsForItsDiagnosticsAndUntilWhen() {
    FaultVerdict v = verdict("v-1", "p4d-train-0", FaultClass.GPU_LOST, VerdictState.CLEARED);
    NextStep.Waiting w =
        VALIDATING.of(v, trail(v, RemediationAction.VALIDATE, Outcome.STARTED, 60), T0);
    assertThat(w.what()).isEqualTo("DCGM diagnostics to finish");
    assertThat(w.until()).isEqualTo(T0.plusSeconds(60).plus(Duration.ofMinutes(10)));
    assertThat(w.then()).startsWith("UNCORDON if they pass");
  }

  @Test
  void shouldSayAVerifiedRepairIsValidatedNextAndAFailedValidationClimbs() {
    FaultVerdict v = verdict("v-1", "p4d-train-0", FaultClass.GPU_LOST, VerdictState.CLEARED);
    assertThat(
            VALIDATING.of(v, trail(v, RemediationAction.REBOOT, Outcome.VERIFIED, 60), T0).what())
        .startsWith("VALIDATE (planned next)");
    assertThat(
            VALIDATING
                .of(v, trail(v, RemediationAction.VALIDATE, Outcome.FAILED_PERMANENT, 90), T0)
                .what())
        .isEqualTo("the next rung: the diagnostics failed");
  }

  @Test
  void shouldSayNothingIsLeftForAClearedVerdictWhenThePolicyDoesNotValidate() {
    FaultVerdict v = verdict("v-1", "p4d-train-0", FaultClass.GPU_LOST, VerdictState.CLEARED);
    NextStep off = new NextStep(POLICY.withValidate(RemediationPolicy.Validate.OFF));
    assertThat(off.of(v, trail(v, RemediationAction.REBOOT, Outcome.VERIFIED, 60), T0).what())
        .startsWith("nothing: cleared");
  }

  @Test
  void shouldNameValidationBeforeTheUncordonOfACordonedVerdict() {
    FaultVerdict v = verdict("v-2", "p4d-train-1", FaultClass.GPU_LOST, VerdictState.OPEN);
    NextStep.Waiting w =
        VALIDATING.of(
            FaultVerdict.newBuilder(v).setRecommendedAction(RemediationAction.CORDON).build(),
            trail(v, RemediationAction.CORDON, Outcome.SUCCEEDED, 5),
            T0);
    assertThat(w.what()).isEqualTo("the verdict to clear (then VALIDATE and UNCORDON)");
  }
}
