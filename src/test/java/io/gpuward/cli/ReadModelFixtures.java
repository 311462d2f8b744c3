package io.gpuward.cli;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.testing.SampleRecords;
import java.time.Instant;
import java.util.List;

/** Hand-built outcome records for the status and explain read models. */
final class ReadModelFixtures {
  static final RemediationPolicy POLICY = RemediationPolicy.load();
  static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  static final String VERDICTS = "gpuward.verdicts.v1";
  static final String CONTROL = "gpuward.control.v1";

  private ReadModelFixtures() {}

  static FaultVerdict verdict(String id, String node, FaultClass cls, VerdictState state) {
    return FaultVerdict.newBuilder(SampleRecords.faultVerdict())
        .setVerdictId(id)
        .setNode(node)
        .setFaultClass(cls)
        .setState(state)
        .setRecommendedAction(RemediationAction.REBOOT)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plusSeconds(3600))
        .setClearReason(state == VerdictState.CLEARED ? "GPU back in telemetry" : null)
        .build();
  }

  static FaultVerdict held(FaultVerdict v, String incidentId) {
    return FaultVerdict.newBuilder(v).setHeld(true).setIncidentId(incidentId).build();
  }

  static Read<FaultVerdict> at(long offset, FaultVerdict v) {
    return Read.of(VERDICTS, 0, offset, v.getNode(), v);
  }

  static RemediationRecord step(
      FaultVerdict v, RemediationAction a, Outcome o, SkipReason why, int sec, String detail) {
    return RemediationRecord.newBuilder()
        .setOperationId(v.getNode() + "/" + v.getVerdictId() + "/" + a + "/1")
        .setVerdictId(v.getVerdictId())
        .setNode(v.getNode())
        .setAction(a)
        .setOutcome(o)
        .setReason(why)
        .setAttempt(1)
        .setPolicyVersion(POLICY.version())
        .setAt(T0.plusSeconds(sec))
        .setFaultClass(v.getFaultClass())
        .setNodegroup(v.getNodegroup())
        .setDryRun(false)
        .setDetail(detail)
        .build();
  }

  static FleetIncident incident(String id, List<String> nodes) {
    return FleetIncident.newBuilder(SampleRecords.fleetIncident())
        .setIncidentId(id)
        .setScope("nodegroup:p4d-train")
        .setNodes(nodes)
        .setFaultClass(FaultClass.GPU_LOST)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .build();
  }

  static Read<ControlCommand> control(
      long offset, String scope, ControlKind kind, Instant expiresAt) {
    ControlCommand c =
        ControlCommand.newBuilder(SampleRecords.controlCommand())
            .setCommandId("cmd-" + offset)
            .setScope(scope)
            .setKind(kind)
            .setIssuedAt(T0)
            .setExpiresAt(expiresAt)
            .build();
    return Read.of(CONTROL, 0, offset, scope, c);
  }
}
