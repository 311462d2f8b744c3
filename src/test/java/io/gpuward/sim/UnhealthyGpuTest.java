package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An XID the device plugin's health check acts on (scenario {@code unhealthy: true}). */
class UnhealthyGpuTest {
  private static final String NODE = "g5-wide-1";

  private static String scenario(String unhealthy) {
    return """
        name: unhealthy
        seed: 1
        sampleInterval: 1s
        duration: 5m
        nodegroups:
          - {name: g5-wide, instanceType: g5.48xlarge, image: al2023-nvidia, count: 2, zone: us-east-1a}
        faults:
          - {at: 5s, node: g5-wide-1, inject: xid, gpu: 3, xid: 48%s}
        """
        .formatted(unhealthy == null ? "" : ", unhealthy: " + unhealthy);
  }

  /** The workload pod on GPU {@code index} (namespace/name), or null. */
  private static String podOn(SimHarness h, int index) {
    return h.cluster.pods(NODE).stream()
        .filter(p -> p.gpuIndex() == index)
        .map(p -> p.namespace() + "/" + p.name())
        .findFirst()
        .orElse(null);
  }

  private static LiveNode.GpuCount gpus(SimHarness h) {
    return h.cluster.node(NODE).orElseThrow().gpus();
  }

  @Test
  void shouldWithholdTheGpuFromAllocatableUntilAResetClearsTheXid() {
    SimHarness h = SimHarness.of(scenario("true")).runTo("10s");
    assertThat(gpus(h)).isEqualTo(new LiveNode.GpuCount(8, 7));

    String pod = podOn(h, 3);
    h.cluster.evictPods(NODE, List.of(pod), Duration.ofSeconds(30));
    h.runTo("40s");
    assertThat(podOn(h, 3)).as("no pod placed on the withheld GPU").isNull();
    assertThat(h.cluster.node(NODE).orElseThrow().unschedulable()).isFalse();
    String instance = h.cluster.node(NODE).orElseThrow().instanceId();
    h.cluster.resetGpu(instance, "3", "op-reset");
    h.runTo("90s");

    assertThat(gpus(h)).isEqualTo(new LiveNode.GpuCount(8, 8));
  }

  @Test
  void shouldLeaveAllocatableAloneWithoutIt() {
    SimHarness h = SimHarness.of(scenario(null)).runTo("10s");

    assertThat(gpus(h)).isEqualTo(new LiveNode.GpuCount(8, 8));
  }

  @Test
  void shouldRejectAnUnhealthyValueThatIsNoBoolean() {
    assertThatThrownBy(() -> SimHarness.of(scenario("maybe")))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("unhealthy");
  }
}
