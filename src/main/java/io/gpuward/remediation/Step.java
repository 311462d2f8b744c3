package io.gpuward.remediation;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;

/**
 * One planned step: perform {@code action}, record that it is skipped and why, or only record an
 * outcome the planner established without acting (a ladder rung verified or not verified in time, a
 * STARTED step reconciled against live state after a restart).
 *
 * @param operationId deterministic id (node, fault session, action, attempt)
 * @param action the action
 * @param attempt attempt number of this action in the fault session, from 1
 * @param skip the reason not to act, or null to act
 * @param detail readable detail for the audit record
 * @param report when not null: do not act, only record this outcome
 */
public record Step(
    String operationId,
    RemediationAction action,
    int attempt,
    SkipReason skip,
    String detail,
    Outcome report) {

  public Step(
      String operationId, RemediationAction action, int attempt, SkipReason skip, String detail) {
    this(operationId, action, attempt, skip, detail, null);
  }

  /** A step that only records {@code outcome} for the operation. */
  public static Step record(
      String operationId, RemediationAction action, int attempt, Outcome outcome, String detail) {
    return new Step(operationId, action, attempt, null, detail, outcome);
  }

  public boolean skipped() {
    return skip != null;
  }

  public boolean reportOnly() {
    return report != null;
  }
}
