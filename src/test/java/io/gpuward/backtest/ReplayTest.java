package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.remediation.OperationIds;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.testing.SampleRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replay on its manual clock: deferred verdicts are planned again exactly when due (no timer
 * thread), and an operation the live remediator carried out takes the time it took live.
 */
class ReplayTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final String NODE = "p5-0";
  private static final RemediationPolicy POLICY = RemediationPolicy.load();

  private static List<NodeInventory> fleet() {
    List<NodeInventory> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      out.add(
          NodeInventory.newBuilder(SampleRecords.nodeInventory())
              .setNode("p5-" + i)
              .setInstanceId("i-" + i)
              .setNodegroup("p5")
              .setUpdatedAt(T0.minusSeconds(60))
              .build());
    }
    return out;
  }

  private static FaultVerdict lost() {
    return FaultVerdict.newBuilder(SampleRecords.faultVerdict())
        .setVerdictId("v-lost")
        .setNode(NODE)
        .setNodegroup("p5")
        .setInstanceId("i-0")
        .setRecommendedAction(RemediationAction.REBOOT)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plus(Duration.ofHours(1)))
        .setHeld(false)
        .setIncidentId(null)
        .build();
  }

  private static History history(List<RemediationRecord> liveAudit) {
    return new History(List.of(lost()), List.of(), fleet(), List.of(), liveAudit);
  }

  private static Instant at(List<RemediationRecord> audit, RemediationAction a, Outcome o) {
    return audit.stream()
        .filter(r -> r.getAction() == a && r.getOutcome() == o)
        .map(RemediationRecord::getAt)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + a + " " + o + " in " + audit));
  }

  @Test
  void shouldClimbPastAnUnverifiedRebootExactlyAtItsDeadline() {
    Replay.Result r = Replay.run(history(List.of()), POLICY, T0.plus(Duration.ofMinutes(10)));
    Instant rebooted = at(r.audit(), RemediationAction.REBOOT, Outcome.SUCCEEDED);
    Instant given = at(r.audit(), RemediationAction.REBOOT, Outcome.FAILED_PERMANENT);
    assertThat(Duration.between(rebooted, given))
        .isEqualTo(POLICY.ladder().deadline(RemediationAction.REBOOT));
    assertThat(r.assumed())
        .as("nothing was recorded live: every operation carried out is assumed")
        .contains(OperationIds.of(NODE, "v-lost", RemediationAction.REBOOT, 1));
  }

  @Test
  void shouldTakeAsLongForADrainAsItTookLive() {
    String drain = OperationIds.of(NODE, "v-lost", RemediationAction.DRAIN, 1);
    List<RemediationRecord> live =
        List.of(
            record(drain, RemediationAction.DRAIN, Outcome.STARTED, 2),
            record(drain, RemediationAction.DRAIN, Outcome.SUCCEEDED, 62));
    Replay.Result r = Replay.run(history(live), POLICY, T0.plus(Duration.ofMinutes(3)));
    Instant started = at(r.audit(), RemediationAction.DRAIN, Outcome.STARTED);
    Instant done = at(r.audit(), RemediationAction.DRAIN, Outcome.SUCCEEDED);
    assertThat(Duration.between(started, done)).isEqualTo(Duration.ofSeconds(60));
    assertThat(at(r.audit(), RemediationAction.REBOOT, Outcome.STARTED)).isEqualTo(done);
    assertThat(r.assumed()).doesNotContain(drain);
  }

  private static RemediationRecord record(String op, RemediationAction a, Outcome o, int at) {
    return RemediationRecord.newBuilder(SampleRecords.remediationRecord())
        .setOperationId(op)
        .setVerdictId("v-lost")
        .setNode(NODE)
        .setAction(a)
        .setOutcome(o)
        .setReason(null)
        .setAt(T0.plusSeconds(at))
        .build();
  }
}
