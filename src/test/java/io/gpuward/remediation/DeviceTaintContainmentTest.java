package io.gpuward.remediation;

import static io.gpuward.avro.RemediationAction.CORDON;
import static io.gpuward.avro.RemediationAction.DRAIN;
import static io.gpuward.avro.RemediationAction.RESET_GPU;
import static io.gpuward.remediation.GpuDrainScopeTest.gpu;
import static io.gpuward.remediation.GpuDrainScopeTest.verdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.DraDevice;
import io.gpuward.remediation.port.LiveNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link Containment} on a node whose GPUs a DRA driver publishes: a device taint, not a cordon.
 */
class DeviceTaintContainmentTest {
  private static final RemediationPolicy.PerGpu PER_GPU =
      new RemediationPolicy.PerGpu(Set.of(FaultClass.GPU_XID_FATAL));
  private static final List<RemediationAction> RESET_PLAN = List.of(CORDON, DRAIN, RESET_GPU);
  private static final String DRIVER = "gpu.nvidia.com";

  /** Eight GPUs as the NVIDIA driver publishes them: named after the minor, here index + 1. */
  private static List<DraDevice> devices(boolean withIndex) {
    return IntStream.range(0, 8)
        .mapToObj(
            i -> new DraDevice(DRIVER, "g5-1", "gpu-" + (i + 1), "GPU-" + i, withIndex ? i : null))
        .toList();
  }

  private static Optional<LiveNode> draNode(boolean cordoned, List<DraDevice> devices) {
    // allocatable 8 of 8: with DRA the device plugin withholds nothing, so only the taint helps
    return ContainmentTest.node("g5.48xlarge", cordoned, new LiveNode.GpuCount(8, 8))
        .map(n -> n.withDraDevices(devices));
  }

  private static Containment of(FaultVerdict v, Optional<LiveNode> live) {
    return Containment.of(v, PER_GPU, RemediationPolicy.Validate.OFF, RESET_PLAN, live);
  }

  @Test
  void shouldTaintExactlyTheBadGpusDeviceByUuidAndKeepTheNodeSchedulable() {
    var c = of(verdict(FaultClass.GPU_XID_FATAL, gpu(2, "ml/a")), draNode(false, devices(false)));

    assertThat(c.schedulable()).isTrue();
    assertThat(c.devices()).containsExactly(new DraDevice(DRIVER, "g5-1", "gpu-3", "GPU-2", null));
    assertThat(c.why())
        .isEqualTo(
            "device taint gpuward.io/unhealthy:NoSchedule on gpu.nvidia.com/g5-1/gpu-3 (GPU 2):"
                + " not cordoned, node schedulable");
  }

  @Test
  void shouldMatchByIndexWhenTheVerdictsUuidIsNotPublished() {
    GpuRef noUuid = GpuRef.newBuilder().setUuid("").setIndex(5).setPods(List.of("ml/b")).build();

    var c = of(verdict(FaultClass.GPU_XID_FATAL, noUuid), draNode(false, devices(true)));

    assertThat(c.schedulable()).isTrue();
    assertThat(c.devices()).extracting(DraDevice::name).containsExactly("gpu-6");
  }

  @Test
  void shouldTaintEachOfSeveralBadGpus() {
    var v = verdict(FaultClass.GPU_XID_FATAL, gpu(0, "ml/a"), gpu(7, "ml/b"));

    var c = of(v, draNode(false, devices(false)));

    assertThat(c.devices()).extracting(DraDevice::name).containsExactly("gpu-1", "gpu-8");
  }

  @Test
  void shouldCordonWhenNoDeviceMatchesTheBadGpu() {
    GpuRef unknown =
        GpuRef.newBuilder().setUuid("GPU-elsewhere").setIndex(3).setPods(List.of("ml/a")).build();

    var c = of(verdict(FaultClass.GPU_XID_FATAL, unknown), draNode(false, devices(false)));

    assertThat(c.schedulable()).isFalse();
    assertThat(c.devices()).isEmpty();
    assertThat(c.why())
        .isEqualTo(
            "cordoned: no device of the node's ResourceSlice (gpu.nvidia.com) matches GPU 3"
                + " (GPU-elsewhere); no device taint");
  }

  @Test
  void shouldDecideFromAllocatableWhenTheNodeHasNoSlice() {
    var c = of(verdict(FaultClass.GPU_XID_FATAL, gpu(2, "ml/a")), draNode(false, List.of()));

    assertThat(c.schedulable()).isFalse();
    assertThat(c.why()).startsWith("cordoned: allocatable nvidia.com/gpu 8 of 8 still offers");
  }

  @Test
  void shouldNotTaintOnANodeCordonedAlready() {
    var c = of(verdict(FaultClass.GPU_XID_FATAL, gpu(2, "ml/a")), draNode(true, devices(false)));

    assertThat(c.schedulable()).isFalse();
    assertThat(c.devices()).isEmpty();
    assertThat(c.why()).isEqualTo(Containment.CORDONED);
  }

  @Test
  void shouldCountADrainThatTaintedItsDeviceAsKept() {
    String detail =
        "drained GPU 2: 1 pod(s) evicted (ml/a); the other GPUs' pods keep running; "
            + of(verdict(FaultClass.GPU_XID_FATAL, gpu(2, "ml/a")), draNode(false, devices(false)))
                .why();

    assertThat(Containment.kept(RemediationAction.DRAIN, Outcome.SUCCEEDED, detail)).isTrue();
  }

  @Test
  void shouldKeyEveryDrainOfTheSessionToTheSameRules() {
    FaultVerdict v = verdict(FaultClass.GPU_XID_FATAL, gpu(2, "ml/a"));

    assertThat(Containment.taintSession(v))
        .isEqualTo(OperationIds.of(v.getNode(), v.getVerdictId(), RemediationAction.DRAIN, 1))
        .matches("op-[0-9a-f-]{36}");
  }
}
