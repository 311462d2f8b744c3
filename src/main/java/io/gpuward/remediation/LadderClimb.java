package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.config.Durations;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The escalation ladder of one fault session: start at the recommended rung (or at REPLACE for a
 * repeat offender), skip the rungs that failed for good or were not verified in time, wait while a
 * rung awaits its verification, and go straight to ESCALATE past a rung that may or may not have
 * happened (AMBIGUOUS).
 */
record LadderClimb(RemediationPolicy policy) {

  Route route(
      FaultVerdict v,
      RemediationAction recommended,
      String note,
      Optional<LiveNode> live,
      Ledger ledger,
      Instant now) {
    int start = policy.ladder().indexOf(recommended);
    String offender = repeatOffender(v, start, ledger, now);
    if (offender != null) {
      return climb(
          v,
          recommended,
          policy.ladder().indexOf(RemediationAction.REPLACE),
          offender,
          live,
          ledger,
          now);
    }
    return climb(v, recommended, start, note, live, ledger, now);
  }

  /** Up the rungs from {@code start} to the first one to carry out, recording what is settled. */
  private Route climb(
      FaultVerdict v,
      RemediationAction recommended,
      int start,
      String note,
      Optional<LiveNode> live,
      Ledger ledger,
      Instant now) {
    List<RemediationAction> rungs = policy.ladder().rungs();
    List<Step> facts = new ArrayList<>();
    for (int i = start; i < rungs.size(); i++) {
      RemediationAction r = rungs.get(i);
      if (ambiguous(v, r, ledger)) {
        // It may or may not have happened: never retried blindly, a human decides.
        int esc = rungs.indexOf(RemediationAction.ESCALATE);
        if (esc <= i) {
          return Route.stop(facts, new Decision.Skip("a rung is AMBIGUOUS: a human decides"));
        }
        i = esc - 1;
        continue;
      }
      if (ValidateGate.failedAfter(v, r, ledger)) {
        continue; // it took effect, and diagnostics failed after it: the next rung
      }
      var e = ledger.latestAttempt(v.getNode(), v.getVerdictId(), r);
      Outcome o = e.map(Ledger.Entry::outcome).orElse(null);
      Optional<Decision> stop =
          o == Outcome.SUCCEEDED ? succeeded(v, e.get(), live, facts, now) : Optional.empty();
      if (stop.isPresent() || o == Outcome.VERIFIED) {
        return Route.stop(facts, stop.orElse(new Decision.Skip("fixed: " + r + " verified")));
      }
      if (o == Outcome.SUCCEEDED || o == Outcome.FAILED_PERMANENT) {
        continue; // not verified in time, or this rung cannot help: try the next
      }
      String why =
          note == null && r != recommended
              ? "escalation ladder: " + recommended + " did not fix it, now " + r
              : note;
      return Route.go(facts, ops(v, r, ledger), why);
    }
    return Route.stop(facts, new Decision.Skip("the ladder is exhausted"));
  }

  /**
   * A rung that succeeded: the stop while it awaits verification (or once a human owns it), or
   * empty after recording that it was not verified in time (the next rung).
   */
  private Optional<Decision> succeeded(
      FaultVerdict v, Ledger.Entry done, Optional<LiveNode> live, List<Step> facts, Instant now) {
    RemediationAction r = done.action();
    if (!Actions.VERIFIABLE.contains(r)) {
      return Optional.of(new Decision.Skip("escalated: a human owns it now"));
    }
    if (r == RemediationAction.REPLACE && Reconcile.replacedAway(done, live)) {
      facts.add(
          Step.record(
              done.operationId(),
              r,
              done.attempt(),
              Outcome.VERIFIED,
              "node " + v.getNode() + " is gone: its instance was replaced"));
      return Optional.of(new Decision.Skip("fixed: replaced"));
    }
    Instant due = done.at().plus(policy.ladder().deadline(r));
    if (now.isBefore(due)) {
      return Optional.of(new Decision.Defer(due, "waiting for " + r + " to be verified"));
    }
    facts.add(
        Step.record(
            done.operationId(),
            r,
            done.attempt(),
            Outcome.FAILED_PERMANENT,
            "not verified within "
                + policy.ladder().deadline(r)
                + ": the verdict is still open; next rung"));
    return Optional.empty();
  }

  /** The note that sends a repeat offender straight to REPLACE, or null. */
  private String repeatOffender(FaultVerdict v, int start, Ledger ledger, Instant now) {
    var repeat = policy.repeatOffender();
    int replaceAt = policy.ladder().indexOf(RemediationAction.REPLACE);
    if (repeat.faults() < 2 || replaceAt <= start) {
      return null;
    }
    long fixed =
        ledger.fixedSessions(
            v.getNode(), v.getVerdictId(), now.minus(repeat.within()), v.getDetectedAt());
    if (fixed < repeat.faults() - 1) {
      return null;
    }
    return "repeat offender: "
        + v.getNode()
        + " was remediated and fixed "
        + fixed
        + " time(s) in the "
        + Durations.format(repeat.within())
        + " before this fault, straight to "
        + RemediationAction.REPLACE;
  }

  private boolean ambiguous(FaultVerdict v, RemediationAction rung, Ledger ledger) {
    return ops(v, rung, ledger).stream()
        .anyMatch(o -> ledger.outcome(o.id()).orElse(null) == Outcome.AMBIGUOUS);
  }

  private List<Op> ops(FaultVerdict v, RemediationAction rung, Ledger ledger) {
    List<Op> out = new ArrayList<>();
    for (RemediationAction a : policy.stepsFor(rung)) {
      Op op = Op.latest(v.getNode(), v.getVerdictId(), a, ledger);
      if (a == RemediationAction.DRAIN
          && GpuDrainScope.wholeDrainDue(
              rung, ledger.latestAttempt(v.getNode(), v.getVerdictId(), a))) {
        // The earlier drain left the other GPUs' pods running; a reboot or replacement needs the
        // whole node drained first.
        op = new Op(op.attemptId(op.attempt() + 1), a, op.attempt() + 1, op.owner(), op.session());
      }
      out.add(op);
    }
    return out;
  }

  /**
   * True while a rung of the verdict's ladder succeeded and awaits verification, or a reboot
   * started before a restart awaits its reconciliation.
   */
  boolean awaitingVerification(FaultVerdict v, Ledger ledger) {
    for (RemediationAction a : policy.ladder().rungs()) {
      Outcome o =
          ledger
              .latestAttempt(v.getNode(), v.getVerdictId(), a)
              .map(Ledger.Entry::outcome)
              .orElse(null);
      if (Actions.VERIFIABLE.contains(a)
          && (o == Outcome.SUCCEEDED || (a == RemediationAction.REBOOT && o == Outcome.STARTED))) {
        return true;
      }
    }
    return false;
  }
}
