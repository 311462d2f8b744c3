package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.testing.SampleRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShadowDiffTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final Duration TOLERANCE = Duration.ofSeconds(10);
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private static RemediationRecord rec(
      String node, RemediationAction a, Outcome o, SkipReason why, int atSeconds, String policy) {
    return RemediationRecord.newBuilder(SampleRecords.remediationRecord())
        .setOperationId("op-" + node + "-" + a)
        .setVerdictId("v-" + node)
        .setNode(node)
        .setAction(a)
        .setOutcome(o)
        .setReason(why)
        .setPolicyVersion(policy)
        .setAt(T0.plusSeconds(atSeconds))
        .build();
  }

  private static List<RemediationRecord> taken(
      String node, RemediationAction a, int at, String policy) {
    return List.of(
        rec(node, a, Outcome.PLANNED, null, at, policy),
        rec(node, a, Outcome.STARTED, null, at, policy),
        rec(node, a, Outcome.SUCCEEDED, null, at + 1, policy));
  }

  private static ShadowDiff.Result compare(
      List<RemediationRecord> live, List<RemediationRecord> shadow, Instant from) {
    return ShadowDiff.compare(List.of(), live, shadow, from, null, TOLERANCE, SETTLE);
  }

  @Test
  void shouldPairTheSameVerdictAndActionAndFindNoDifferenceWhenBothDecidedAlike() {
    var live = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 10, "live-1"));
    live.addAll(taken("n9", RemediationAction.CORDON, 300, "live-1")); // moves the horizon
    var shadow = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 14, "tight-1"));
    shadow.addAll(taken("n9", RemediationAction.CORDON, 300, "tight-1"));

    ShadowDiff.Result r = compare(live, shadow, null);

    assertThat(r.diff().changes()).isEmpty();
    assertThat(r.diff().candidatePolicy()).isEqualTo("tight-1");
    assertThat(r.pending()).isEmpty();
  }

  @Test
  void shouldCallADrainTheShadowHeldForBudgetRemovedOnceSettled() {
    List<RemediationRecord> live = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 10, "a"));
    live.addAll(taken("n2", RemediationAction.DRAIN, 11, "a"));
    live.addAll(taken("n9", RemediationAction.CORDON, 200, "a"));
    List<RemediationRecord> shadow = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 10, "b"));
    shadow.add(rec("n2", RemediationAction.DRAIN, Outcome.SKIPPED, SkipReason.BUDGET, 11, "b"));
    shadow.addAll(taken("n9", RemediationAction.CORDON, 200, "b"));

    ShadowDiff.Result r = compare(live, shadow, null);

    assertThat(r.diff().changes())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.kind()).isEqualTo(AuditDiff.Kind.REMOVED);
              assertThat(c.node()).isEqualTo("n2");
              assertThat(c.backtestWhat()).isEqualTo("SKIPPED BUDGET");
            });
  }

  @Test
  void shouldHoldBackAnOperationStillYoungerThanTheSettleTime() {
    List<RemediationRecord> live = new ArrayList<>(taken("n1", RemediationAction.REBOOT, 10, "a"));
    List<RemediationRecord> shadow = new ArrayList<>();
    shadow.add(rec("n0", RemediationAction.CORDON, Outcome.SUCCEEDED, null, 0, "b"));
    // The shadow has not written its reboot yet: 40 s is within the 60 s settle time.
    shadow.add(rec("n1", RemediationAction.CORDON, Outcome.SUCCEEDED, null, 50, "b"));

    ShadowDiff.Result r = compare(live, shadow, null);

    assertThat(r.diff().changes()).extracting(AuditDiff.Change::node).doesNotContain("n1");
    assertThat(r.pending()).contains("op-n1-REBOOT");
    assertThat(r.settledUntil()).isEqualTo(T0.minusSeconds(10));

    ShadowDiff.Result later =
        ShadowDiff.compare(List.of(), live, shadow, null, T0.plusSeconds(120), TOLERANCE, SETTLE);
    assertThat(later.diff().changes())
        .extracting(AuditDiff.Change::operationId, AuditDiff.Change::kind)
        .contains(tuple("op-n1-REBOOT", AuditDiff.Kind.REMOVED));
  }

  @Test
  void shouldLeaveOutOperationsBegunBeforeTheShadowStarted() {
    List<RemediationRecord> live = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 10, "a"));
    live.addAll(taken("n2", RemediationAction.DRAIN, 100, "a"));
    // The shadow starts at +90 s and resumes n1's open verdict: its drain there is not new.
    List<RemediationRecord> shadow = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 90, "b"));
    shadow.addAll(taken("n2", RemediationAction.DRAIN, 100, "b"));
    shadow.addAll(taken("n9", RemediationAction.CORDON, 400, "b"));
    live.addAll(taken("n9", RemediationAction.CORDON, 400, "a"));

    ShadowDiff.Result r = compare(live, shadow, null);

    assertThat(r.diff().changes()).isEmpty();
    assertThat(r.diff().from()).isEqualTo(T0.plusSeconds(90));
  }

  @Test
  void shouldShowEachChangeOnceToAFollower() {
    List<RemediationRecord> live = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 10, "a"));
    List<RemediationRecord> shadow = new ArrayList<>();
    shadow.add(rec("n1", RemediationAction.DRAIN, Outcome.SKIPPED, SkipReason.BUDGET, 10, "b"));
    Set<String> shown = new HashSet<>();
    Instant later = T0.plusSeconds(600);

    var first = ShadowDiff.compare(List.of(), live, shadow, null, later, TOLERANCE, SETTLE);
    assertThat(ShadowDiff.unseen(first, shown)).hasSize(1);
    assertThat(ShadowDiff.unseen(first, shown)).isEmpty();

    shadow.addAll(taken("n1", RemediationAction.DRAIN, 100, "b")); // budget freed: now MOVED
    var second = ShadowDiff.compare(List.of(), live, shadow, null, later, TOLERANCE, SETTLE);
    assertThat(ShadowDiff.unseen(second, shown))
        .singleElement()
        .extracting(AuditDiff.Change::kind)
        .isEqualTo(AuditDiff.Kind.MOVED);
  }
}
