package io.gpuward.remediation;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A SCHEDULED_MAINTENANCE verdict has a deadline: the cloud event's start (NotBefore, the
 * evidence's window start). Once it has passed and no disruptive step of the verdict has started
 * (held for budget, a pause or an incident hold), waiting on is pointless: the cloud acts now
 * whatever gpuward does. The verdict then ESCALATEs instead, so an SRE learns the node was not
 * moved off in time. A step already under way goes on.
 */
final class MaintenanceDeadline {

  /** Evidence signal of an EC2 scheduled event (the engine's ScheduledMaintenanceRule). */
  static final String SIGNAL_PREFIX = "ec2_scheduled_event";

  private static final Set<RemediationAction> DISRUPTIVE =
      EnumSet.of(RemediationAction.DRAIN, RemediationAction.REBOOT, RemediationAction.REPLACE);

  private static final Set<Outcome> UNDER_WAY =
      EnumSet.of(Outcome.STARTED, Outcome.SUCCEEDED, Outcome.VERIFIED, Outcome.AMBIGUOUS);

  /** The earliest event start in the verdict's evidence, if it is a scheduled maintenance. */
  static Optional<Instant> deadline(FaultVerdict v) {
    if (v.getFaultClass() != FaultClass.SCHEDULED_MAINTENANCE) {
      return Optional.empty();
    }
    Instant first = null;
    for (Evidence e : v.getEvidence()) {
      if (e.getSignal().startsWith(SIGNAL_PREFIX)
          && e.getWindowStart() != null
          && (first == null || e.getWindowStart().isBefore(first))) {
        first = e.getWindowStart();
      }
    }
    return Optional.ofNullable(first);
  }

  /** {@code target}, or ESCALATE when the deadline passed before any disruptive step started. */
  FollowUpGate.Target target(
      FaultVerdict v, FollowUpGate.Target target, Ledger ledger, Instant now) {
    Optional<Instant> deadline = deadline(v);
    if (deadline.isEmpty()
        || now.isBefore(deadline.get())
        || target.action() == RemediationAction.ESCALATE
        || underWay(v, ledger)) {
      return target;
    }
    return new FollowUpGate.Target(
        RemediationAction.ESCALATE,
        "the cloud's maintenance started at "
            + deadline.get()
            + " before "
            + target.action()
            + " began: the node was not moved off in time");
  }

  /** The event's start, while no disruptive step of the verdict has started: plan again then. */
  Optional<Instant> due(FaultVerdict v, Ledger ledger) {
    return underWay(v, ledger) ? Optional.empty() : deadline(v);
  }

  private static boolean underWay(FaultVerdict v, Ledger ledger) {
    for (RemediationAction a : DISRUPTIVE) {
      Optional<Ledger.Entry> e = ledger.latestAttempt(v.getNode(), v.getVerdictId(), a);
      if (e.isPresent() && UNDER_WAY.contains(e.get().outcome())) {
        return true;
      }
    }
    return false;
  }
}
