package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.config.Durations;
import io.gpuward.contract.FaultClasses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A configuration fault is escalated once per scope (its node group, else the node) and signature
 * (fault class and rule): the other nodes of the scope with it are SKIPPED SUPERSEDED. Still open
 * {@code reescalateAfter} after the scope's newest escalation, it is escalated again.
 */
record ScopeEscalation(RemediationPolicy policy) {

  Route route(FaultVerdict v, Ledger ledger, String note, Instant now) {
    String scope = scope(v);
    String signature = signature(v);
    int attempt = newestAttempt(scope, signature, ledger);
    String scopeOp = OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt);
    var done = ledger.entry(scopeOp).filter(e -> ledger.finished(e.operationId()));
    Duration again = policy.reescalateAfter();
    boolean due = done.isPresent() && !again.isZero() && !now.isBefore(done.get().at().plus(again));
    if (done.isPresent() && !due) {
      return superseded(v, done.get(), ledger);
    }
    if (due) {
      attempt++;
      scopeOp = OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt);
      note =
          "still unresolved "
              + Durations.format(again)
              + " after the last escalation of "
              + scope
              + " "
              + signature
              + ": escalated again";
    }
    return Route.go(
        List.of(),
        List.of(new Op(scopeOp, RemediationAction.ESCALATE, attempt, scope, signature)),
        note);
  }

  /**
   * The scope was escalated already: said once for this verdict, or nothing when it was this one.
   */
  private Route superseded(FaultVerdict v, Ledger.Entry done, Ledger ledger) {
    if (done.verdictId().equals(v.getVerdictId())) {
      return Route.stop(List.of(), new Decision.Skip("escalated; a human owns it now"));
    }
    String own = OperationIds.of(v.getNode(), v.getVerdictId(), RemediationAction.ESCALATE, 1);
    if (ledger.decided(own)) {
      return Route.stop(List.of(), new Decision.Skip("superseded; said once already"));
    }
    Duration again = policy.reescalateAfter();
    String detail =
        "escalated already for "
            + scope(v)
            + " "
            + signature(v)
            + " (verdict "
            + done.verdictId()
            + " on node "
            + done.node()
            + ")"
            + (again.isZero()
                ? "; not escalated again"
                : "; escalated again after " + Durations.format(again) + " if still open");
    return Route.stop(
        List.of(new Step(own, RemediationAction.ESCALATE, 1, SkipReason.SUPERSEDED, detail)),
        new Decision.Skip("superseded"));
  }

  /**
   * When the scope of an open configuration fault is due to be escalated again (its newest
   * escalation finished plus {@code reescalateAfter}); empty when not a configuration fault, not
   * escalated yet, or re-escalation is off.
   */
  Optional<Instant> due(FaultVerdict v, Ledger ledger) {
    Duration again = policy.reescalateAfter();
    if (again.isZero()
        || v.getState() == VerdictState.CLEARED
        || !FaultClasses.isConfiguration(v.getFaultClass())) {
      return Optional.empty();
    }
    String scope = scope(v);
    String signature = signature(v);
    int attempt = newestAttempt(scope, signature, ledger);
    return ledger
        .entry(OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt))
        .filter(e -> ledger.finished(e.operationId()))
        .map(e -> e.at().plus(again));
  }

  /** The scope's escalations are attempts 1, 2, ...: the newest one decides. */
  private static int newestAttempt(String scope, String signature, Ledger ledger) {
    int attempt = 1;
    while (ledger
        .entry(OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt + 1))
        .isPresent()) {
      attempt++;
    }
    return attempt;
  }

  /** Where a configuration fault is escalated once: its node group, else the node. */
  static String scope(FaultVerdict v) {
    return v.getNodegroup() != null && !v.getNodegroup().isBlank()
        ? "nodegroup:" + v.getNodegroup()
        : "node:" + v.getNode();
  }

  private static String signature(FaultVerdict v) {
    return v.getFaultClass() + "/" + v.getRuleId();
  }
}
