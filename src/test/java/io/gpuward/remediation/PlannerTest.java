package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.Severity;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlannerTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private final Planner planner = new Planner(RemediationPolicy.load());
  private final Ledger ledger = new Ledger();

  static FaultVerdict verdict(FaultClass c, RemediationAction a, VerdictState state) {
    return FaultVerdict.newBuilder()
        .setVerdictId("v-1")
        .setNode("p5-train-2")
        .setNodegroup("p5-train")
        .setInstanceId("i-1")
        .setZone("us-east-1a")
        .setFaultClass(c)
        .setSeverity(Severity.CRITICAL)
        .setState(state)
        .setRecommendedAction(a)
        .setGpus(List.of())
        .setEvidence(List.of())
        .setRuleId("r")
        .setRuleVersion("1")
        .setDetectedAt(NOW.minusSeconds(5))
        .setUpdatedAt(NOW.minusSeconds(5))
        .setValidUntil(NOW.plusSeconds(600))
        .setHeld(false)
        .setSummary("XID 79")
        .setFixHint(c == FaultClass.IMAGE_INSTANCE_MISMATCH ? "use a non-NVIDIA image" : null)
        .setClearReason(state == VerdictState.CLEARED ? "node rebooted" : null)
        .build();
  }

  /** Labels of a GPU node as GPU Feature Discovery and EKS set them. */
  static final Map<String, String> GPU_NODE =
      Map.of(
          "nvidia.com/gpu.present", "true",
          "eks.amazonaws.com/nodegroup", "p5-train",
          "topology.kubernetes.io/zone", "us-east-1a");

  static LiveNode node(boolean unschedulable, String cordonedBy) {
    return LiveNode.named("p5-train-2")
        .bootId("boot-1")
        .ready(true)
        .unschedulable(unschedulable)
        .cordonedBy(Optional.ofNullable(cordonedBy))
        .instanceId("i-1")
        .asgName("asg")
        .labels(GPU_NODE)
        .build();
  }

  @Test
  void shouldRefuseToTouchANodeOutsideTheAllowList() {
    var cpu =
        LiveNode.named("p5-train-2")
            .bootId("boot-1")
            .ready(true)
            .instanceId("i-1")
            .asgName("asg")
            .labels(Map.of("node.kubernetes.io/instance-type", "m6i.large"))
            .build();
    var steps =
        Plans.plan(
            planner,
            verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
            Optional.of(cpu),
            ledger,
            false,
            NOW);
    assertThat(steps)
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.skip()).isEqualTo(SkipReason.NOT_OURS))
        .allSatisfy(s -> assertThat(s.detail()).contains("outside the nodes gpuward may touch"));
  }

  @Test
  void shouldStillUncordonItsOwnCordonOnANodeOutsideTheAllowList() {
    var relabelled =
        LiveNode.named("p5-train-2")
            .bootId("boot-1")
            .ready(true)
            .unschedulable(true)
            .cordonedBy(Optional.of("op-1"))
            .instanceId("i-1")
            .asgName("asg")
            .build();
    var steps =
        Plans.plan(
            planner,
            verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.CLEARED),
            Optional.of(relabelled),
            ledger,
            false,
            NOW);
    assertThat(steps)
        .singleElement()
        .satisfies(s -> assertThat(s.action()).isEqualTo(RemediationAction.UNCORDON))
        .satisfies(s -> assertThat(s.skipped()).isFalse());
  }

  @Test
  void shouldPlanCordonDrainRebootForALostGpu() {
    var steps =
        Plans.plan(
            planner,
            verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
            Optional.of(node(false, null)),
            ledger,
            false,
            NOW);
    assertThat(steps)
        .extracting(Step::action)
        .containsExactly(
            RemediationAction.CORDON, RemediationAction.DRAIN, RemediationAction.REBOOT);
    assertThat(steps).allSatisfy(s -> assertThat(s.skipped()).isFalse());
    assertThat(steps.get(0).operationId())
        .isEqualTo(OperationIds.of("p5-train-2", "v-1", RemediationAction.CORDON, 1));
  }

  @Test
  void shouldSkipEveryStepInDryRunAndSaySo() {
    var steps =
        Plans.plan(
            planner,
            verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
            Optional.of(node(false, null)),
            ledger,
            true,
            NOW);
    assertThat(steps)
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.skip()).isEqualTo(SkipReason.DRY_RUN));
  }

  @Test
  void shouldNotActOnAnExpiredVerdict() {
    var steps =
        Plans.plan(
            planner,
            verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
            Optional.of(node(false, null)),
            ledger,
            false,
            NOW.plusSeconds(601));
    assertThat(steps)
        .singleElement()
        .satisfies(s -> assertThat(s.skip()).isEqualTo(SkipReason.STALE));
  }

  @Test
  void shouldNotActOnANodeThatIsGone() {
    var steps =
        Plans.plan(
            planner,
            verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
            Optional.empty(),
            ledger,
            false,
            NOW);
    assertThat(steps)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.skip()).isEqualTo(SkipReason.STALE);
              assertThat(s.detail()).contains("no longer exists");
            });
  }

  @Test
  void shouldLeaveANodeSomeoneElseCordonedAlone() {
    var steps =
        Plans.plan(
            planner,
            verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
            Optional.of(node(true, null)),
            ledger,
            false,
            NOW);
    assertThat(steps)
        .singleElement()
        .satisfies(s -> assertThat(s.skip()).isEqualTo(SkipReason.NOT_OURS));
  }

  @Test
  void shouldHoldAVerdictUnderAFleetIncident() {
    var v =
        FaultVerdict.newBuilder(
                verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN))
            .setHeld(true)
            .setIncidentId("inc-1")
            .build();
    var steps = Plans.plan(planner, v, Optional.of(node(false, null)), ledger, false, NOW);
    assertThat(steps)
        .singleElement()
        .satisfies(s -> assertThat(s.skip()).isEqualTo(SkipReason.INCIDENT_HOLD));
  }

  @Test
  void shouldOnlyEscalateAConfigurationFaultEvenWhenAskedToReplace() {
    var steps =
        Plans.plan(
            planner,
            verdict(
                FaultClass.IMAGE_INSTANCE_MISMATCH, RemediationAction.REPLACE, VerdictState.OPEN),
            Optional.empty(),
            ledger,
            false,
            NOW);
    assertThat(steps)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.action()).isEqualTo(RemediationAction.ESCALATE);
              assertThat(s.skipped()).isFalse();
              assertThat(s.detail()).contains("fix: use a non-NVIDIA image");
            });
  }

  @Test
  void shouldNeverRepeatAFinishedStep() {
    var v = verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN);
    for (RemediationAction a : List.of(RemediationAction.CORDON, RemediationAction.DRAIN)) {
      ledger.record(
          RemediationRecord.newBuilder()
              .setOperationId(OperationIds.of("p5-train-2", "v-1", a, 1))
              .setVerdictId("v-1")
              .setNode("p5-train-2")
              .setAction(a)
              .setOutcome(Outcome.SUCCEEDED)
              .setReason(null)
              .setAttempt(1)
              .setPolicyVersion("1")
              .setAt(NOW)
              .build());
    }
    var steps = Plans.plan(planner, v, Optional.of(node(true, "op-x")), ledger, false, NOW);
    assertThat(steps).extracting(Step::action).containsExactly(RemediationAction.REBOOT);
  }

  @Test
  void shouldUncordonOnlyANodeGpuwardCordonedWhenTheVerdictClears() {
    var cleared = verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.CLEARED);
    assertThat(Plans.plan(planner, cleared, Optional.of(node(true, "op-1")), ledger, false, NOW))
        .singleElement()
        .satisfies(s -> assertThat(s.action()).isEqualTo(RemediationAction.UNCORDON));
    assertThat(Plans.plan(planner, cleared, Optional.of(node(true, null)), ledger, false, NOW))
        .isEmpty();
    // Recovery is never blocked by staleness: an old cleared verdict still uncordons.
    assertThat(
            Plans.plan(
                planner,
                cleared,
                Optional.of(node(true, "op-1")),
                ledger,
                false,
                NOW.plusSeconds(9999)))
        .hasSize(1);
  }

  static io.gpuward.avro.ControlCommand command(
      String scope, io.gpuward.avro.ControlKind kind, Instant expires) {
    return io.gpuward.avro.ControlCommand.newBuilder()
        .setCommandId("c-" + scope + "-" + kind)
        .setScope(scope)
        .setKind(kind)
        .setOperator("alice")
        .setReason("maintenance")
        .setIssuedAt(NOW.minusSeconds(60))
        .setExpiresAt(expires)
        .build();
  }

  private List<Step> plan(FaultVerdict v, ControlState controls, String observeOnly) {
    return Plans.plan(
        planner, v, Optional.of(node(false, null)), ledger, controls, false, observeOnly, NOW);
  }

  @Test
  void shouldSkipEverythingUnderAPauseOfTheNodesGroupUntilItExpires() {
    var controls = new ControlState();
    controls.apply(
        command("nodegroup:p5-train", io.gpuward.avro.ControlKind.PAUSE, NOW.plusSeconds(60)));
    var v = verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN);
    assertThat(plan(v, controls, null))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.skip()).isEqualTo(SkipReason.PAUSED);
              assertThat(s.detail()).contains("alice").contains("nodegroup:p5-train");
            });
    assertThat(
            Plans.plan(
                planner,
                v,
                Optional.of(node(false, null)),
                ledger,
                controls,
                false,
                null,
                NOW.plusSeconds(61)))
        .as("the pause expired")
        .allSatisfy(s -> assertThat(s.skipped()).isFalse());
  }

  @Test
  void shouldResumeAfterAResumeOfTheSameScope() {
    var controls = new ControlState();
    controls.apply(command("global", io.gpuward.avro.ControlKind.PAUSE, null));
    controls.apply(command("global", io.gpuward.avro.ControlKind.RESUME, null));
    assertThat(
            plan(
                verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
                controls,
                null))
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.skipped()).isFalse());
  }

  @Test
  void shouldRefuseAVetoedNode() {
    var controls = new ControlState();
    controls.apply(command("node:p5-train-2", io.gpuward.avro.ControlKind.VETO, null));
    assertThat(
            plan(
                verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
                controls,
                null))
        .singleElement()
        .satisfies(s -> assertThat(s.skip()).isEqualTo(SkipReason.VETO));
  }

  @Test
  void shouldLetAnApprovedVerdictThroughAnIncidentHold() {
    var controls = new ControlState();
    var held =
        FaultVerdict.newBuilder(
                verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN))
            .setHeld(true)
            .setIncidentId("inc-1")
            .build();
    assertThat(plan(held, controls, null))
        .singleElement()
        .satisfies(s -> assertThat(s.skip()).isEqualTo(SkipReason.INCIDENT_HOLD));
    controls.apply(command("verdict:v-1", io.gpuward.avro.ControlKind.APPROVE, null));
    assertThat(plan(held, controls, null))
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.skipped()).isFalse());
  }

  @Test
  void shouldOnlyObserveWhileLagging() {
    assertThat(
            plan(
                verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN),
                new ControlState(),
                "consumer 5000 verdicts behind"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.skip()).isEqualTo(SkipReason.STALE);
              assertThat(s.detail()).startsWith("observe-only: consumer 5000 verdicts behind");
            });
  }
}
