package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.contract.Signatures;
import io.gpuward.remediation.port.ActuatorException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApplyGatesTest {
  private final FaultVerdict lost = open(FaultClass.GPU_LOST, RemediationAction.REBOOT);

  @Test
  void shouldLetCorrelationSettleFromTheLaterOfDetectionAndFirstRead() {
    var settle = new ApplyGates.CorrelationSettle(Duration.ofSeconds(15));
    // Detected 5 s before NOW, read at once: settled 10 s after NOW.
    assertThat(settle.waitUntil(lost, lost.getDetectedAt(), NOW)).contains(NOW.plusSeconds(10));
    // Read 20 s late: 15 s from the read, however old the verdict.
    assertThat(settle.waitUntil(lost, NOW.plusSeconds(20), NOW.plusSeconds(20)))
        .contains(NOW.plusSeconds(35));
    assertThat(settle.waitUntil(lost, lost.getDetectedAt(), NOW.plusSeconds(10))).isEmpty();
  }

  @Test
  void shouldHoldADisruptionWhoseNewestVersionAnIncidentHoldsUnlessApproved() {
    var gate = new ApplyGates.SettledHold();
    var controls = new ControlState();
    var held = FaultVerdict.newBuilder(lost).setHeld(true).setIncidentId("inc-7").build();
    assertThat(gate.check(lost, Optional.empty(), controls, NOW)).isEmpty();
    assertThat(gate.check(held, Optional.empty(), controls, NOW))
        .contains("held under fleet incident inc-7 while correlation settled");
    controls.apply(PlannerTest.command("verdict:v-1", ControlKind.APPROVE, null));
    assertThat(gate.check(held, Optional.empty(), controls, NOW)).isEmpty();
  }

  @Test
  void shouldHoldADisruptionAnOpenIncidentCoversBeforeItsHeldVersionIsRead() {
    var gate = new ApplyGates.SettledHold();
    var controls = new ControlState();
    var incident =
        FleetIncident.newBuilder()
            .setIncidentId("inc-9")
            .setScope("nodegroup:p5-train")
            .setIncidentClass(IncidentClass.COMMON_CAUSE)
            .setSignature(Signatures.of(lost))
            .setNodes(List.of(lost.getNode()))
            .setState(IncidentState.OPEN)
            .setDetectedAt(NOW)
            .setUpdatedAt(NOW)
            .setSummary("3 nodes of nodegroup p5-train")
            .build();
    assertThat(gate.check(lost, Optional.of(incident), controls, NOW))
        .hasValueSatisfying(d -> assertThat(d).contains("inc-9").contains("nodegroup:p5-train"));
    controls.apply(PlannerTest.command("verdict:v-1", ControlKind.APPROVE, null));
    assertThat(gate.check(lost, Optional.of(incident), controls, NOW)).isEmpty();
  }

  @Test
  void shouldKeepTheCordonWhileAnotherOpenVerdictOnTheNodeNeedsIt() {
    var gate = new ApplyGates.StillCordoning();
    var thermal =
        FaultVerdict.newBuilder(open(FaultClass.GPU_THERMAL, RemediationAction.CORDON))
            .setVerdictId("v-2")
            .build();
    var elsewhere = FaultVerdict.newBuilder(thermal).setNode("p5-train-9").build();
    assertThat(gate.check(lost, List.of(lost, elsewhere))).isEmpty();
    assertThat(gate.check(lost, List.of(lost, thermal)))
        .contains("node stays cordoned: verdict v-2 (GPU_THERMAL) is still open");
  }

  @Test
  void shouldRecordEachFailureKindAsItsOutcome() {
    assertThat(ApplyGates.outcomeOf(ActuatorException.Kind.TRANSIENT))
        .isEqualTo(Outcome.FAILED_TRANSIENT);
    assertThat(ApplyGates.outcomeOf(ActuatorException.Kind.PERMANENT))
        .isEqualTo(Outcome.FAILED_PERMANENT);
    assertThat(ApplyGates.outcomeOf(ActuatorException.Kind.AMBIGUOUS)).isEqualTo(Outcome.AMBIGUOUS);
  }
}
