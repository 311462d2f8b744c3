package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.POLICY;
import static io.gpuward.remediation.GateFixtures.cleared;
import static io.gpuward.remediation.GateFixtures.open;
import static io.gpuward.remediation.GateFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequeueTest {
  private final Requeue requeue = new Requeue(new Planner(POLICY));
  private final Ledger ledger = new Ledger();
  private final ControlState controls = new ControlState();
  private final FaultVerdict xid = open(FaultClass.GPU_XID_FATAL, RemediationAction.RESET_GPU);

  @Test
  void shouldPlanAgainAtOnceWhenTheLadderMovesOn() {
    assertThat(requeue.next(xid, ledger, controls, true, false, NOW)).contains(NOW);
  }

  @Test
  void shouldLookAgainEveryRecheckWhileARungAwaitsVerification() {
    record(ledger, xid, RemediationAction.RESET_GPU, 1, Outcome.SUCCEEDED, NOW, null);
    assertThat(requeue.next(xid, ledger, controls, false, false, NOW))
        .contains(NOW.plus(POLICY.ladder().recheck()));
  }

  @Test
  void shouldWakeAFollowUpWhenItIsDue() {
    var drop = open(FaultClass.GPU_ALLOCATABLE_MISMATCH, RemediationAction.CORDON);
    record(ledger, drop, RemediationAction.CORDON, 1, Outcome.SUCCEEDED, NOW, null);
    assertThat(requeue.next(drop, ledger, controls, false, false, NOW))
        .contains(NOW.plus(Duration.ofMinutes(2)));
  }

  @Test
  void shouldWakeAHeldScheduledMaintenanceAtTheEventStart() {
    FaultVerdict retirement =
        FaultVerdict.newBuilder(open(FaultClass.SCHEDULED_MAINTENANCE, RemediationAction.REPLACE))
            .setEvidence(java.util.List.of(MaintenanceDeadlineTest.evidence(NOW.plusSeconds(900))))
            .build();
    record(ledger, retirement, RemediationAction.DRAIN, 1, Outcome.SKIPPED, NOW, "budget");
    assertThat(requeue.next(retirement, ledger, controls, false, false, NOW))
        .contains(NOW.plusSeconds(900));
  }

  @Test
  void shouldWakeAVerdictWhenThePauseThatBlocksItExpires() {
    controls.apply(PlannerTest.command("node:p5-train-2", ControlKind.PAUSE, NOW.plusSeconds(600)));
    assertThat(requeue.next(xid, ledger, controls, false, false, NOW))
        .contains(NOW.plusSeconds(600));
  }

  @Test
  void shouldNeverRequeueAClearedVerdictOrOneWithNothingDue() {
    assertThat(requeue.next(cleared(), ledger, controls, true, true, NOW)).isEmpty();
    assertThat(requeue.next(xid, ledger, controls, false, false, NOW)).isEmpty();
  }
}
