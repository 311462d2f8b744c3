package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Evicting one GPU's pods and resetting that GPU: on a type without NVSwitch (g5.12xlarge) the
 * reset needs only that GPU's pods gone; on an NVSwitch type (p4d) it needs every GPU idle.
 */
class PerGpuResetTest {

  private static final String FLEET =
      """
      name: t
      seed: 5
      sampleInterval: 1s
      duration: 10m
      nodegroups:
        - {name: g5-big, instanceType: g5.12xlarge, image: al2023-nvidia, count: 2, zone: us-east-1b}
        - {name: p4d-train, instanceType: p4d.24xlarge, image: al2023-nvidia, count: 2, zone: us-east-1a}
      """;

  private static String podOn(SimHarness h, String node, int gpu) {
    return h.cluster.pods(node).stream()
        .filter(p -> !p.daemonSet() && p.gpuIndex() == gpu)
        .map(p -> p.namespace() + "/" + p.name())
        .findFirst()
        .orElseThrow();
  }

  private static List<PodView> workloads(SimHarness h, String node) {
    return h.cluster.pods(node).stream().filter(p -> !p.daemonSet()).toList();
  }

  @Test
  void shouldEvictOnlyTheNamedPodAndResetItsGpuOnATypeWithoutNvswitch() {
    SimHarness h = SimHarness.of(FLEET).runTo("15s");
    LiveNode n = h.cluster.node("g5-big-0").orElseThrow();
    String pod = podOn(h, "g5-big-0", 2);
    h.cluster.cordon("g5-big-0", "op-c");

    DrainResult r = h.cluster.evictPods("g5-big-0", List.of(pod), Duration.ofSeconds(30));
    h.cluster.resetGpu(n.instanceId(), "2", "op-reset");

    assertThat(r).isEqualTo(new DrainResult(1, 0, 0, true));
    assertThat(workloads(h, "g5-big-0")).extracting(PodView::gpuIndex).containsOnly(0, 1, 3);
    assertThat(h.cluster.gpuResets()).isEqualTo(1);
  }

  @Test
  void shouldRefuseAGpuResetWhileThatGpusPodRuns() {
    SimHarness h = SimHarness.of(FLEET).runTo("15s");
    LiveNode n = h.cluster.node("g5-big-1").orElseThrow();
    h.cluster.evictPods("g5-big-1", List.of(podOn(h, "g5-big-1", 0)), Duration.ofSeconds(30));

    assertThatThrownBy(() -> h.cluster.resetGpu(n.instanceId(), "1", "op-reset"))
        .isInstanceOf(ActuatorException.class)
        .hasMessage("GPU 1 not drained");
  }

  @Test
  void shouldRefuseAGpuResetOnAnNvswitchTypeUntilTheWholeNodeIsIdle() {
    SimHarness h = SimHarness.of(FLEET).runTo("15s");
    LiveNode n = h.cluster.node("p4d-train-0").orElseThrow();
    h.cluster.evictPods("p4d-train-0", List.of(podOn(h, "p4d-train-0", 3)), Duration.ofSeconds(30));

    assertThatThrownBy(() -> h.cluster.resetGpu(n.instanceId(), "3", "op-reset"))
        .isInstanceOf(ActuatorException.class)
        .hasMessage("node not drained");
    assertThat(h.cluster.gpuResets()).isZero();
  }
}
