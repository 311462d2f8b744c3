package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GpuDrainScopeTest {
  private static final RemediationPolicy.PerGpu ON =
      new RemediationPolicy.PerGpu(
          Set.of(FaultClass.GPU_XID_FATAL, FaultClass.GPU_MEMORY_DEGRADED, FaultClass.GPU_THERMAL));
  private static final List<RemediationAction> RESET = List.of(RemediationAction.RESET_GPU);

  static FaultVerdict verdict(FaultClass c, GpuRef... gpus) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(c, RemediationAction.RESET_GPU, VerdictState.OPEN))
        .setGpus(List.of(gpus))
        .build();
  }

  static GpuRef gpu(int index, String... pods) {
    return GpuRef.newBuilder()
        .setUuid("GPU-" + index)
        .setIndex(index)
        .setPods(List.of(pods))
        .build();
  }

  @Test
  void shouldDrainOnlyTheAttributedPodsOfAnAllowedClass() {
    var scope =
        GpuDrainScope.of(
            verdict(FaultClass.GPU_XID_FATAL, gpu(3, "ml/a", "ml/b")), ON, RESET, false);

    assertThat(scope.perGpu()).isTrue();
    assertThat(scope.pods()).containsExactly("ml/a", "ml/b");
    assertThat(scope.detail(2))
        .isEqualTo(
            "drained GPU 3: 2 pod(s) evicted (ml/a, ml/b); the other GPUs' pods keep running");
  }

  @Test
  void shouldDrainTheWholeNodeWhenAnyGpusPodsAreUnknown() {
    var scope =
        GpuDrainScope.of(
            verdict(FaultClass.GPU_XID_FATAL, gpu(3, "ml/a"), gpu(4)), ON, RESET, false);

    assertThat(scope.perGpu()).isFalse();
    assertThat(scope.fallback()).isEqualTo("GPU attribution unknown: whole-node drain");
  }

  @Test
  void shouldDrainTheWholeNodeWhenTheVerdictNamesNoGpu() {
    var scope = GpuDrainScope.of(verdict(FaultClass.GPU_XID_FATAL), ON, RESET, false);

    assertThat(scope.perGpu()).isFalse();
    assertThat(scope.fallback()).isEqualTo(GpuDrainScope.UNKNOWN);
  }

  @Test
  void shouldDrainTheWholeNodeSilentlyForAClassThePolicyDoesNotList() {
    var scope = GpuDrainScope.of(verdict(FaultClass.GPU_LOST, gpu(3, "ml/a")), ON, RESET, false);

    assertThat(scope.perGpu()).isFalse();
    assertThat(scope.fallback()).isNull();
  }

  @Test
  void shouldDrainTheWholeNodeBeforeAGpuResetOnAnNvswitchSystem() {
    var scope =
        GpuDrainScope.of(verdict(FaultClass.GPU_XID_FATAL, gpu(3, "ml/a")), ON, RESET, true);

    assertThat(scope.perGpu()).isFalse();
    assertThat(scope.fallback()).isEqualTo(GpuDrainScope.NVSWITCH);
  }

  @Test
  void shouldDrainPerGpuOnAnNvswitchSystemWhenNoResetFollows() {
    var scope =
        GpuDrainScope.of(verdict(FaultClass.GPU_THERMAL, gpu(3, "ml/a")), ON, List.of(), true);

    assertThat(scope.perGpu()).isTrue();
  }

  @Test
  void shouldDrainTheWholeNodeWhenARebootFollows() {
    var scope =
        GpuDrainScope.of(
            verdict(FaultClass.GPU_XID_FATAL, gpu(3, "ml/a")),
            ON,
            List.of(RemediationAction.REBOOT),
            false);

    assertThat(scope.fallback()).isEqualTo(GpuDrainScope.NODE_DISRUPTED);
  }

  @Test
  void shouldAskForAWholeDrainBeforeARebootAfterAPerGpuDrainOnly() {
    var perGpu = Optional.of(entry(Outcome.SUCCEEDED, "drained GPU 3: 1 pod(s) evicted (ml/a)"));
    var whole = Optional.of(entry(Outcome.SUCCEEDED, "drained: 4 evicted, 2 DaemonSet pods left"));

    assertThat(GpuDrainScope.wholeDrainDue(RemediationAction.REBOOT, perGpu)).isTrue();
    assertThat(GpuDrainScope.wholeDrainDue(RemediationAction.REPLACE, perGpu)).isTrue();
    assertThat(GpuDrainScope.wholeDrainDue(RemediationAction.RESET_GPU, perGpu)).isFalse();
    assertThat(GpuDrainScope.wholeDrainDue(RemediationAction.REBOOT, whole)).isFalse();
    assertThat(GpuDrainScope.wholeDrainDue(RemediationAction.REBOOT, Optional.empty())).isFalse();
  }

  private static Ledger.Entry entry(Outcome o, String detail) {
    return new Ledger.Entry(
        "op-d", "v-1", "g5-infer-1", RemediationAction.DRAIN, 1, o, Instant.EPOCH, detail);
  }
}
