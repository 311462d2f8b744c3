package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import io.gpuward.config.Durations;
import java.time.Instant;
import java.util.Optional;

/**
 * A cordoned fault still open when its policy's follow-up is due (an allocatable drop a while after
 * its cordon) gets the follow-up action, a rung of the ladder, instead of its cordon.
 */
record FollowUpGate(RemediationPolicy policy) {

  /** The action the verdict gets now, and why when it is not the recommended one. */
  record Target(RemediationAction action, String note) {}

  Target target(FaultVerdict v, RemediationAction recommended, Ledger ledger, Instant now) {
    var follow = followUpOf(v, recommended);
    if (follow.isPresent()) {
      var cordoned = cordonedAt(v, ledger);
      if (cordoned.isPresent() && !now.isBefore(cordoned.get().plus(follow.get().after()))) {
        RemediationAction next = follow.get().action();
        return new Target(
            next,
            v.getFaultClass()
                + " still open "
                + Durations.format(follow.get().after())
                + " after the cordon: "
                + next);
      }
    }
    return new Target(recommended, null);
  }

  /**
   * When a cordoned verdict's follow-up is due, while it has not started: the remediator plans the
   * verdict again then.
   */
  Optional<Instant> due(FaultVerdict v, Ledger ledger) {
    var follow = followUpOf(v, v.getRecommendedAction());
    if (follow.isEmpty()
        || ledger.latestAttempt(v.getNode(), v.getVerdictId(), follow.get().action()).isPresent()) {
      return Optional.empty();
    }
    return cordonedAt(v, ledger).map(at -> at.plus(follow.get().after()));
  }

  private Optional<RemediationPolicy.FollowUp> followUpOf(
      FaultVerdict v, RemediationAction recommended) {
    if (recommended != RemediationAction.CORDON || v.getState() == VerdictState.CLEARED) {
      return Optional.empty();
    }
    return Optional.ofNullable(policy.followUps().get(v.getFaultClass()));
  }

  /** When the fault session's cordon succeeded, if it did. */
  private static Optional<Instant> cordonedAt(FaultVerdict v, Ledger ledger) {
    return ledger
        .latestAttempt(v.getNode(), v.getVerdictId(), RemediationAction.CORDON)
        .filter(e -> ledger.finished(e.operationId()))
        .map(Ledger.Entry::at);
  }
}
