package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.Signatures;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenIncidentsTest {
  private final OpenIncidents incidents = new OpenIncidents();
  private final FleetView fleet = new FleetView();
  private final FaultVerdict lost =
      FaultVerdict.newBuilder(
              PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN))
          .setNode("p5-train-4")
          .setNodegroup("p5-train")
          .setZone("us-east-1a")
          .build();

  private FleetIncident incident(String scope, String signature, IncidentState state) {
    return FleetIncident.newBuilder()
        .setIncidentId("inc-1")
        .setScope(scope)
        .setIncidentClass(IncidentClass.COMMON_CAUSE)
        .setSignature(signature)
        .setNodes(List.of("p5-train-1", "p5-train-2", "p5-train-3"))
        .setState(state)
        .setDetectedAt(NOW)
        .setUpdatedAt(NOW)
        .setSummary("3 nodes")
        .build();
  }

  @Test
  void shouldCoverAVerdictOfTheSignatureInItsNodesGroupEvenWhenTheNodeIsNotListedYet() {
    incidents.apply(incident("nodegroup:p5-train", Signatures.of(lost), IncidentState.OPEN));
    assertThat(incidents.covering(lost, fleet)).map(FleetIncident::getIncidentId).hasValue("inc-1");
  }

  @Test
  void shouldNotCoverAnotherSignatureOrAnotherScope() {
    incidents.apply(incident("nodegroup:p5-train", "GPU_LOST:xid=48", IncidentState.OPEN));
    incidents.apply(incident("nodegroup:p4d-train", Signatures.of(lost), IncidentState.OPEN));
    assertThat(incidents.covering(lost, fleet)).isEmpty();
  }

  @Test
  void shouldMatchTheImageAndDriverScopesFromTheNodesInventory() {
    fleet.apply(
        NodeInventory.newBuilder()
            .setNode("p5-train-4")
            .setNodegroup("other-group")
            .setImage("al2023-nvidia")
            .setUpdatedAt(NOW)
            .setLabels(java.util.Map.of())
            .build());
    incidents.apply(incident("image:al2023-nvidia", Signatures.of(lost), IncidentState.OPEN));
    assertThat(incidents.covering(lost, fleet)).isPresent();
  }

  @Test
  void shouldForgetAClearedIncident() {
    incidents.apply(incident("nodegroup:p5-train", Signatures.of(lost), IncidentState.OPEN));
    incidents.apply(incident("nodegroup:p5-train", Signatures.of(lost), IncidentState.CLEARED));
    assertThat(incidents.covering(lost, fleet)).isEmpty();
    assertThat(incidents.size()).isZero();
  }
}
