package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.POLICY;
import static io.gpuward.remediation.GateFixtures.node;
import static io.gpuward.remediation.GateFixtures.open;
import static io.gpuward.remediation.GateFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import org.junit.jupiter.api.Test;

class LadderClimbTest {
  private final LadderClimb ladder = new LadderClimb(POLICY);
  private final Ledger ledger = new Ledger();
  private final FaultVerdict xid = open(FaultClass.GPU_XID_FATAL, RemediationAction.RESET_GPU);

  private Route route(java.time.Instant now) {
    return ladder.route(xid, RemediationAction.RESET_GPU, null, node(null), ledger, now);
  }

  @Test
  void shouldStartAtTheRecommendedRung() {
    assertThat(route(NOW).ops())
        .extracting(Op::action)
        .containsExactly(
            RemediationAction.CORDON, RemediationAction.DRAIN, RemediationAction.RESET_GPU);
  }

  @Test
  void shouldWaitForAResetToBeVerifiedWithinItsDeadline() {
    record(ledger, xid, RemediationAction.RESET_GPU, 1, Outcome.SUCCEEDED, NOW, null);
    assertThat(route(NOW.plusSeconds(74)).decision())
        .isEqualTo(new Decision.Defer(NOW.plusSeconds(75), "waiting for RESET_GPU to be verified"));
  }

  @Test
  void shouldClimbToARebootWhenTheResetWasNotVerifiedInTime() {
    record(ledger, xid, RemediationAction.RESET_GPU, 1, Outcome.SUCCEEDED, NOW, null);
    Route r = route(NOW.plusSeconds(75));
    assertThat(r.facts())
        .singleElement()
        .satisfies(s -> assertThat(s.report()).isEqualTo(Outcome.FAILED_PERMANENT));
    assertThat(r.ops()).extracting(Op::action).contains(RemediationAction.REBOOT);
    assertThat(r.note()).isEqualTo("escalation ladder: RESET_GPU did not fix it, now REBOOT");
  }

  @Test
  void shouldGoStraightToEscalatePastAnAmbiguousRung() {
    record(ledger, xid, RemediationAction.RESET_GPU, 1, Outcome.AMBIGUOUS, NOW, null);
    assertThat(route(NOW).ops()).extracting(Op::action).containsExactly(RemediationAction.ESCALATE);
  }

  @Test
  void shouldStopOnceARungIsVerified() {
    record(ledger, xid, RemediationAction.RESET_GPU, 1, Outcome.VERIFIED, NOW, null);
    assertThat(route(NOW).decision()).isInstanceOf(Decision.Skip.class);
  }
}
