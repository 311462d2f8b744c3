package io.gpuward.remediation;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.Optional;

/** Verdicts, nodes and ledger records for the planner's gate tests. */
final class GateFixtures {
  private GateFixtures() {}

  static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  static final RemediationPolicy POLICY = RemediationPolicy.load();

  static FaultVerdict open(FaultClass c, RemediationAction a) {
    return PlannerTest.verdict(c, a, VerdictState.OPEN);
  }

  static FaultVerdict cleared() {
    return PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.CLEARED);
  }

  static Optional<LiveNode> node(String cordonedBy) {
    return Optional.of(PlannerTest.node(cordonedBy != null, cordonedBy));
  }

  /** Records {@code outcome} of attempt {@code attempt} of {@code action} for {@code v}. */
  static String record(
      Ledger ledger,
      FaultVerdict v,
      RemediationAction action,
      int attempt,
      Outcome outcome,
      Instant at,
      String detail) {
    String op = OperationIds.of(v.getNode(), v.getVerdictId(), action, attempt);
    ledger.record(
        RemediationRecord.newBuilder()
            .setOperationId(op)
            .setVerdictId(v.getVerdictId())
            .setNode(v.getNode())
            .setAction(action)
            .setOutcome(outcome)
            .setAttempt(attempt)
            .setPolicyVersion(POLICY.version())
            .setAt(at)
            .setDetail(detail)
            .build());
    return op;
  }
}
