package io.gpuward.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

class OperandPodsTest {

  static Pod pod(String daemonSet, String phase) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("gpu-operator")
        .withName(daemonSet + "-x7k2p")
        .withUid("uid-1")
        .addNewOwnerReference()
        .withKind("DaemonSet")
        .withName(daemonSet)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withNodeName("p5-train-0")
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus()
        .build();
  }

  @Test
  void shouldMapTheOperatorsDaemonSetsToOperandNames() {
    assertThat(OperandPods.operandOf("nvidia-device-plugin-daemonset")).contains("device-plugin");
    assertThat(OperandPods.operandOf("nvidia-container-toolkit-daemonset"))
        .contains("container-toolkit");
    assertThat(OperandPods.operandOf("nvidia-dcgm")).contains("dcgm");
    assertThat(OperandPods.operandOf("nvidia-dcgm-exporter")).contains("dcgm-exporter");
    assertThat(OperandPods.operandOf("gpu-feature-discovery")).contains("gpu-feature-discovery");
    assertThat(OperandPods.operandOf("nvidia-operator-validator")).contains("operator-validator");
    assertThat(OperandPods.operandOf("nvidia-mig-manager")).contains("mig-manager");
    assertThat(OperandPods.operandOf("nvidia-device-plugin-mps-control-daemon"))
        .contains("mps-control-daemon");
    assertThat(OperandPods.operandOf("gpu-operator")).isEmpty();
    assertThat(OperandPods.operandOf(null)).isEmpty();
  }

  @Test
  void shouldRecognizeAnOperandPodByItsAppLabelWithoutAnOwner() {
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withName("nvidia-dcgm-exporter-abcde")
            .addToLabels("app", "nvidia-dcgm-exporter")
            .endMetadata()
            .build();

    assertThat(OperandPods.operand(p)).contains("dcgm-exporter");
    assertThat(OperandPods.operand(pod("nvidia-device-plugin-daemonset", "Running")))
        .contains("device-plugin");
  }

  @Test
  void shouldReportACrashLoopingContainerWithItsRestartsAndLastTermination() {
    Pod p = pod("nvidia-device-plugin-daemonset", "Running");
    p.getStatus()
        .getContainerStatuses()
        .add(
            new ContainerStatusBuilder()
                .withName("nvidia-device-plugin")
                .withRestartCount(5)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withReason("Error")
                .withExitCode(1)
                .endTerminated()
                .endLastState()
                .build());

    OperandPods.Status st = OperandPods.status(p);

    assertThat(st.state()).isEqualTo("CrashLoopBackOff");
    assertThat(st.container()).isEqualTo("nvidia-device-plugin");
    assertThat(st.restarts()).isEqualTo(5);
    assertThat(st.message()).isEqualTo("restarts 5, last terminated Error");
  }

  @Test
  void shouldReportAPodWhoseContainersRunAsRunning() {
    Pod p = pod("gpu-feature-discovery", "Running");
    p.getStatus()
        .getContainerStatuses()
        .add(
            new ContainerStatusBuilder()
                .withName("gpu-feature-discovery")
                .withRestartCount(0)
                .withNewState()
                .withNewRunning()
                .endRunning()
                .endState()
                .build());

    assertThat(OperandPods.status(p).state()).isEqualTo("Running");
    assertThat(OperandPods.status(pod("gpu-feature-discovery", "Pending")).state())
        .isEqualTo("Pending");
  }
}
