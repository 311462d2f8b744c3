package io.gpuward.remediation.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResetJobsTest {

  private static final String GPU_A = "GPU-a54c8f1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f";
  private static final String GPU_B = "GPU-04b8a81d-1690-b4e4-9a2b-3c4d5e6f7a8b";

  @Test
  void shouldNameTheJobAfterTheOperation() {
    String op = "op-3f2b8f0c-9a1d-3e4b-8c2d-1f0e9d8c7b6a";
    assertThat(ResetJobs.name(op)).isEqualTo("gpuward-reset-" + op).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void shouldHashAnOperationIdThatIsNoDnsLabelOrTooLong() {
    String odd = "Op_With.UPPER/and-a-very-long-tail-" + "x".repeat(80);
    String name = ResetJobs.name(odd);
    assertThat(name).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(ResetJobs.name(odd)).as("deterministic").isEqualTo(name);
    assertThat(ResetJobs.name(odd + "y")).isNotEqualTo(name);
  }

  @Test
  void shouldPinAPrivilegedResetToTheNodeToleratingEveryTaint() {
    String op = "op-1";
    Job j = ResetJobs.job(ResetJobSettings.defaults(), "p5-train-3", List.of(GPU_A), op);

    assertThat(j.getMetadata().getNamespace()).isEqualTo("gpuward");
    assertThat(j.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "gpuward");
    assertThat(j.getMetadata().getAnnotations())
        .containsEntry(ResetJobs.OPERATION_ID, op)
        .containsEntry(ResetJobs.NODE, "p5-train-3");
    assertThat(j.getSpec().getBackoffLimit()).isZero();
    assertThat(j.getSpec().getActiveDeadlineSeconds()).isEqualTo(120L);
    assertThat(j.getSpec().getTtlSecondsAfterFinished()).isEqualTo(86400);
    PodSpec pod = j.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeName()).isEqualTo("p5-train-3");
    assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    // One toleration with no key and operator Exists matches every taint: gpuward.io/unhealthy,
    // node.kubernetes.io/unschedulable, nvidia.com/gpu, whatever the node carries.
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isNull();
              assertThat(t.getEffect()).isNull();
              assertThat(t.getOperator()).isEqualTo("Exists");
            });
    assertThat(pod.getInitContainers()).isEmpty();
    Container c = pod.getContainers().get(0);
    assertThat(c.getCommand()).containsExactly("nvidia-smi", "-r", "-i", GPU_A);
    assertThat(c.getImage()).isEqualTo("nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04");
    assertThat(c.getSecurityContext().getPrivileged()).isTrue();
    assertThat(c.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains("NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_DRIVER_CAPABILITIES=utility");
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
  }

  @Test
  void shouldResetSeveralGpusOneAfterTheOther() {
    Job j = ResetJobs.job(ResetJobSettings.defaults(), "n", List.of(GPU_A, GPU_B), "op-2");
    PodSpec pod = j.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers())
        .singleElement()
        .satisfies(
            c -> assertThat(c.getCommand()).containsExactly("nvidia-smi", "-r", "-i", GPU_A));
    assertThat(pod.getContainers().get(0).getCommand())
        .containsExactly("nvidia-smi", "-r", "-i", GPU_B);
  }

  @Test
  void shouldLeaveTheRuntimeClassOutWhenNoneIsConfigured() {
    ResetJobSettings s = ResetJobSettings.defaults().with("ops", "busybox", "");
    Job j = ResetJobs.job(s, "n", List.of("0"), "op-3");
    assertThat(j.getSpec().getTemplate().getSpec().getRuntimeClassName()).isNull();
    assertThat(j.getMetadata().getNamespace()).isEqualTo("ops");
  }

  @Test
  void shouldAcceptOnlyGpuUuidsAndIndexes() {
    assertThat(ResetJobs.isGpuId(GPU_A)).isTrue();
    assertThat(ResetJobs.isGpuId("3")).isTrue();
    assertThat(ResetJobs.isGpuId("0; reboot")).isFalse();
    assertThat(ResetJobs.isGpuId(null)).isFalse();
  }
}
