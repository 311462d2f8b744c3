package io.gpuward.remediation;

import io.gpuward.avro.RemediationAction;

/**
 * One operation a plan may carry out. Its attempts are numbered under {@code (owner, session)}: the
 * node and fault session, or for a configuration escalation its scope and signature.
 */
record Op(String id, RemediationAction action, int attempt, String owner, String session) {

  /** The id of attempt {@code n} of the same operation. */
  String attemptId(int n) {
    return OperationIds.of(owner, session, action, n);
  }

  /** The operation of {@code a} in the session: its latest attempt, or attempt 1. */
  static Op latest(String node, String session, RemediationAction a, Ledger ledger) {
    var e = ledger.latestAttempt(node, session, a);
    return e.map(x -> new Op(x.operationId(), a, x.attempt(), node, session))
        .orElseGet(() -> new Op(OperationIds.of(node, session, a, 1), a, 1, node, session));
  }
}
