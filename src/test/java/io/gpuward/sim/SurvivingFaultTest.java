package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.XidEvent;
import org.junit.jupiter.api.Test;

/** A broken GPU (scenario {@code survives:}) for the remediation ladder: reset, reboot, replace. */
class SurvivingFaultTest {

  private static String scenario(String survives) {
    return """
        name: broken
        seed: 1
        sampleInterval: 1s
        duration: 5m
        nodegroups:
          - {name: p5-train, instanceType: p5.48xlarge, image: al2023-nvidia, count: 2, zone: us-east-1a}
        faults:
          - {at: 5s, node: p5-train-1, inject: xid, gpu: 3, xid: 119%s}
        """
        .formatted(survives == null ? "" : ", survives: " + survives);
  }

  private static String instance(SimHarness h, String node) {
    return h.cluster.node(node).orElseThrow().instanceId();
  }

  private static long xids(SimHarness h, String node) {
    return h.sink.xids.stream().map(XidEvent::getNode).filter(node::equals).count();
  }

  @Test
  void shouldBringTheXidBackAfterEveryRebootUntilTheInstanceIsReplaced() {
    SimHarness h = SimHarness.of(scenario("reboot")).runTo("10s");
    assertThat(xids(h, "p5-train-1")).isEqualTo(1);

    h.cluster.reboot(instance(h, "p5-train-1"), "op-reboot-1");
    h.runTo("60s");
    assertThat(xids(h, "p5-train-1")).as("XID again after the reboot").isEqualTo(2);

    h.cluster.reboot(instance(h, "p5-train-1"), "op-reboot-2");
    h.runTo("120s");
    assertThat(xids(h, "p5-train-1")).isEqualTo(3);

    String asg = h.cluster.node("p5-train-1").orElseThrow().asgName();
    h.cluster.replace(instance(h, "p5-train-1"), asg, "op-replace");
    h.runTo("200s");
    assertThat(h.cluster.node("p5-train-1")).as("old node gone").isEmpty();
    assertThat(h.cluster.node("p5-train-2")).as("replacement registered").isPresent();
    assertThat(xids(h, "p5-train-2")).as("the new instance is healthy").isZero();
    assertThat(xids(h, "p5-train-1")).isEqualTo(3);
  }

  @Test
  void shouldLetAnOrdinaryXidGoAwayWithTheReboot() {
    SimHarness h = SimHarness.of(scenario(null)).runTo("10s");
    h.cluster.reboot(instance(h, "p5-train-1"), "op-reboot-1");
    h.runTo("90s");
    assertThat(xids(h, "p5-train-1")).isEqualTo(1);
  }

  @Test
  void shouldRejectAnUnknownSurvivesValue() {
    assertThatThrownBy(() -> SimHarness.of(scenario("replace")))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("survives")
        .hasMessageContaining("reset, reboot");
  }
}
