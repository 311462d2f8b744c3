package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.testing.SampleRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditMeasuresTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private static RemediationRecord rec(String node, RemediationAction a, Outcome o, int at) {
    return rec(node, "v-" + node, a, o, at);
  }

  private static RemediationRecord rec(
      String node, String verdict, RemediationAction a, Outcome o, int at) {
    return RemediationRecord.newBuilder(SampleRecords.remediationRecord())
        .setOperationId("op-" + verdict + "-" + a)
        .setVerdictId(verdict)
        .setNode(node)
        .setAction(a)
        .setOutcome(o)
        .setReason(null)
        .setNodegroup("p5")
        .setAt(T0.plusSeconds(at))
        .build();
  }

  private static FaultVerdict verdict(String node, VerdictState s, int at) {
    return FaultVerdict.newBuilder(SampleRecords.faultVerdict())
        .setVerdictId("v-" + node)
        .setNode(node)
        .setState(s)
        .setDetectedAt(T0)
        .setUpdatedAt(T0.plusSeconds(at))
        .build();
  }

  @Test
  void shouldCountNodesInDisruptionAtOnceUntilVerifiedOrCleared() {
    var audit =
        List.of(
            rec("a", RemediationAction.DRAIN, Outcome.STARTED, 10),
            rec("b", RemediationAction.DRAIN, Outcome.STARTED, 20),
            rec("a", RemediationAction.REBOOT, Outcome.VERIFIED, 30),
            rec("c", RemediationAction.DRAIN, Outcome.STARTED, 40));
    var verdicts = List.of(verdict("b", VerdictState.CLEARED, 40));
    var peaks = AuditMeasures.peaks(audit, verdicts, T0.plusSeconds(100));
    // a: 10..30, b: 20..40 (cleared), c: 40..end; b ending as c starts does not overlap it
    assertThat(peaks).containsEntry("global", 2).containsEntry("nodegroup:p5", 2);
  }

  @Test
  void shouldCountANodeOnceWhenTwoOfItsVerdictsAreInDisruption() {
    var audit =
        List.of(
            rec("a", "v-a1", RemediationAction.DRAIN, Outcome.STARTED, 10),
            rec("a", "v-a2", RemediationAction.DRAIN, Outcome.STARTED, 15),
            rec("a", "v-a1", RemediationAction.REBOOT, Outcome.STARTED, 20));
    var peaks = AuditMeasures.peaks(audit, List.of(), T0.plusSeconds(100));
    assertThat(peaks).containsEntry("global", 1).containsEntry("nodegroup:p5", 1);
  }

  @Test
  void shouldEndADisruptionAtItsEscalation() {
    var audit =
        List.of(
            rec("a", RemediationAction.REPLACE, Outcome.STARTED, 10),
            rec("a", RemediationAction.REPLACE, Outcome.FAILED_PERMANENT, 20),
            rec("a", RemediationAction.ESCALATE, Outcome.SUCCEEDED, 30),
            rec("b", RemediationAction.DRAIN, Outcome.STARTED, 40));
    // a's failed replace keeps its budget (the ladder climbs); its escalation frees it before b
    assertThat(AuditMeasures.peaks(audit, List.of(), T0.plusSeconds(100)))
        .containsEntry("global", 1);
  }

  @Test
  void shouldEndADisruptionAtAStepThatFailedForGoodOutsideTheLadder() {
    var audit =
        List.of(
            rec("a", RemediationAction.DRAIN, Outcome.STARTED, 10),
            rec("a", RemediationAction.DRAIN, Outcome.FAILED_PERMANENT, 20),
            rec("b", RemediationAction.DRAIN, Outcome.STARTED, 30),
            rec("c", RemediationAction.RESET_GPU, Outcome.STARTED, 40),
            rec("c", RemediationAction.RESET_GPU, Outcome.FAILED_PERMANENT, 50),
            rec("d", RemediationAction.DRAIN, Outcome.STARTED, 60));
    // a frees its budget at 20; c's reset is a rung, so c stays in disruption beside b and d
    assertThat(AuditMeasures.peaks(audit, List.of(), T0.plusSeconds(100)))
        .containsEntry("global", 3);
  }

  @Test
  void shouldEndANodesDisruptionOnlyWhenEveryVerdictTakingPartIsDone() {
    var audit =
        List.of(
            rec("a", "v-a1", RemediationAction.DRAIN, Outcome.STARTED, 10),
            rec("a", "v-a2", RemediationAction.DRAIN, Outcome.STARTED, 12),
            rec("b", RemediationAction.DRAIN, Outcome.STARTED, 30),
            rec("b", RemediationAction.REBOOT, Outcome.VERIFIED, 35),
            rec("a", "v-a1", RemediationAction.REBOOT, Outcome.VERIFIED, 50),
            rec("c", RemediationAction.DRAIN, Outcome.STARTED, 60));
    var verdicts =
        List.of(
            FaultVerdict.newBuilder(verdict("a", VerdictState.CLEARED, 20))
                .setVerdictId("v-a2")
                .build());
    // a: 10..50, as its reboot for v-a1 still ran when v-a2 cleared; b (30..35) overlaps it;
    // c starts after a's last verdict is done
    assertThat(AuditMeasures.peaks(audit, verdicts, T0.plusSeconds(100)))
        .containsEntry("global", 2);
  }

  @Test
  void shouldMeasureFromDetectionToTheFirstDisruptiveStep() {
    var audit =
        List.of(
            rec("a", RemediationAction.CORDON, Outcome.STARTED, 2),
            rec("a", RemediationAction.DRAIN, Outcome.STARTED, 12),
            rec("a", RemediationAction.REBOOT, Outcome.STARTED, 70));
    var first = AuditMeasures.firstDisruption(audit, List.of(verdict("a", VerdictState.OPEN, 0)));
    assertThat(first).containsExactly(Map.entry("v-a", Duration.ofSeconds(12)));
  }
}
