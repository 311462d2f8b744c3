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
    return RemediationRecord.newBuilder(SampleRecords.remediationRecord())
        .setOperationId("op-" + node + "-" + a)
        .setVerdictId("v-" + node)
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
