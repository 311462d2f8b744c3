package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.sim.aws.CloudWorld;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The faults of the world around a node: scale-in, a hung node, SSM, operand labels. */
class WorldFaultsTest {

  private static final String FLEET =
      """
      name: t
      seed: 11
      sampleInterval: 1s
      duration: 10m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 4, zone: us-east-1a}
        - {name: g5-infer, instanceType: g5.2xlarge, image: al2023-nvidia, count: 4, zone: us-east-1b}
      """;

  @Test
  void shouldScaleInAShareOfAGroupWithoutReplacingIt() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + "faults:\n  - {at: 10s, nodegroup: g5-infer, percent: 30, inject: scale-in}\n")
            .runTo("3m");

    List<InstanceView> g5 =
        h.cluster.instances().stream().filter(i -> i.nodegroup().equals("g5-infer")).toList();
    assertThat(g5).hasSize(4);
    List<String> gone =
        g5.stream().filter(i -> i.state().equals("TERMINATED")).map(InstanceView::node).toList();
    assertThat(gone).hasSize(2);
    assertThat(h.cluster.nodes()).noneMatch(n -> gone.contains(n.name()));
    assertThat(h.sink.tombstones).containsExactlyElementsOf(gone);
    assertThat(h.cluster.replacements()).isZero();
    assertThat(h.cluster.actions()).isEmpty();
    assertThat(h.sink.samples).noneMatch(s -> gone.contains(s.getNode()) && after(s, h, "11s"));
  }

  @Test
  void shouldHangSilentlyThenGoUnknownAfterTheGraceAndComeBackOnTheSameBoot() {
    SimHarness h =
        SimHarness.of(FLEET + "faults:\n  - {at: 10s, node: p5-train-1, inject: hang, for: 90s}\n");
    String boot = h.runTo("5s").cluster.node("p5-train-1").orElseThrow().bootId();

    h.runTo("49s");
    assertThat(h.cluster.node("p5-train-1").orElseThrow().ready()).isTrue();
    assertThat(view(h, "p5-train-1").statusUnknown()).isFalse();
    h.runTo("51s");
    assertThat(h.cluster.node("p5-train-1").orElseThrow().ready()).isFalse();
    assertThat(view(h, "p5-train-1").statusUnknown()).isTrue();

    h.runTo("2m");
    assertThat(h.cluster.node("p5-train-1").orElseThrow().ready()).isTrue();
    assertThat(h.cluster.node("p5-train-1").orElseThrow().bootId()).isEqualTo(boot);
    assertThat(h.sink.samples("p5-train-1"))
        .noneMatch(s -> after(s, h, "10s") && s.getEventTime().isBefore(h.at("100s")))
        .anyMatch(s -> after(s, h, "100s"));
    assertThat(h.sink.events("p5-train-1", NodeEventKind.EXPORTER_HEARTBEAT))
        .noneMatch(e -> at(e, h, "10s", "100s"));
    // the control plane's view comes from the Node object, never from the simulator
    assertThat(h.sink.events("p5-train-1", NodeEventKind.CONDITION_CHANGED))
        .allMatch(e -> e.getEventTime().equals(h.at("0s")));
  }

  @Test
  void shouldEndAHangWithARebootOnANewBoot() {
    SimHarness h =
        SimHarness.of(FLEET + "faults:\n  - {at: 10s, node: g5-infer-2, inject: hang}\n")
            .runTo("60s");
    String instance = h.cluster.node("g5-infer-2").orElseThrow().instanceId();
    String boot = h.cluster.node("g5-infer-2").orElseThrow().bootId();
    assertThat(view(h, "g5-infer-2").statusUnknown()).isTrue();

    h.cluster.reboot(instance, "op-hang");
    h.runTo("90s");

    assertThat(h.cluster.node("g5-infer-2").orElseThrow().ready()).isTrue();
    assertThat(h.cluster.node("g5-infer-2").orElseThrow().bootId()).isNotEqualTo(boot);
    assertThat(view(h, "g5-infer-2").statusUnknown()).isFalse();
    assertThat(h.sink.samples("g5-infer-2")).anyMatch(s -> after(s, h, "85s"));
  }

  @Test
  void shouldKeepAnInstanceOutOfSsmWhenItsAgentNeverRegisters() {
    SimHarness h =
        SimHarness.of(FLEET + "faults:\n  - {at: 0s, node: g5-infer-3, inject: ssm-unregistered}\n")
            .runTo("5s");

    assertThat(h.cluster.cloudInstances())
        .allSatisfy(
            i ->
                assertThat(i.ssm())
                    .isEqualTo(
                        i.node().equals("g5-infer-3")
                            ? CloudWorld.SsmPing.NOT_REGISTERED
                            : CloudWorld.SsmPing.ONLINE));
    assertThat(h.cluster.node("g5-infer-3").orElseThrow().ready()).isTrue();
  }

  @Test
  void shouldNotAddTheMigManagerWhenAnOperandMissingNamesItOnANonMigGpu() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + "faults:\n  - {at: 10s, node: g5-infer-0, inject: operand-missing,"
                    + " operand: mig-manager}\n")
            .runTo("20s");

    assertThat(h.cluster.pods("g5-infer-0")).noneMatch(p -> p.owner().equals("nvidia-mig-manager"));
    List<NodeEvent> labels = h.sink.events("g5-infer-0", NodeEventKind.LABELS_SNAPSHOT);
    assertThat(labels.get(labels.size() - 1).getLabels())
        .doesNotContainKey("nvidia.com/gpu.deploy.mig-manager");
  }

  @Test
  void shouldCrashLoopAnOperandPodWithGrowingRestartsAndDropAllocatableForTheDevicePlugin() {
    SimHarness h =
        SimHarness.of(
            FLEET
                + "faults:\n  - {at: 10s, node: p5-train-0, inject: operand-crashloop,"
                + " operand: device-plugin, for: 2m}\n");

    h.runTo("20s");
    PodView early = devicePlugin(h, "p5-train-0");
    h.runTo("60s");
    PodView later = devicePlugin(h, "p5-train-0");

    assertThat(early.waitingReason()).isEqualTo("CrashLoopBackOff");
    assertThat(later.waitingReason()).isEqualTo("CrashLoopBackOff");
    assertThat(later.restarts()).isGreaterThan(early.restarts());
    List<NodeEvent> res = h.sink.events("p5-train-0", NodeEventKind.RESOURCE_SNAPSHOT);
    assertThat(res.get(res.size() - 1).getGpuAllocatable()).isZero();
    List<NodeEvent> labels = h.sink.events("p5-train-0", NodeEventKind.LABELS_SNAPSHOT);
    assertThat(labels.get(labels.size() - 1).getLabels())
        .containsEntry("nvidia.com/gpu.deploy.device-plugin", "true");

    h.runTo("140s");
    assertThat(devicePlugin(h, "p5-train-0").waitingReason()).as("over after for").isNull();
  }

  @Test
  void shouldSetTheDeployLabelFalseAndRemoveThePodOnAnOptOut() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + "faults:\n  - {at: 10s, node: p5-train-0, inject: operand-opt-out,"
                    + " operand: dcgm-exporter}\n")
            .runTo("20s");

    assertThat(h.cluster.pods("p5-train-0"))
        .noneMatch(p -> p.owner().equals("nvidia-dcgm-exporter"));
    List<NodeEvent> labels = h.sink.events("p5-train-0", NodeEventKind.LABELS_SNAPSHOT);
    assertThat(labels.get(labels.size() - 1).getLabels())
        .containsEntry("nvidia.com/gpu.deploy.dcgm-exporter", "false");
  }

  private static PodView devicePlugin(SimHarness h, String node) {
    return h.cluster.pods(node).stream()
        .filter(p -> p.owner().equals("nvidia-device-plugin-daemonset"))
        .findFirst()
        .orElseThrow();
  }

  private static NodeView view(SimHarness h, String node) {
    return h.cluster.snapshot().nodes().stream()
        .filter(v -> v.name().equals(node))
        .findFirst()
        .orElseThrow();
  }

  private static boolean after(GpuSample s, SimHarness h, String offset) {
    return !s.getEventTime().isBefore(h.at(offset));
  }

  private static boolean at(NodeEvent e, SimHarness h, String from, String to) {
    Instant t = e.getEventTime();
    return !t.isBefore(h.at(from)) && t.isBefore(h.at(to));
  }
}
