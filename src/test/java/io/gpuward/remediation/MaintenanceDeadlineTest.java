package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.open;
import static io.gpuward.remediation.GateFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaintenanceDeadlineTest {
  static final Instant START = NOW.plusSeconds(600);

  private final MaintenanceDeadline gate = new MaintenanceDeadline();
  private final Ledger ledger = new Ledger();
  private final FaultVerdict retirement =
      FaultVerdict.newBuilder(open(FaultClass.SCHEDULED_MAINTENANCE, RemediationAction.REPLACE))
          .setEvidence(List.of(evidence(START)))
          .build();
  private final FollowUpGate.Target replace =
      new FollowUpGate.Target(RemediationAction.REPLACE, null);

  static Evidence evidence(Instant windowStart) {
    return Evidence.newBuilder()
        .setSource("derived")
        .setEventTime(NOW)
        .setSignal("ec2_scheduled_event:instance-retirement")
        .setPartition(null)
        .setOffset(null)
        .setEventId(null)
        .setValue(null)
        .setWindowStart(windowStart)
        .setWindowEnd(null)
        .setGpuUuid(null)
        .setDetail(null)
        .build();
  }

  @Test
  void shouldKeepTheActionBeforeTheEventStarts() {
    assertThat(gate.target(retirement, replace, ledger, START.minusSeconds(1))).isEqualTo(replace);
  }

  @Test
  void shouldEscalateWhenTheEventStartedBeforeAnyDisruptiveStep() {
    record(ledger, retirement, RemediationAction.CORDON, 1, Outcome.SUCCEEDED, NOW, null);
    record(ledger, retirement, RemediationAction.DRAIN, 1, Outcome.SKIPPED, NOW, "budget");

    var t = gate.target(retirement, replace, ledger, START);

    assertThat(t.action()).isEqualTo(RemediationAction.ESCALATE);
    assertThat(t.note()).contains(START.toString()).contains("not moved off in time");
  }

  @Test
  void shouldLetAStepUnderWayGoOnPastTheStart() {
    record(ledger, retirement, RemediationAction.DRAIN, 1, Outcome.STARTED, NOW, null);

    assertThat(gate.target(retirement, replace, ledger, START.plusSeconds(60))).isEqualTo(replace);
  }

  @Test
  void shouldBeDueAtTheEventStartUntilADisruptiveStepStarted() {
    assertThat(gate.due(retirement, ledger)).contains(START);

    record(ledger, retirement, RemediationAction.DRAIN, 1, Outcome.SUCCEEDED, NOW, null);

    assertThat(gate.due(retirement, ledger)).isEmpty();
  }

  @Test
  void shouldLeaveOtherClassesAlone() {
    FaultVerdict lost = open(FaultClass.GPU_LOST, RemediationAction.REBOOT);
    var reboot = new FollowUpGate.Target(RemediationAction.REBOOT, null);

    assertThat(MaintenanceDeadline.deadline(lost)).isEmpty();
    assertThat(gate.target(lost, reboot, ledger, START.plusSeconds(3600))).isEqualTo(reboot);
  }

  @Test
  void shouldTakeTheEarliestEventStartAsTheDeadline() {
    FaultVerdict two =
        FaultVerdict.newBuilder(retirement)
            .setEvidence(List.of(evidence(START), evidence(START.minusSeconds(120))))
            .build();

    assertThat(MaintenanceDeadline.deadline(two)).contains(START.minusSeconds(120));
  }
}
