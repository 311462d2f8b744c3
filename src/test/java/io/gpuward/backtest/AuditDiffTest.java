package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.testing.SampleRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditDiffTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final Duration TOLERANCE = Duration.ofSeconds(5);

  private static RemediationRecord rec(
      String node, RemediationAction a, Outcome o, SkipReason why, int atSeconds) {
    return RemediationRecord.newBuilder(SampleRecords.remediationRecord())
        .setOperationId("op-" + node + "-" + a)
        .setVerdictId("v-" + node)
        .setNode(node)
        .setAction(a)
        .setOutcome(o)
        .setReason(why)
        .setAt(T0.plusSeconds(atSeconds))
        .build();
  }

  private static List<RemediationRecord> taken(String node, RemediationAction a, int at) {
    return List.of(
        rec(node, a, Outcome.PLANNED, null, at),
        rec(node, a, Outcome.STARTED, null, at),
        rec(node, a, Outcome.SUCCEEDED, null, at + 1));
  }

  @Test
  void shouldFindNoDifferenceBetweenAnAuditAndItself() {
    List<RemediationRecord> live = taken("n1", RemediationAction.DRAIN, 10);
    assertThat(AuditDiff.compare(live, live, Set.of(), TOLERANCE)).isEmpty();
  }

  @Test
  void shouldCallAnActionOnlyTheCandidateTookAddedAndSayItWasAssumed() {
    var changes =
        AuditDiff.compare(
            List.of(),
            taken("n1", RemediationAction.REBOOT, 10),
            Set.of("op-n1-REBOOT"),
            TOLERANCE);
    assertThat(changes)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.kind()).isEqualTo(AuditDiff.Kind.ADDED);
              assertThat(c.assumed()).isTrue();
              assertThat(c.liveWhat()).isEqualTo("-");
              assertThat(c.backtestWhat()).isEqualTo("SUCCEEDED");
            });
  }

  @Test
  void shouldCallAnActionTheCandidateSkippedForBudgetRemoved() {
    var changes =
        AuditDiff.compare(
            taken("n2", RemediationAction.DRAIN, 20),
            List.of(rec("n2", RemediationAction.DRAIN, Outcome.SKIPPED, SkipReason.BUDGET, 20)),
            Set.of(),
            TOLERANCE);
    assertThat(changes)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.kind()).isEqualTo(AuditDiff.Kind.REMOVED);
              assertThat(c.backtestWhat()).isEqualTo("SKIPPED BUDGET");
              assertThat(c.shift()).isNull();
            });
  }

  @Test
  void shouldCallTheSameActionStartedBeyondTheToleranceMoved() {
    var changes =
        AuditDiff.compare(
            taken("n3", RemediationAction.DRAIN, 20),
            taken("n3", RemediationAction.DRAIN, 90),
            Set.of(),
            TOLERANCE);
    assertThat(changes)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.kind()).isEqualTo(AuditDiff.Kind.MOVED);
              assertThat(c.shift()).isEqualTo(Duration.ofSeconds(70));
            });
  }

  @Test
  void shouldTakeTheSameActionWithinTheToleranceAsUnchanged() {
    assertThat(
            AuditDiff.compare(
                taken("n3", RemediationAction.DRAIN, 20),
                taken("n3", RemediationAction.DRAIN, 24),
                Set.of(),
                TOLERANCE))
        .isEmpty();
  }

  @Test
  void shouldReportTheSameActionEndingDifferently() {
    var failed =
        List.of(
            rec("n4", RemediationAction.RESET_GPU, Outcome.STARTED, null, 30),
            rec("n4", RemediationAction.RESET_GPU, Outcome.FAILED_PERMANENT, null, 31));
    var changes =
        AuditDiff.compare(
            taken("n4", RemediationAction.RESET_GPU, 30), failed, Set.of(), TOLERANCE);
    assertThat(changes)
        .singleElement()
        .satisfies(c -> assertThat(c.kind()).isEqualTo(AuditDiff.Kind.OUTCOME));
  }

  @Test
  void shouldReportAnActionNeitherTookButSkippedForAnotherReason() {
    var changes =
        AuditDiff.compare(
            List.of(
                rec("n5", RemediationAction.DRAIN, Outcome.SKIPPED, SkipReason.INCIDENT_HOLD, 5)),
            List.of(rec("n5", RemediationAction.DRAIN, Outcome.SKIPPED, SkipReason.BUDGET, 5)),
            Set.of(),
            TOLERANCE);
    assertThat(changes)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.kind()).isEqualTo(AuditDiff.Kind.SKIP);
              assertThat(c.liveWhat()).isEqualTo("SKIPPED INCIDENT_HOLD");
            });
  }

  @Test
  void shouldListChangesInTimeOrder() {
    var live = new ArrayList<>(taken("late", RemediationAction.DRAIN, 100));
    live.addAll(taken("early", RemediationAction.DRAIN, 10));
    var changes = AuditDiff.compare(live, List.of(), Set.of(), TOLERANCE);
    assertThat(changes).extracting(AuditDiff.Change::node).containsExactly("early", "late");
  }
}
