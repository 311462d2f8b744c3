package io.gpuward.remediation;

import static io.gpuward.avro.RemediationAction.CORDON;
import static io.gpuward.avro.RemediationAction.DRAIN;
import static io.gpuward.avro.RemediationAction.REBOOT;
import static io.gpuward.avro.RemediationAction.RESET_GPU;
import static io.gpuward.remediation.GpuDrainScopeTest.gpu;
import static io.gpuward.remediation.GpuDrainScopeTest.verdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.LiveNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainmentTest {
  private static final RemediationPolicy.PerGpu PER_GPU =
      new RemediationPolicy.PerGpu(Set.of(FaultClass.GPU_XID_FATAL));
  private static final RemediationPolicy.Validate NO_VALIDATE = RemediationPolicy.Validate.OFF;
  private static final List<RemediationAction> RESET_PLAN = List.of(CORDON, DRAIN, RESET_GPU);
  private static final FaultVerdict ONE_BAD_GPU = verdict(FaultClass.GPU_XID_FATAL, gpu(2, "ml/a"));

  static Optional<LiveNode> node(String type, boolean cordoned, LiveNode.GpuCount gpus) {
    return Optional.of(
        LiveNode.named("g5-1")
            .bootId("boot-1")
            .ready(true)
            .unschedulable(cordoned)
            .cordonedBy(cordoned ? Optional.of("op-c") : Optional.empty())
            .instanceId("i-1")
            .asgName("asg-1")
            .labels(Map.of(NodeAllowList.INSTANCE_TYPE_LABEL, type))
            .osImage("")
            .gpus(gpus)
            .build());
  }

  private static Containment of(
      FaultVerdict v, List<RemediationAction> plan, Optional<LiveNode> live) {
    return Containment.of(v, PER_GPU, NO_VALIDATE, plan, live);
  }

  @Test
  void shouldKeepTheNodeSchedulableWhenTheDevicePluginWithheldTheBadGpu() {
    var c = of(ONE_BAD_GPU, RESET_PLAN, node("g5.48xlarge", false, new LiveNode.GpuCount(8, 7)));

    assertThat(c.schedulable()).isTrue();
    assertThat(c.why())
        .isEqualTo(
            "not cordoned: allocatable nvidia.com/gpu 7 of 8: the device plugin took GPU 2 out;"
                + " node schedulable");
  }

  @Test
  void shouldCordonWhenAllocatableStillOffersTheBadGpu() {
    var c = of(ONE_BAD_GPU, RESET_PLAN, node("g5.48xlarge", false, new LiveNode.GpuCount(8, 8)));

    assertThat(c.schedulable()).isFalse();
    assertThat(c.why())
        .isEqualTo(
            "cordoned: allocatable nvidia.com/gpu 8 of 8 still offers GPU 2 to the scheduler");
  }

  @Test
  void shouldCordonWhenFewerGpusAreWithheldThanAreBad() {
    FaultVerdict twoBad = verdict(FaultClass.GPU_XID_FATAL, gpu(2, "ml/a"), gpu(5, "ml/b"));

    var c = of(twoBad, RESET_PLAN, node("g5.48xlarge", false, new LiveNode.GpuCount(8, 7)));

    assertThat(c.schedulable()).isFalse();
    assertThat(c.why()).contains("7 of 8 still offers GPU 2,5");
  }

  @Test
  void shouldCordonWhenAllocatableIsUnknown() {
    var unknown =
        of(ONE_BAD_GPU, RESET_PLAN, node("g5.48xlarge", false, LiveNode.GpuCount.UNKNOWN));
    var noNode = of(ONE_BAD_GPU, RESET_PLAN, Optional.empty());

    assertThat(unknown.schedulable()).isFalse();
    assertThat(unknown.why()).isEqualTo(Containment.UNKNOWN);
    assertThat(noNode.schedulable()).isFalse();
  }

  @Test
  void shouldCordonAsBeforeForAClassNotDrainedPerGpu() {
    FaultVerdict lost = verdict(FaultClass.GPU_LOST, gpu(2, "ml/a"));

    var c = of(lost, RESET_PLAN, node("g5.48xlarge", false, new LiveNode.GpuCount(8, 7)));

    assertThat(c.schedulable()).isFalse();
    assertThat(c.why()).isNull();
  }

  @Test
  void shouldCordonWhenTheBadGpusPodsAreUnknown() {
    FaultVerdict unattributed = verdict(FaultClass.GPU_XID_FATAL, gpu(2));

    var c = of(unattributed, RESET_PLAN, node("g5.48xlarge", false, new LiveNode.GpuCount(8, 7)));

    assertThat(c.schedulable()).isFalse();
  }

  @Test
  void shouldCordonBeforeARebootOrWithoutAReset() {
    var live = node("g5.48xlarge", false, new LiveNode.GpuCount(8, 7));

    assertThat(of(ONE_BAD_GPU, List.of(CORDON, DRAIN, REBOOT), live).schedulable()).isFalse();
    assertThat(of(ONE_BAD_GPU, List.of(CORDON, DRAIN), live).schedulable()).isFalse();
    assertThat(of(ONE_BAD_GPU, List.of(CORDON), live).schedulable()).isFalse();
  }

  @Test
  void shouldCordonBeforeAResetOnAnNvswitchSystem() {
    var c = of(ONE_BAD_GPU, RESET_PLAN, node("p5.48xlarge", false, new LiveNode.GpuCount(8, 7)));

    assertThat(c.schedulable()).isFalse();
  }

  @Test
  void shouldCordonAClassWhoseRepairIsValidatedOnTheWholeNode() {
    var validate =
        new RemediationPolicy.Validate(
            Set.of(FaultClass.GPU_XID_FATAL), 2, RemediationPolicy.Validate.defaultTimeout(2));

    var c =
        Containment.of(
            ONE_BAD_GPU,
            PER_GPU,
            validate,
            RESET_PLAN,
            node("g5.48xlarge", false, new LiveNode.GpuCount(8, 7)));

    assertThat(c.schedulable()).isFalse();
    assertThat(c.why()).isEqualTo(Containment.VALIDATED);
  }

  @Test
  void shouldNotClaimSchedulableForANodeCordonedAlready() {
    var c = of(ONE_BAD_GPU, RESET_PLAN, node("g5.48xlarge", true, new LiveNode.GpuCount(8, 7)));

    assertThat(c.schedulable()).isFalse();
    assertThat(c.why()).isEqualTo(Containment.CORDONED);
  }
}
