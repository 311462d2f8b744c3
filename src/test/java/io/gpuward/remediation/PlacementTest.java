package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Node group and zone come from the live node, then the inventory, never from the verdict. */
class PlacementTest {

  private final FleetView fleet = new FleetView();

  private static LiveNode live(Map<String, String> labels) {
    return LiveNode.named("p5-train-2")
        .bootId("b")
        .ready(true)
        .instanceId("i-1")
        .labels(labels)
        .build();
  }

  private void inventory(String group, String zone) {
    fleet.apply(
        NodeInventory.newBuilder()
            .setNode("p5-train-2")
            .setNodegroup(group)
            .setZone(zone)
            .setUpdatedAt(Instant.EPOCH)
            .setLabels(Map.of())
            .build());
  }

  private static FaultVerdict forged() {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN))
        .setNodegroup("group-of-its-own")
        .setZone("nowhere")
        .build();
  }

  @Test
  void shouldTakeTheNodeGroupAndZoneFromTheLiveNodeLabels() {
    inventory("stale-group", "stale-zone");
    var p =
        Placement.of(
            "p5-train-2",
            Optional.of(
                live(
                    Map.of(
                        "eks.amazonaws.com/nodegroup", "p5-train",
                        "topology.kubernetes.io/zone", "us-east-1a"))),
            fleet);
    assertThat(p).isEqualTo(new Placement("p5-train", "us-east-1a"));
    assertThat(p.agreesWith(forged())).isFalse();
    assertThat(p.applyTo(forged()).getNodegroup()).isEqualTo("p5-train");
  }

  @Test
  void shouldFallBackToTheInventoryWhenTheNodeHasNoSuchLabels() {
    inventory("p5-train", "us-east-1a");
    assertThat(Placement.of("p5-train-2", Optional.of(live(Map.of())), fleet))
        .isEqualTo(new Placement("p5-train", "us-east-1a"));
  }

  @Test
  void shouldReadKarpenterNodePools() {
    assertThat(
            Placement.of(
                    "p5-train-2",
                    Optional.of(live(Map.of("karpenter.sh/nodepool", "gpu-pool"))),
                    fleet)
                .nodegroup())
        .isEqualTo("gpu-pool");
  }

  @Test
  void shouldNeverTakeThePlacementFromTheVerdict() {
    var p = Placement.of("p5-train-2", Optional.empty(), fleet);
    assertThat(p).isEqualTo(new Placement(null, null));
    FaultVerdict applied = p.applyTo(forged());
    assertThat(applied.getNodegroup()).isNull();
    assertThat(applied.getZone()).isNull();
  }
}
