package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.VerdictState;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * When the loop looks at an open verdict again after applying its decision, read from the ledger as
 * the steps left it: at once when the ladder moves to its next rung; every ladder recheck while a
 * rung awaits verification, another disruption on the node is under way, or another lane carries
 * out what this plan waits for; else when its scope's re-escalation, its follow-up or its scheduled
 * maintenance's start ({@link MaintenanceDeadline}) is due; and when an operator's command that
 * blocks it expires. Pure.
 */
record Requeue(Planner planner) {

  /**
   * @param ladderMoves a rung failed for good or AMBIGUOUS: plan again now
   * @param idleWhileOthersRun nothing was planned while another operation is under way
   */
  Optional<Instant> next(
      FaultVerdict v,
      Ledger ledger,
      ControlState controls,
      boolean ladderMoves,
      boolean idleWhileOthersRun,
      Instant now) {
    if (v.getState() == VerdictState.CLEARED) {
      return Optional.empty();
    }
    Optional<Instant> expiry =
        controls.blockingExpiry(v.getNode(), v.getNodegroup(), v.getZone(), v.getVerdictId(), now);
    return Stream.of(planned(v, ledger, ladderMoves, idleWhileOthersRun, now), expiry)
        .flatMap(Optional::stream)
        .min(Instant::compareTo);
  }

  private Optional<Instant> planned(
      FaultVerdict v, Ledger ledger, boolean ladderMoves, boolean idleWhileOthersRun, Instant now) {
    if (ladderMoves) {
      return Optional.of(now);
    }
    if (planner.awaitingVerification(v, ledger)
        || planner.waitingForDisruption(v, ledger, now).isPresent()
        || idleWhileOthersRun) {
      return Optional.of(now.plus(planner.policy().ladder().recheck()));
    }
    // A moment already past was planned for just now: what blocks it (budget, a pause, a hold)
    // wakes it when it changes, so it is not planned again and again in the meantime.
    return planner
        .reescalationDue(v, ledger)
        .or(() -> planner.followUpDue(v, ledger))
        .or(() -> planner.maintenanceDeadlineDue(v, ledger))
        .filter(at -> at.isAfter(now));
  }
}
