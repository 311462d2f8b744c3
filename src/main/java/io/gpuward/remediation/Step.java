package io.gpuward.remediation;

import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;

/**
 * One planned step: perform {@code action}, or record that it is skipped and why.
 *
 * @param operationId deterministic id (node, fault session, action, attempt)
 * @param action the action
 * @param attempt attempt number of this action in the fault session, from 1
 * @param skip the reason not to act, or null to act
 * @param detail readable detail for the audit record
 */
public record Step(
    String operationId, RemediationAction action, int attempt, SkipReason skip, String detail) {

  public boolean skipped() {
    return skip != null;
  }
}
