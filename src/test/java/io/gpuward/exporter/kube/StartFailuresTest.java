package io.gpuward.exporter.kube;

import static io.gpuward.exporter.kube.KubeObjects.LIBNVML;
import static io.gpuward.exporter.kube.KubeObjects.NODE;
import static io.gpuward.exporter.kube.KubeObjects.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.gpuward.exporter.kube.StartFailures.StartFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartFailuresTest {

  @Test
  void shouldTellRuntimeStartFailuresFromImagePullsInFailedEvents() {
    assertThat(StartFailures.isStartFailureMessage("Error: " + LIBNVML)).isTrue();
    assertThat(
            StartFailures.isStartFailureMessage(
                "Error: failed to create containerd task: failed to create shim task: OCI runtime"
                    + " create failed: could not apply required modification to OCI"
                    + " specification: error modifying OCI spec: failed to inject CDI devices:"
                    + " unresolvable CDI devices management.nvidia.com/gpu=GPU-e78e68c0"))
        .isTrue();
    assertThat(
            StartFailures.isStartFailureMessage(
                "Error: failed to create containerd container: CDI device injection failed:"
                    + " unresolvable CDI devices k8s.gpu.nvidia.com/device=gpu-1"))
        .isTrue();
    assertThat(
            StartFailures.isStartFailureMessage(
                "nvidia-container-cli: initialization error: nvml error: driver not loaded:"
                    + " unknown"))
        .isTrue();
    assertThat(StartFailures.isStartFailureMessage("Error: ErrImagePull")).isFalse();
    assertThat(StartFailures.isStartFailureMessage("Error: ImagePullBackOff")).isFalse();
    assertThat(
            StartFailures.isStartFailureMessage("Failed to pull image \"busybox:nope\": not found"))
        .isFalse();
    assertThat(StartFailures.isStartFailureMessage(null)).isFalse();
  }

  @Test
  void shouldReadTheContainerFromTheFieldPath() {
    assertThat(StartFailures.containerOf("spec.containers{cuda}")).isEqualTo("cuda");
    assertThat(StartFailures.containerOf("spec.initContainers{driver-validation}"))
        .isEqualTo("driver-validation");
    assertThat(StartFailures.containerOf(null)).isNull();
    assertThat(StartFailures.containerOf("metadata")).isNull();
  }

  @Test
  void shouldIdentifyAnAttemptTheSameInStateAndLastState() {
    Pod backingOff = KubeObjects.startErrorPod("ml", "p", NODE, LIBNVML, T0);
    backingOff.getMetadata().setUid("uid-1");
    Pod justFailed = KubeObjects.startErrorPod("ml", "p", NODE, LIBNVML, T0);
    justFailed.getMetadata().setUid("uid-1");
    ContainerState last = justFailed.getStatus().getContainerStatuses().get(0).getLastState();
    justFailed.getStatus().getContainerStatuses().get(0).setState(last);
    justFailed.getStatus().getContainerStatuses().get(0).setLastState(new ContainerState());

    List<StartFailure> a = StartFailures.fromPod(backingOff);
    List<StartFailure> b = StartFailures.fromPod(justFailed);
    assertThat(a).hasSize(1);
    assertThat(b).hasSize(1);
    assertThat(a.get(0).idSuffix()).isEqualTo(b.get(0).idSuffix());
    assertThat(a.get(0).container()).isEqualTo("cuda");
    assertThat(a.get(0).reason()).isEqualTo("StartError");
    assertThat(a.get(0).at()).isEqualTo(T0);
  }

  @Test
  void shouldReportCreateContainerErrorWhileWaitingButNotCrashLoopBackOffAlone() {
    Pod p = KubeObjects.runningPod("ml", "w", NODE);
    p.getMetadata().setUid("uid-2");
    p.getStatus()
        .getContainerStatuses()
        .get(0)
        .setState(
            new ContainerStateBuilder()
                .withNewWaiting()
                .withReason("CreateContainerError")
                .withMessage("failed to create containerd container: CDI device injection failed")
                .endWaiting()
                .build());
    assertThat(StartFailures.fromPod(p))
        .extracting(StartFailure::reason, StartFailure::container)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("CreateContainerError", "app"));

    p.getStatus()
        .getContainerStatuses()
        .get(0)
        .setState(
            new ContainerStateBuilder()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .build());
    assertThat(StartFailures.fromPod(p)).isEmpty();
  }

  @Test
  void shouldStripTheKubeletErrorPrefixToCompareReports() {
    assertThat(StartFailures.normalized("Error: " + LIBNVML)).isEqualTo(LIBNVML.strip());
    assertThat(StartFailures.normalized(LIBNVML)).isEqualTo(LIBNVML.strip());
  }
}
