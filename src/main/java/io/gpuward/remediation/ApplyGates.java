package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.ActuatorException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * The gates a step passes when it is applied, each pure: they ask of the remediator's state at that
 * moment (the verdict's newest version, when it was first read, the other open verdicts), which the
 * plan made before the step's predecessors ran could not know.
 */
final class ApplyGates {
  private ApplyGates() {}

  /**
   * A disruptive step waits until the verdict is {@code settle} old, counted from when the
   * remediator first read it if that was later: the engine needs that long to correlate a storm and
   * hold its verdicts, and a remediator running behind has not read the hold yet.
   */
  record CorrelationSettle(Duration settle) {
    /** When the step may go, while that is still ahead. */
    Optional<Instant> waitUntil(FaultVerdict v, Instant firstSeen, Instant now) {
      Instant detected = v.getDetectedAt();
      Instant until = (firstSeen.isAfter(detected) ? firstSeen : detected).plus(settle);
      return now.isBefore(until) ? Optional.of(until) : Optional.empty();
    }
  }

  /**
   * Once correlation settled, the verdict's newest version may be held by a fleet incident that
   * arrived meanwhile, or an open incident read from the incidents topic covers it before the
   * engine published the held version: the disruptive step is then SKIPPED INCIDENT_HOLD, unless
   * approved.
   */
  record SettledHold() {
    /** The detail of the skip, when held and not approved. */
    Optional<String> check(
        FaultVerdict newest, Optional<FleetIncident> covering, ControlState controls, Instant now) {
      if (controls.approved(newest.getVerdictId(), now)) {
        return Optional.empty();
      }
      if (newest.getHeld()) {
        return Optional.of(
            "held under fleet incident " + newest.getIncidentId() + " while correlation settled");
      }
      return covering.map(
          i ->
              "held under fleet incident "
                  + i.getIncidentId()
                  + " ("
                  + i.getScope()
                  + ") while correlation settled; the verdict's held version is not read yet");
    }
  }

  /**
   * A cleared verdict's uncordon waits while another verdict keeps the node cordoned: one still
   * open, or one cleared whose node is not back yet (its repair being validated, or a failed
   * validation climbing the ladder).
   */
  record StillCordoning() {
    /** The detail of the SKIPPED SUPERSEDED uncordon, when another verdict keeps the cordon. */
    Optional<String> check(FaultVerdict cleared, Collection<FaultVerdict> keeping) {
      return keeping.stream()
          .filter(o -> o.getNode().equals(cleared.getNode()))
          .filter(o -> !o.getVerdictId().equals(cleared.getVerdictId()))
          .filter(o -> Actions.NODE.contains(o.getRecommendedAction()))
          .findFirst()
          .map(
              o ->
                  "node stays cordoned: verdict "
                      + o.getVerdictId()
                      + " ("
                      + o.getFaultClass()
                      + (o.getState() == VerdictState.CLEARED
                          ? ") is not back in service yet"
                          : ") is still open"));
    }
  }

  /** The outcome a classified actuator failure is recorded as. */
  static Outcome outcomeOf(ActuatorException.Kind kind) {
    return switch (kind) {
      case TRANSIENT -> Outcome.FAILED_TRANSIENT;
      case PERMANENT -> Outcome.FAILED_PERMANENT;
      case AMBIGUOUS -> Outcome.AMBIGUOUS;
    };
  }
}
