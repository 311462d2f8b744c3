package io.gpuward.cli;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.RemediationPolicy;
import java.time.Instant;
import java.util.List;

/**
 * What one verdict's remediation waits for, and what comes after, read from its latest audit
 * record. Deadlines come from the remediation policy only when the record names that policy's
 * version: a remediator running another policy may have other deadlines, and a guess would be
 * presented as fact. Pure.
 */
final class NextStep {

  /**
   * @param what what it waits for, readable
   * @param until when that wait ends, when the records and the policy say so; else null
   * @param then what happens after it, when known; else null
   */
  record Waiting(String what, Instant until, String then) {}

  private final RemediationPolicy policy;

  NextStep(RemediationPolicy policy) {
    this.policy = policy;
  }

  /** {@code v} and {@code trail} may each be null when the period holds none. */
  Waiting of(FaultVerdict v, Trail trail, Instant now) {
    if (v != null && v.getState() == VerdictState.CLEARED) {
      Waiting validating = trail == null ? null : validating(v, trail.latest());
      if (validating != null) {
        return validating;
      }
      return new Waiting(
          "nothing: cleared" + (v.getClearReason() == null ? "" : " (" + v.getClearReason() + ")"),
          null,
          null);
    }
    if (trail == null) {
      return new Waiting(
          "the remediator: no audit record for this verdict in the period",
          null,
          v == null ? null : "plan " + policy.stepsFor(v.getRecommendedAction()));
    }
    RemediationRecord r = trail.latest();
    if (r.getOutcome() == Outcome.SKIPPED) {
      return skipped(v, r);
    }
    if (r.getOutcome() == Outcome.SUCCEEDED) {
      return succeeded(v, r, now);
    }
    return other(r);
  }

  /**
   * A cleared verdict whose node is not back yet: its repair is validated before the UNCORDON
   * (diagnostics to run or running), or the diagnostics failed and the ladder climbs. Null when its
   * remediation is not at validation.
   */
  private Waiting validating(FaultVerdict v, RemediationRecord r) {
    RemediationAction a = r.getAction();
    if (a == RemediationAction.VALIDATE) {
      return switch (r.getOutcome()) {
        case PLANNED, STARTED ->
            new Waiting(
                "DCGM diagnostics to finish",
                policyKnown(r) ? r.getAt().plus(policy.validate().timeout()) : null,
                "UNCORDON if they pass; the next rung if they fail or time out");
        case SUCCEEDED -> new Waiting("UNCORDON: the diagnostics passed", null, null);
        case FAILED_PERMANENT, AMBIGUOUS ->
            new Waiting("the next rung: the diagnostics failed", null, "the node stays cordoned");
        default -> null;
      };
    }
    boolean repaired = r.getOutcome() == Outcome.VERIFIED && policy.ladder().indexOf(a) >= 0;
    return repaired && policy.validate().appliesTo(v.getFaultClass())
        ? new Waiting("VALIDATE (planned next): " + a + " verified", null, "UNCORDON if it passes")
        : null;
  }

  /** What follows the verdict's clearing: the UNCORDON, after diagnostics where they apply. */
  private String thenUncordon(FaultVerdict v) {
    return v != null && policy.validate().appliesTo(v.getFaultClass())
        ? "the verdict to clear (then VALIDATE and UNCORDON)"
        : "the verdict to clear (then UNCORDON)";
  }

  private Waiting skipped(FaultVerdict v, RemediationRecord r) {
    SkipReason why = r.getReason();
    if (why == SkipReason.INCIDENT_HOLD) {
      String incident =
          AuditDetails.incident(r.getDetail())
              .orElse(v == null ? "(not stated)" : String.valueOf(v.getIncidentId()));
      return new Waiting(
          "incident hold " + incident,
          null,
          r.getAction()
              + " when the incident clears or an operator approves verdict:"
              + r.getVerdictId());
    }
    if (why == SkipReason.BUDGET) {
      var use = AuditDetails.budget(r.getDetail());
      return new Waiting(
          "budget " + use.map(AuditDetails.BudgetUse::text).orElse("(use not stated)"),
          AuditDetails.freesAt(r.getDetail()).orElse(null),
          r.getAction() + " when a slot frees");
    }
    if (why == SkipReason.PAUSED || why == SkipReason.VETO) {
      return new Waiting(
          why.name().toLowerCase() + ": " + r.getDetail(),
          null,
          why == SkipReason.PAUSED
              ? r.getAction() + " after a resume or the pause's expiry"
              : null);
    }
    return new Waiting("nothing: " + r.getAction() + " skipped " + why, null, null);
  }

  private Waiting succeeded(FaultVerdict v, RemediationRecord r, Instant now) {
    RemediationAction a = r.getAction();
    if (a == RemediationAction.ESCALATE) {
      return new Waiting("a human: escalated", null, null);
    }
    if (policy.ladder().indexOf(a) >= 0) {
      return verification(r);
    }
    if (a == RemediationAction.CORDON && v != null) {
      return afterCordon(v, r, now);
    }
    List<RemediationAction> steps =
        v == null ? List.of() : policy.stepsFor(v.getRecommendedAction());
    int at = steps.indexOf(a);
    if (at >= 0 && at + 1 < steps.size()) {
      return new Waiting(steps.get(at + 1) + " (planned next)", null, null);
    }
    return new Waiting("the verdict to clear", null, null);
  }

  private Waiting verification(RemediationRecord r) {
    RemediationAction a = r.getAction();
    RemediationAction next = nextRung(a);
    String then =
        next == null ? "nothing: the ladder is exhausted" : "if the verdict is still open: " + next;
    if (!policyKnown(r)) {
      return new Waiting("verification of " + a + " (" + unknownDeadline(r) + ")", null, then);
    }
    return new Waiting("verification of " + a, r.getAt().plus(policy.ladder().deadline(a)), then);
  }

  private Waiting afterCordon(FaultVerdict v, RemediationRecord r, Instant now) {
    List<RemediationAction> steps = policy.stepsFor(v.getRecommendedAction());
    int at = steps.indexOf(RemediationAction.CORDON);
    if (at >= 0 && at + 1 < steps.size()) {
      RemediationAction next = steps.get(at + 1);
      Instant settled = v.getDetectedAt().plus(policy.correlationSettle());
      if (!policyKnown(r)) {
        return new Waiting("correlation settle (" + unknownDeadline(r) + ")", null, next.name());
      }
      if (now.isBefore(settled)) {
        return new Waiting("correlation settle", settled, next.name());
      }
      return new Waiting(next + " (settled; planned at the next recheck)", null, null);
    }
    var followUp = policy.followUps().get(v.getFaultClass());
    if (followUp != null && policyKnown(r)) {
      return new Waiting(
          thenUncordon(v),
          r.getAt().plus(followUp.after()),
          "if the verdict is still open then: " + followUp.action());
    }
    return new Waiting(thenUncordon(v), null, null);
  }

  private Waiting other(RemediationRecord r) {
    RemediationAction a = r.getAction();
    return switch (r.getOutcome()) {
      case PLANNED, STARTED -> new Waiting(a + " to finish (" + r.getOutcome() + ")", null, null);
      case FAILED_TRANSIENT -> new Waiting("a retry of " + a, null, null);
      case AMBIGUOUS ->
          new Waiting(
              "a human: " + a + " may or may not have happened", null, "ESCALATE, never a retry");
      case FAILED_PERMANENT -> {
        if (a == RemediationAction.VALIDATE) {
          yield new Waiting("the next rung: the diagnostics failed", null, null);
        }
        RemediationAction next = nextRung(a);
        yield new Waiting(
            next == null ? "nothing: " + a + " failed for good" : "the next rung",
            null,
            next == null ? null : next.name());
      }
      case VERIFIED -> new Waiting("the verdict to clear (then UNCORDON)", null, null);
      default -> new Waiting(a + " " + r.getOutcome(), null, null);
    };
  }

  private RemediationAction nextRung(RemediationAction a) {
    List<RemediationAction> rungs = policy.ladder().rungs();
    int i = rungs.indexOf(a);
    return i >= 0 && i + 1 < rungs.size() ? rungs.get(i + 1) : null;
  }

  private boolean policyKnown(RemediationRecord r) {
    return policy.version().equals(r.getPolicyVersion());
  }

  private String unknownDeadline(RemediationRecord r) {
    return "deadline not known: the records name policy "
        + r.getPolicyVersion()
        + ", this gpuward has "
        + policy.version();
  }
}
