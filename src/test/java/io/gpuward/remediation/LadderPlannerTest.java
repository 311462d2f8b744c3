package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The escalation ladder, repeat offenders, configuration scopes and crash reconciliation. */
class LadderPlannerTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private final RemediationPolicy policy = RemediationPolicy.load();
  private final Planner planner = new Planner(policy);
  private final Ledger ledger = new Ledger();

  private static FaultVerdict xid119(String id, String node, Instant detectedAt) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(
                FaultClass.GPU_XID_FATAL, RemediationAction.RESET_GPU, VerdictState.OPEN))
        .setVerdictId(id)
        .setNode(node)
        .setGpus(List.of(GpuRef.newBuilder().setUuid("GPU-1").setIndex(0).build()))
        .setDetectedAt(detectedAt)
        .setValidUntil(NOW.plus(Duration.ofHours(2)))
        .build();
  }

  private static LiveNode live(String bootId, String cordonedBy) {
    return LiveNode.named("p5-train-2")
        .bootId(bootId)
        .ready(true)
        .unschedulable(cordonedBy != null)
        .cordonedBy(Optional.ofNullable(cordonedBy))
        .instanceId("i-1")
        .asgName("asg")
        .labels(PlannerTest.GPU_NODE)
        .build();
  }

  private void record(
      FaultVerdict v, RemediationAction a, int attempt, Outcome o, Instant at, String detail) {
    ledger.record(
        RemediationRecord.newBuilder()
            .setOperationId(OperationIds.of(v.getNode(), v.getVerdictId(), a, attempt))
            .setVerdictId(v.getVerdictId())
            .setNode(v.getNode())
            .setAction(a)
            .setOutcome(o)
            .setAttempt(attempt)
            .setPolicyVersion(policy.version())
            .setAt(at)
            .setDetail(detail)
            .build());
  }

  private void done(FaultVerdict v, Instant at, RemediationAction... actions) {
    for (RemediationAction a : actions) {
      record(v, a, 1, Outcome.SUCCEEDED, at, null);
    }
  }

  private List<Step> plan(FaultVerdict v, Optional<LiveNode> live, Instant now) {
    return Plans.plan(planner, v, live, ledger, new ControlState(), false, null, now);
  }

  @Test
  void shouldStartTheLadderAtTheRecommendedRung() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(30));
    assertThat(plan(v, Optional.of(live("b1", null)), NOW))
        .extracting(Step::action)
        .containsExactly(
            RemediationAction.CORDON, RemediationAction.DRAIN, RemediationAction.RESET_GPU);
  }

  @Test
  void shouldWaitForVerificationUntilTheRungsDeadline() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(60));
    Instant resetAt = NOW.minusSeconds(10);
    done(
        v, resetAt, RemediationAction.CORDON, RemediationAction.DRAIN, RemediationAction.RESET_GPU);
    Duration deadline = policy.ladder().deadline(RemediationAction.RESET_GPU);
    assertThat(plan(v, Optional.of(live("b1", "op")), resetAt.plus(deadline).minusMillis(1)))
        .isEmpty();
    assertThat(planner.awaitingVerification(v, ledger)).isTrue();
  }

  @Test
  void shouldClimbToRebootWhenTheResetIsNotVerifiedInTime() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(300));
    Instant resetAt = NOW.minusSeconds(200);
    done(
        v, resetAt, RemediationAction.CORDON, RemediationAction.DRAIN, RemediationAction.RESET_GPU);
    var steps = plan(v, Optional.of(live("b1", "op")), NOW);
    assertThat(steps).hasSize(2);
    assertThat(steps.get(0).action()).isEqualTo(RemediationAction.RESET_GPU);
    assertThat(steps.get(0).report()).isEqualTo(Outcome.FAILED_PERMANENT);
    assertThat(steps.get(0).detail()).contains("not verified within");
    // Cordon and drain of the session are done already: only the reboot is left.
    assertThat(steps.get(1).action()).isEqualTo(RemediationAction.REBOOT);
    assertThat(steps.get(1).reportOnly()).isFalse();
    assertThat(steps.get(1).skipped()).isFalse();
    assertThat(steps.get(1).detail()).contains("RESET_GPU did not fix it, now REBOOT");
  }

  @Test
  void shouldDrainTheWholeNodeBeforeARebootWhenTheEarlierDrainWasOneGpus() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(300));
    Instant resetAt = NOW.minusSeconds(200);
    done(v, resetAt, RemediationAction.CORDON, RemediationAction.RESET_GPU);
    record(
        v,
        RemediationAction.DRAIN,
        1,
        Outcome.SUCCEEDED,
        resetAt,
        "drained GPU 0: 1 pod(s) evicted (ml/a); the other GPUs' pods keep running");

    var steps = plan(v, Optional.of(live("b1", "op")), NOW);

    assertThat(steps)
        .extracting(Step::action)
        .containsExactly(
            RemediationAction.RESET_GPU, RemediationAction.DRAIN, RemediationAction.REBOOT);
    assertThat(steps.get(1).attempt()).isEqualTo(2);
    assertThat(steps.get(1).reportOnly()).isFalse();
    assertThat(steps.get(1).skipped()).isFalse();
  }

  @Test
  void shouldClimbRebootThenReplaceThenEscalate() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(7200));
    done(
        v,
        NOW.minusSeconds(7000),
        RemediationAction.CORDON,
        RemediationAction.DRAIN,
        RemediationAction.RESET_GPU);
    record(v, RemediationAction.RESET_GPU, 1, Outcome.FAILED_PERMANENT, NOW.minusSeconds(6900), "");
    done(v, NOW.minusSeconds(6000), RemediationAction.REBOOT);
    var steps = plan(v, Optional.of(live("b2", "op")), NOW);
    assertThat(steps)
        .extracting(Step::action, Step::report)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(RemediationAction.REBOOT, Outcome.FAILED_PERMANENT),
            org.assertj.core.groups.Tuple.tuple(RemediationAction.REPLACE, null));
    record(v, RemediationAction.REBOOT, 1, Outcome.FAILED_PERMANENT, NOW.minusSeconds(5000), "");
    record(
        v,
        RemediationAction.REPLACE,
        1,
        Outcome.SUCCEEDED,
        NOW.minusSeconds(3000),
        "replacement requested instanceId=i-1 asg=asg");
    // The instance is still the old one long after the deadline: escalate to a human.
    var last = plan(v, Optional.of(live("b2", "op")), NOW);
    assertThat(last)
        .extracting(Step::action, Step::report)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                RemediationAction.REPLACE, Outcome.FAILED_PERMANENT),
            org.assertj.core.groups.Tuple.tuple(RemediationAction.ESCALATE, null));
    record(v, RemediationAction.REPLACE, 1, Outcome.FAILED_PERMANENT, NOW, "");
    record(v, RemediationAction.ESCALATE, 1, Outcome.SUCCEEDED, NOW, "");
    assertThat(plan(v, Optional.of(live("b2", "op")), NOW.plusSeconds(3600))).isEmpty();
  }

  @Test
  void shouldVerifyAReplaceWhenTheNodeIsGone() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(60));
    record(
        v,
        RemediationAction.REPLACE,
        1,
        Outcome.SUCCEEDED,
        NOW.minusSeconds(5),
        "replacement requested instanceId=i-1 asg=asg");
    var steps =
        Plans.plan(
            planner,
            FaultVerdict.newBuilder(v).setRecommendedAction(RemediationAction.REPLACE).build(),
            Optional.empty(),
            ledger,
            new ControlState(),
            false,
            null,
            NOW);
    assertThat(steps)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.action()).isEqualTo(RemediationAction.REPLACE);
              assertThat(s.report()).isEqualTo(Outcome.VERIFIED);
            });
  }

  @Test
  void shouldStopTheLadderOnceARungIsVerified() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(600));
    done(v, NOW.minusSeconds(500), RemediationAction.RESET_GPU);
    record(v, RemediationAction.RESET_GPU, 1, Outcome.VERIFIED, NOW.minusSeconds(490), "");
    assertThat(plan(v, Optional.of(live("b1", "op")), NOW)).isEmpty();
  }

  @Test
  void shouldEscalateInsteadOfRetryingAnAmbiguousRung() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(600));
    done(v, NOW.minusSeconds(500), RemediationAction.CORDON, RemediationAction.DRAIN);
    record(v, RemediationAction.RESET_GPU, 1, Outcome.AMBIGUOUS, NOW.minusSeconds(490), "");
    assertThat(plan(v, Optional.of(live("b1", "op")), NOW))
        .extracting(Step::action)
        .containsExactly(RemediationAction.ESCALATE);
  }

  @Test
  void shouldSendARepeatOffenderStraightToReplace() {
    var first = xid119("v-1", "p5-train-2", NOW.minusSeconds(3600));
    done(first, NOW.minusSeconds(3500), RemediationAction.REBOOT);
    record(first, RemediationAction.REBOOT, 1, Outcome.VERIFIED, NOW.minusSeconds(3400), "");
    var second = xid119("v-2", "p5-train-2", NOW.minusSeconds(30));
    var steps = plan(second, Optional.of(live("b2", null)), NOW);
    assertThat(steps)
        .extracting(Step::action)
        .containsExactly(
            RemediationAction.CORDON, RemediationAction.DRAIN, RemediationAction.REPLACE);
    assertThat(steps.get(2).detail())
        .contains("repeat offender: p5-train-2 was remediated and fixed 1 time(s)");
  }

  @Test
  void shouldSendARepeatOffenderToReplaceWhenItsFixWasVerifiedOnlyAfterTheFaultCameBack() {
    var first = xid119("v-1", "p5-train-2", NOW.minusSeconds(300));
    done(first, NOW.minusSeconds(200), RemediationAction.REBOOT);
    // The node came back at -150 and the XID again at -140; the remediator, behind, read the
    // clearing and wrote VERIFIED only at -120.
    ledger.cleared("v-1", NOW.minusSeconds(150));
    record(first, RemediationAction.REBOOT, 1, Outcome.VERIFIED, NOW.minusSeconds(120), "");
    var second = xid119("v-2", "p5-train-2", NOW.minusSeconds(140));
    assertThat(plan(second, Optional.of(live("b2", null)), NOW))
        .extracting(Step::action)
        .endsWith(RemediationAction.REPLACE);
  }

  @Test
  void shouldNotCountAFaultFixedOutsideThePeriodOrAfterTheNewOneOpened() {
    var old = xid119("v-1", "p5-train-2", NOW.minus(Duration.ofDays(3)));
    done(old, NOW.minus(Duration.ofDays(3)), RemediationAction.REBOOT);
    record(old, RemediationAction.REBOOT, 1, Outcome.VERIFIED, NOW.minus(Duration.ofDays(3)), "");
    // A second verdict opened during the first one's remediation (e.g. NotReady while rebooting).
    var during = xid119("v-2", "p5-train-2", NOW.minusSeconds(120));
    done(during, NOW.minusSeconds(100), RemediationAction.REBOOT);
    record(during, RemediationAction.REBOOT, 1, Outcome.VERIFIED, NOW.minusSeconds(60), "");
    var concurrent = xid119("v-3", "p5-train-2", NOW.minusSeconds(90));
    assertThat(plan(concurrent, Optional.of(live("b2", null)), NOW))
        .extracting(Step::action)
        .endsWith(RemediationAction.RESET_GPU);
  }

  private static FaultVerdict driverRoot(String id, String node) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(
                FaultClass.DRIVER_ROOT_MISCONFIGURED,
                RemediationAction.ESCALATE,
                VerdictState.OPEN))
        .setVerdictId(id)
        .setNode(node)
        .setNodegroup("g5-infer")
        .setFixHint("set driverRoot")
        .setValidUntil(NOW.plus(Duration.ofHours(72)))
        .build();
  }

  private void recordStep(Step s, FaultVerdict v, Outcome o, Instant at) {
    ledger.record(
        RemediationRecord.newBuilder()
            .setOperationId(s.operationId())
            .setVerdictId(v.getVerdictId())
            .setNode(v.getNode())
            .setAction(s.action())
            .setOutcome(o)
            .setAttempt(s.attempt())
            .setPolicyVersion(policy.version())
            .setAt(at)
            .build());
  }

  @Test
  void shouldEscalateAnUnresolvedConfigurationFaultAgainAfterThePolicysPeriod() {
    var p = new Planner(policy.withReescalateAfter(Duration.ofHours(24)));
    var first = driverRoot("v-a", "g5-infer-0");
    Step escalate =
        Plans.plan(p, first, Optional.empty(), ledger, new ControlState(), false, null, NOW).get(0);
    recordStep(escalate, first, Outcome.SUCCEEDED, NOW);
    assertThat(p.reescalationDue(first, ledger)).contains(NOW.plus(Duration.ofHours(24)));

    // Within the period: nothing for the escalated verdict, SUPERSEDED for another in the scope.
    Instant before = NOW.plus(Duration.ofHours(24)).minusSeconds(1);
    assertThat(
            Plans.plan(p, first, Optional.empty(), ledger, new ControlState(), false, null, before))
        .isEmpty();
    var second = driverRoot("v-b", "g5-infer-3");
    assertThat(
            Plans.plan(
                p, second, Optional.empty(), ledger, new ControlState(), false, null, before))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.skip()).isEqualTo(SkipReason.SUPERSEDED);
              assertThat(s.detail()).contains("escalated again after 24h if still open");
            });

    // The period has passed and the fault is still open: the scope is escalated again, once.
    Instant due = NOW.plus(Duration.ofHours(24));
    var again =
        Plans.plan(p, second, Optional.empty(), ledger, new ControlState(), false, null, due);
    assertThat(again)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.skipped()).isFalse();
              assertThat(s.action()).isEqualTo(RemediationAction.ESCALATE);
              assertThat(s.attempt()).isEqualTo(2);
              assertThat(s.operationId()).isNotEqualTo(escalate.operationId());
              assertThat(s.detail())
                  .contains("still unresolved 24h")
                  .contains("fix: set driverRoot");
            });
    recordStep(again.get(0), second, Outcome.SUCCEEDED, due);
    assertThat(Plans.plan(p, first, Optional.empty(), ledger, new ControlState(), false, null, due))
        .singleElement()
        .satisfies(s -> assertThat(s.skip()).isEqualTo(SkipReason.SUPERSEDED));
    assertThat(p.reescalationDue(first, ledger)).contains(due.plus(Duration.ofHours(24)));
  }

  @Test
  void shouldReadTheReescalationPeriodFromThePolicy() throws Exception {
    assertThat(policy.reescalateAfter()).isEqualTo(Duration.ofHours(24));
    String yaml = "version: t\nreescalateAfter: 0\n";
    assertThat(
            RemediationPolicy.parse(
                    new java.io.ByteArrayInputStream(
                        yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .reescalateAfter())
        .isZero();
  }

  @Test
  void shouldEscalateAConfigurationFaultOnlyOnceWhenReescalationIsOff() {
    var p = new Planner(policy.withReescalateAfter(Duration.ZERO));
    var first = driverRoot("v-a", "g5-infer-0");
    Step escalate =
        Plans.plan(p, first, Optional.empty(), ledger, new ControlState(), false, null, NOW).get(0);
    recordStep(escalate, first, Outcome.SUCCEEDED, NOW);
    assertThat(p.reescalationDue(first, ledger)).isEmpty();
    assertThat(
            Plans.plan(
                p,
                first,
                Optional.empty(),
                ledger,
                new ControlState(),
                false,
                null,
                NOW.plus(Duration.ofDays(30))))
        .isEmpty();
  }

  @Test
  void shouldEscalateAConfigurationFaultOncePerNodeGroupAndSkipTheRest() {
    var first =
        FaultVerdict.newBuilder(
                PlannerTest.verdict(
                    FaultClass.DRIVER_ROOT_MISCONFIGURED,
                    RemediationAction.ESCALATE,
                    VerdictState.OPEN))
            .setVerdictId("v-a")
            .setNode("g5-infer-0")
            .setNodegroup("g5-infer")
            .setFixHint("set driverRoot")
            .build();
    var steps = plan(first, Optional.empty(), NOW);
    assertThat(steps).singleElement().satisfies(s -> assertThat(s.skipped()).isFalse());
    Step escalate = steps.get(0);
    assertThat(escalate.detail()).contains("fix: set driverRoot");
    ledger.record(
        RemediationRecord.newBuilder()
            .setOperationId(escalate.operationId())
            .setVerdictId("v-a")
            .setNode("g5-infer-0")
            .setAction(RemediationAction.ESCALATE)
            .setOutcome(Outcome.SUCCEEDED)
            .setAttempt(1)
            .setPolicyVersion(policy.version())
            .setAt(NOW)
            .build());
    assertThat(plan(first, Optional.empty(), NOW)).isEmpty();
    var second = FaultVerdict.newBuilder(first).setVerdictId("v-b").setNode("g5-infer-3").build();
    assertThat(plan(second, Optional.empty(), NOW))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.skip()).isEqualTo(SkipReason.SUPERSEDED);
              assertThat(s.detail())
                  .contains("escalated already for nodegroup:g5-infer")
                  .contains("v-a");
            });
    // Another node group with the same fault is its own scope.
    var elsewhere =
        FaultVerdict.newBuilder(first)
            .setVerdictId("v-c")
            .setNode("p5-train-0")
            .setNodegroup("p5-train")
            .build();
    assertThat(plan(elsewhere, Optional.empty(), NOW))
        .singleElement()
        .satisfies(s -> assertThat(s.skipped()).isFalse());
  }

  @Test
  void shouldRetryAConfigurationEscalationInterruptedByARestartOnceInItsScope() {
    var v =
        FaultVerdict.newBuilder(
                PlannerTest.verdict(
                    FaultClass.GPU_OPERATOR_DEGRADED,
                    RemediationAction.ESCALATE,
                    VerdictState.OPEN))
            .setVerdictId("v-cfg")
            .setNode("g5-infer-2")
            .setNodegroup("g5-infer")
            .build();
    Step first = plan(v, Optional.empty(), NOW).get(0);
    escalation(v, first.operationId(), 1, Outcome.STARTED); // killed before its outcome
    Step retry = plan(v, Optional.empty(), NOW).get(0);
    assertThat(retry.attempt()).isEqualTo(2);
    assertThat(retry.reportOnly()).isFalse();
    assertThat(retry.operationId())
        .as("the scope's next attempt, not one of the node's")
        .isEqualTo(
            OperationIds.of(
                "nodegroup:g5-infer",
                "GPU_OPERATOR_DEGRADED/" + v.getRuleId(),
                RemediationAction.ESCALATE,
                2));
    escalation(v, retry.operationId(), 2, Outcome.SUCCEEDED);
    // Escalated: never again for this verdict (it was escalated on every plan before the fix).
    assertThat(plan(v, Optional.empty(), NOW)).isEmpty();
    assertThat(plan(v, Optional.empty(), NOW.plusSeconds(60))).isEmpty();
  }

  private void escalation(FaultVerdict v, String op, int attempt, Outcome o) {
    ledger.record(
        RemediationRecord.newBuilder()
            .setOperationId(op)
            .setVerdictId(v.getVerdictId())
            .setNode(v.getNode())
            .setAction(RemediationAction.ESCALATE)
            .setOutcome(o)
            .setAttempt(attempt)
            .setPolicyVersion(policy.version())
            .setAt(NOW)
            .build());
  }

  @Test
  void shouldRecordACordonThatHappenedBeforeACrashAsSucceeded() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(5));
    record(v, RemediationAction.CORDON, 1, Outcome.STARTED, NOW.minusSeconds(4), null);
    String op = OperationIds.of("p5-train-2", "v-1", RemediationAction.CORDON, 1);
    var steps = plan(v, Optional.of(live("b1", op)), NOW);
    assertThat(steps.get(0).report()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(steps.get(0).detail()).contains("reconciled after restart");
    assertThat(steps.subList(1, steps.size()))
        .extracting(Step::action)
        .containsExactly(RemediationAction.DRAIN, RemediationAction.RESET_GPU);
  }

  @Test
  void shouldRetryACordonThatDidNotHappenAsTheNextAttemptUpToTheLimit() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(5));
    record(v, RemediationAction.CORDON, 1, Outcome.STARTED, NOW.minusSeconds(4), null);
    var steps = plan(v, Optional.of(live("b1", null)), NOW);
    assertThat(steps.get(0).action()).isEqualTo(RemediationAction.CORDON);
    assertThat(steps.get(0).attempt()).isEqualTo(2);
    assertThat(steps.get(0).reportOnly()).isFalse();
    assertThat(steps.get(0).operationId())
        .isEqualTo(OperationIds.of("p5-train-2", "v-1", RemediationAction.CORDON, 2));
    // Each retry also stopped between intent and outcome (crashes elsewhere caught it too): live
    // state still says not done, so it is tried again, up to the limit.
    int limit = Reconcile.MAX_ATTEMPTS_AFTER_RESTART;
    for (int attempt = 2; attempt < limit; attempt++) {
      record(v, RemediationAction.CORDON, attempt, Outcome.STARTED, NOW.minusSeconds(3), null);
      int next = attempt + 1;
      assertThat(plan(v, Optional.of(live("b1", null)), NOW).get(0))
          .satisfies(
              s -> {
                assertThat(s.attempt()).isEqualTo(next);
                assertThat(s.reportOnly()).isFalse();
              });
    }
    // The last attempt interrupted as well: the step itself stops the remediator. Ambiguous.
    record(v, RemediationAction.CORDON, limit, Outcome.STARTED, NOW.minusSeconds(2), null);
    assertThat(plan(v, Optional.of(live("b1", null)), NOW))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.report()).isEqualTo(Outcome.AMBIGUOUS);
              assertThat(s.detail()).contains("interrupted " + limit + " times");
            });
  }

  /**
   * The ledger of a session cordoned and drained at {@code at}, whose reset failed 100 s later and
   * whose reboot (boot id b1) STARTED 200 s later, its outcome lost in a crash.
   */
  private void rebootStartedAfterAFailedReset(FaultVerdict v, Instant at) {
    done(v, at, RemediationAction.CORDON, RemediationAction.DRAIN);
    record(v, RemediationAction.RESET_GPU, 1, Outcome.FAILED_PERMANENT, at.plusSeconds(100), "");
    record(
        v,
        RemediationAction.REBOOT,
        1,
        Outcome.STARTED,
        at.plusSeconds(200),
        "bootId=b1 instanceId=i-1");
  }

  @Test
  void shouldReconcileARebootByItsBootId() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(600));
    rebootStartedAfterAFailedReset(v, NOW.minusSeconds(500));
    assertThat(plan(v, Optional.of(live("b2", "op")), NOW))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.report()).isEqualTo(Outcome.SUCCEEDED);
              assertThat(s.detail()).contains("boot id changed b1 -> b2");
            });
    // Boot id unchanged: the reboot may still be under way; look again later.
    assertThat(plan(v, Optional.of(live("b1", "op")), NOW.minusSeconds(60))).isEmpty();
    assertThat(planner.awaitingVerification(v, ledger)).isTrue();
    // Still unchanged after the REBOOT deadline: it never happened; retried.
    var later =
        plan(
            v,
            Optional.of(live("b1", "op")),
            NOW.minusSeconds(300).plus(policy.ladder().deadline(RemediationAction.REBOOT)));
    assertThat(later)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.action()).isEqualTo(RemediationAction.REBOOT);
              assertThat(s.attempt()).isEqualTo(2);
              assertThat(s.reportOnly()).isFalse();
            });
  }

  @Test
  void shouldReconcileAStartedStepEvenWhenTheVerdictExpiredMeanwhile() {
    var v =
        FaultVerdict.newBuilder(xid119("v-1", "p5-train-2", NOW.minusSeconds(900)))
            .setValidUntil(NOW.minusSeconds(1))
            .build();
    rebootStartedAfterAFailedReset(v, NOW.minusSeconds(800));
    // The reboot happened: recorded, although nothing more is done for an expired verdict.
    assertThat(plan(v, Optional.of(live("b2", "op")), NOW))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.report()).isEqualTo(Outcome.SUCCEEDED);
              assertThat(s.detail()).contains("boot id changed b1 -> b2");
            });
    // It did not happen: the retry is not made, and the record says why.
    assertThat(plan(v, Optional.of(live("b1", "op")), NOW))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.action()).isEqualTo(RemediationAction.REBOOT);
              assertThat(s.attempt()).isEqualTo(2);
              assertThat(s.skip()).isEqualTo(SkipReason.STALE);
              assertThat(s.detail())
                  .contains("reconciled after restart: boot id still b1")
                  .contains("not retried: verdict expired");
            });
  }

  private List<Step> planWithTrace(FaultVerdict v, CommandTrace trace, Instant now) {
    return Plans.plan(
        planner,
        v,
        Optional.of(live("b1", "op")),
        ledger,
        new ControlState(),
        false,
        null,
        op -> false,
        started -> trace,
        now);
  }

  @Test
  void shouldReconcileAGpuResetThroughTheCommandHistory() {
    var v = xid119("v-1", "p5-train-2", NOW.minusSeconds(60));
    done(v, NOW.minusSeconds(50), RemediationAction.CORDON, RemediationAction.DRAIN);
    record(
        v, RemediationAction.RESET_GPU, 1, Outcome.STARTED, NOW.minusSeconds(40), "instanceId=i-1");
    // The command ran: recorded SUCCEEDED, and the rung waits for its verification.
    assertThat(planWithTrace(v, trace(CommandTrace.State.SUCCEEDED), NOW))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.report()).isEqualTo(Outcome.SUCCEEDED);
              assertThat(s.detail()).contains("reconciled after restart").contains("cmd-7");
            });
    // It was never sent: safe to send, as attempt 2.
    assertThat(planWithTrace(v, trace(CommandTrace.State.NOT_SENT), NOW))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.action()).isEqualTo(RemediationAction.RESET_GPU);
              assertThat(s.attempt()).isEqualTo(2);
              assertThat(s.reportOnly()).isFalse();
            });
    // It ran and failed: this rung cannot help.
    assertThat(planWithTrace(v, trace(CommandTrace.State.FAILED), NOW))
        .singleElement()
        .satisfies(s -> assertThat(s.report()).isEqualTo(Outcome.FAILED_PERMANENT));
    // Still running: looked at again, until the rung's deadline; then nobody can tell.
    assertThat(planWithTrace(v, trace(CommandTrace.State.IN_PROGRESS), NOW)).isEmpty();
    assertThat(
            planWithTrace(
                v,
                trace(CommandTrace.State.IN_PROGRESS),
                NOW.plus(policy.ladder().deadline(RemediationAction.RESET_GPU))))
        .singleElement()
        .satisfies(s -> assertThat(s.report()).isEqualTo(Outcome.AMBIGUOUS));
    // The history cannot be read: never retried blindly.
    assertThat(planWithTrace(v, CommandTrace.unknown("AccessDenied"), NOW))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.report()).isEqualTo(Outcome.AMBIGUOUS);
              assertThat(s.detail()).contains("AccessDenied");
            });
  }

  private static CommandTrace trace(CommandTrace.State state) {
    return new CommandTrace(state, "SSM command cmd-7 on i-1 is " + state);
  }

  @Test
  void shouldRebootAnAllocatableDropStillOpenAfterItsCordonsFollowUpPeriod() {
    assertThat(policy.followUps().get(FaultClass.GPU_ALLOCATABLE_MISMATCH))
        .isEqualTo(new RemediationPolicy.FollowUp(Duration.ofMinutes(2), RemediationAction.REBOOT));
    var v =
        FaultVerdict.newBuilder(
                PlannerTest.verdict(
                    FaultClass.GPU_ALLOCATABLE_MISMATCH,
                    RemediationAction.CORDON,
                    VerdictState.OPEN))
            .setVerdictId("v-alloc")
            .setDetectedAt(NOW.minusSeconds(30))
            .setValidUntil(NOW.plus(Duration.ofHours(1)))
            .build();
    // First a cordon only.
    assertThat(plan(v, Optional.of(live("b1", null)), NOW))
        .extracting(Step::action)
        .containsExactly(RemediationAction.CORDON);
    record(v, RemediationAction.CORDON, 1, Outcome.SUCCEEDED, NOW, "cordoned");
    String op = OperationIds.of("p5-train-2", "v-alloc", RemediationAction.CORDON, 1);
    assertThat(planner.followUpDue(v, ledger)).contains(NOW.plus(Duration.ofMinutes(2)));
    // Still open, but not yet for long: nothing more.
    assertThat(plan(v, Optional.of(live("b1", op)), NOW.plusSeconds(119))).isEmpty();
    // Still open two minutes after the cordon: drain and reboot, saying why.
    var later = plan(v, Optional.of(live("b1", op)), NOW.plus(Duration.ofMinutes(2)));
    assertThat(later)
        .extracting(Step::action)
        .containsExactly(RemediationAction.DRAIN, RemediationAction.REBOOT);
    assertThat(later.get(0).detail())
        .contains("GPU_ALLOCATABLE_MISMATCH still open 2m after the cordon: REBOOT");
    // Once the follow-up started, it is the ladder's to verify.
    record(v, RemediationAction.REBOOT, 1, Outcome.STARTED, NOW.plusSeconds(121), "bootId=b1");
    assertThat(planner.followUpDue(v, ledger)).isEmpty();
    // A thermal cordon has no follow-up.
    var hot =
        FaultVerdict.newBuilder(v)
            .setVerdictId("v-hot")
            .setFaultClass(FaultClass.GPU_THERMAL)
            .build();
    record(hot, RemediationAction.CORDON, 1, Outcome.SUCCEEDED, NOW, "cordoned");
    assertThat(planner.followUpDue(hot, ledger)).isEmpty();
    assertThat(plan(hot, Optional.of(live("b1", op)), NOW.plus(Duration.ofHours(1)))).isEmpty();
  }

  @Test
  void shouldRejectAFollowUpThatWouldTouchANodeForAConfigurationFault() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> parsePolicy("IMAGE_INSTANCE_MISMATCH: {after: 2m, action: REPLACE}"))
        .hasMessageContaining("followUp.IMAGE_INSTANCE_MISMATCH")
        .hasMessageContaining("never get a node action");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> parsePolicy("NVLINK_DEGRADED: {after: 2m, action: UNCORDON}"))
        .hasMessageContaining("followUp.NVLINK_DEGRADED.action must be a ladder rung");
  }

  /** A policy with one follow-up line. */
  private static RemediationPolicy parsePolicy(String followUp) throws java.io.IOException {
    String yaml = "version: t\nfollowUp:\n  " + followUp + "\n";
    return RemediationPolicy.parse(
        new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void shouldNeverRetryAGpuResetBlindly() {
    var started =
        new Ledger.Entry(
            "op", "v", "n", RemediationAction.RESET_GPU, 1, Outcome.STARTED, NOW, null);
    assertThat(Reconcile.of(started, Optional.of(live("b1", "op"))).kind())
        .isEqualTo(Reconcile.Reconciled.Kind.UNKNOWABLE);
  }

  @Test
  void shouldReadTheLadderFromThePolicy() {
    assertThat(policy.version()).isNotBlank();
    assertThat(policy.ladder().rungs())
        .containsExactly(
            RemediationAction.RESET_GPU,
            RemediationAction.REBOOT,
            RemediationAction.REPLACE,
            RemediationAction.ESCALATE);
    assertThat(policy.repeatOffender().faults()).isEqualTo(2);
  }

  private static FaultVerdict notReady(String id, Instant detectedAt) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(
                FaultClass.NODE_NOT_READY_GPU, RemediationAction.REBOOT, VerdictState.OPEN))
        .setVerdictId(id)
        .setDetectedAt(detectedAt)
        .setValidUntil(NOW.plus(Duration.ofHours(2)))
        .build();
  }

  @Test
  void aFaultOpenedWhileTheNodeRebootsForAnotherWaitsForThatRebootNotASecondOne() {
    var lost = xid119("v-lost", "p5-train-2", NOW.minusSeconds(120));
    Instant rebootAt = NOW.minusSeconds(10);
    done(
        lost,
        rebootAt,
        RemediationAction.CORDON,
        RemediationAction.DRAIN,
        RemediationAction.REBOOT);
    var notReady = notReady("v-notready", NOW.minusSeconds(5));

    var steps = plan(notReady, Optional.of(live("b1", "op")), NOW);

    assertThat(steps)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.skip()).isEqualTo(SkipReason.SUPERSEDED);
              assertThat(s.detail()).contains("under REBOOT").contains("v-lost");
            });
    assertThat(planner.waitingForDisruption(notReady, ledger, NOW)).isPresent();
    // Said once: looked at again while the reboot is under way, nothing new is recorded.
    steps.forEach(s -> record(notReady, s.action(), 1, Outcome.SKIPPED, NOW, s.detail()));
    assertThat(plan(notReady, Optional.of(live("b1", "op")), NOW.plusSeconds(5))).isEmpty();
  }

  @Test
  void theWaitingFaultGetsItsOwnLadderOnceTheOtherDisruptionIsOver() {
    var lost = xid119("v-lost", "p5-train-2", NOW.minusSeconds(120));
    Instant rebootAt = NOW.minusSeconds(10);
    done(
        lost,
        rebootAt,
        RemediationAction.CORDON,
        RemediationAction.DRAIN,
        RemediationAction.REBOOT);
    var notReady = notReady("v-notready", NOW.minusSeconds(5));
    plan(notReady, Optional.of(live("b1", "op")), NOW)
        .forEach(s -> record(notReady, s.action(), 1, Outcome.SKIPPED, NOW, s.detail()));

    // The other session's reboot was verified (its verdict cleared): this fault is still open, on
    // evidence from during that reboot, which the engine has not read the node Ready again after.
    record(lost, RemediationAction.REBOOT, 1, Outcome.VERIFIED, NOW.plusSeconds(30), "cleared");
    assertThat(planner.waitingForDisruption(notReady, ledger, NOW.plusSeconds(35))).isPresent();
    Instant later = NOW.plusSeconds(30).plus(Ledger.AFTER_DISRUPTION).plusSeconds(1);
    assertThat(planner.waitingForDisruption(notReady, ledger, later)).isEmpty();
    assertThat(plan(notReady, Optional.of(live("b2", "op")), later))
        .extracting(Step::action)
        .containsExactly(
            RemediationAction.CORDON, RemediationAction.DRAIN, RemediationAction.REBOOT);
  }

  @Test
  void aFaultSeenAgainAfterTheOtherRebootWasVerifiedGetsItsLadderAtOnce() {
    var lost = xid119("v-lost", "p5-train-2", NOW.minusSeconds(120));
    done(
        lost,
        NOW.minusSeconds(10),
        RemediationAction.CORDON,
        RemediationAction.DRAIN,
        RemediationAction.REBOOT);
    record(lost, RemediationAction.REBOOT, 1, Outcome.VERIFIED, NOW.plusSeconds(30), "cleared");
    var renewed =
        FaultVerdict.newBuilder(notReady("v-notready", NOW.minusSeconds(5)))
            .setState(VerdictState.UPDATED)
            .setUpdatedAt(NOW.plusSeconds(40))
            .build();

    assertThat(planner.waitingForDisruption(renewed, ledger, NOW.plusSeconds(45))).isEmpty();
  }

  @Test
  void nonDisruptiveStepsOfAnotherFaultGoAheadWhileTheNodeReboots() {
    var lost = xid119("v-lost", "p5-train-2", NOW.minusSeconds(120));
    done(
        lost,
        NOW.minusSeconds(10),
        RemediationAction.CORDON,
        RemediationAction.DRAIN,
        RemediationAction.REBOOT);
    var thermal =
        FaultVerdict.newBuilder(
                PlannerTest.verdict(
                    FaultClass.GPU_THERMAL, RemediationAction.CORDON, VerdictState.OPEN))
            .setVerdictId("v-thermal")
            .setValidUntil(NOW.plus(Duration.ofHours(2)))
            .build();
    assertThat(plan(thermal, Optional.of(live("b1", "op")), NOW))
        .singleElement()
        .satisfies(s -> assertThat(s.skipped()).isFalse());
  }
}
