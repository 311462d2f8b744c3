package io.gpuward.remediation;

import static io.gpuward.avro.RemediationAction.CORDON;
import static io.gpuward.avro.RemediationAction.DRAIN;
import static io.gpuward.avro.RemediationAction.REBOOT;
import static io.gpuward.avro.RemediationAction.RESET_GPU;
import static io.gpuward.avro.RemediationAction.UNCORDON;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The planner's side of a per-GPU repair that keeps its node schedulable ({@link Containment}). */
class SchedulableRepairPlannerTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final String NODE = "g5-wide-1";

  private final RemediationPolicy policy =
      RemediationPolicy.load()
          .withPerGpu(new RemediationPolicy.PerGpu(Set.of(FaultClass.GPU_XID_FATAL)));
  private final Planner planner = new Planner(policy);
  private final Ledger ledger = new Ledger();

  private static FaultVerdict verdict(VerdictState state) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.GPU_XID_FATAL, RemediationAction.RESET_GPU, state))
        .setVerdictId("v-1")
        .setNode(NODE)
        .setGpus(
            List.of(
                GpuRef.newBuilder().setUuid("GPU-3").setIndex(3).setPods(List.of("ml/a")).build()))
        .setDetectedAt(NOW.minusSeconds(60))
        .setValidUntil(NOW.plus(Duration.ofHours(2)))
        .build();
  }

  private static Optional<LiveNode> node(int allocatable, String cordonedBy, HealthMark mark) {
    Map<String, String> labels = new HashMap<>(PlannerTest.GPU_NODE);
    labels.put(NodeAllowList.INSTANCE_TYPE_LABEL, "g5.48xlarge");
    if (mark != null) {
      labels.put(HealthMark.LABEL, mark.value());
    }
    return Optional.of(
        LiveNode.named(NODE)
            .bootId("boot-1")
            .ready(true)
            .unschedulable(cordonedBy != null)
            .cordonedBy(Optional.ofNullable(cordonedBy))
            .instanceId("i-1")
            .asgName("asg")
            .labels(labels)
            .osImage("")
            .gpus(new LiveNode.GpuCount(8, allocatable))
            .build());
  }

  private void done(FaultVerdict v, Instant at, String detail, RemediationAction... actions) {
    for (RemediationAction a : actions) {
      ledger.record(
          RemediationRecord.newBuilder()
              .setOperationId(OperationIds.of(NODE, v.getVerdictId(), a, 1))
              .setVerdictId(v.getVerdictId())
              .setNode(NODE)
              .setAction(a)
              .setOutcome(Outcome.SUCCEEDED)
              .setAttempt(1)
              .setPolicyVersion(policy.version())
              .setAt(at)
              .setDetail(a == DRAIN ? detail : null)
              .build());
    }
  }

  private List<Step> plan(FaultVerdict v, Optional<LiveNode> live, Instant now) {
    return Plans.plan(planner, v, live, ledger, false, now);
  }

  @Test
  void shouldDrainAndResetWithoutACordonWhenTheDevicePluginWithheldTheGpu() {
    assertThat(plan(verdict(VerdictState.OPEN), node(7, null, null), NOW))
        .extracting(Step::action)
        .containsExactly(DRAIN, RESET_GPU);
  }

  @Test
  void shouldCordonFirstWhenAllocatableStillOffersTheGpu() {
    assertThat(plan(verdict(VerdictState.OPEN), node(8, null, null), NOW))
        .extracting(Step::action)
        .containsExactly(CORDON, DRAIN, RESET_GPU);
  }

  @Test
  void shouldCordonAndDrainTheWholeNodeWhenTheLadderClimbsPastTheReset() {
    FaultVerdict v = verdict(VerdictState.OPEN);
    done(
        v,
        NOW.minusSeconds(200),
        "drained GPU 3: 1 pod(s) evicted (ml/a); the other GPUs' pods keep running; not cordoned:"
            + " allocatable nvidia.com/gpu 7 of 8",
        DRAIN,
        RESET_GPU);

    List<Step> steps = plan(v, node(7, null, HealthMark.DEGRADED), NOW);

    assertThat(steps)
        .filteredOn(s -> !s.reportOnly())
        .extracting(Step::action)
        .containsExactly(CORDON, DRAIN, REBOOT);
    assertThat(steps).filteredOn(s -> s.action() == DRAIN).extracting(Step::attempt).contains(2);
  }

  @Test
  void shouldTakeTheDegradedMarkOffANodeNeverCordonedOnceTheVerdictClears() {
    List<Step> steps = plan(verdict(VerdictState.CLEARED), node(8, null, HealthMark.DEGRADED), NOW);

    assertThat(steps).extracting(Step::action).containsExactly(UNCORDON);
  }

  @Test
  void shouldLeaveANodeAloneThatGpuwardNeitherCordonedNorMarked() {
    assertThat(plan(verdict(VerdictState.CLEARED), node(8, null, null), NOW)).isEmpty();
  }
}
