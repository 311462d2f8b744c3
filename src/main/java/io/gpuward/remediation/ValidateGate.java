package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cleared verdict whose node was repaired on a rung (GPU reset, reboot) returns to service only
 * after DCGM diagnostics pass on it. Telemetry clearing says the GPU answers again; it does not say
 * the GPU computes correctly, and a GPU that fails diagnostics would go straight back to work.
 * Pure: what the diagnostics did is read from the ledger and the cloud's command history ({@link
 * Observed#traces()}), never by running them again.
 *
 * <p>Each repair rung has one VALIDATE operation of its own: attempt 1 follows the GPU reset,
 * attempt 2 the reboot (a rung is done at most once in a fault session, so the id is stable across
 * restarts, and it is the command's idempotency token). A replaced node is a new node, never
 * cordoned by gpuward, and is judged by its own telemetry: REPLACE is not validated.
 */
record ValidateGate(RemediationPolicy.Validate policy, Duration recheck) {

  /** The rungs that repair a node in place, in the order of their VALIDATE attempts. */
  static final List<RemediationAction> REPAIRS =
      List.of(RemediationAction.RESET_GPU, RemediationAction.REBOOT);

  /** What validation says of a cleared verdict. */
  sealed interface Result permits Pass, Act, Climb {}

  /** Nothing to validate, or it passed: uncordon after recording {@code facts}. */
  record Pass(List<Step> facts) implements Result {}

  /** Validation is under way or due: this decision (VALIDATE to run, or when to look again). */
  record Act(Decision decision) implements Result {}

  /**
   * Validation after {@code rung} failed (or timed out): the node stays cordoned and the ladder
   * climbs past {@code rung}; {@code facts} records the failure first when it is just known.
   */
  record Climb(RemediationAction rung, List<Step> facts, String why) implements Result {}

  Result decide(FaultVerdict v, Observed o, Instant now) {
    if (!policy.appliesTo(v.getFaultClass())) {
      return new Pass(List.of());
    }
    Optional<Ledger.Entry> repair = lastRepair(v, o.ledger());
    if (repair.isEmpty()) {
      return new Pass(List.of()); // cordoned only, or replaced: nothing was repaired in place
    }
    Ledger.Entry rung = repair.get();
    String op = operationId(v, rung.action());
    int attempt = attempt(rung.action());
    Outcome was = o.ledger().outcome(op).orElse(null);
    if (was == Outcome.SUCCEEDED) {
      return new Pass(verified(rung, List.of()));
    }
    if (was == Outcome.FAILED_PERMANENT || was == Outcome.AMBIGUOUS) {
      return new Climb(rung.action(), List.of(), "validation after " + rung.action() + " failed");
    }
    if (was == Outcome.STARTED) {
      return started(rung, o.ledger().entry(op).get(), o, now);
    }
    Optional<String> wait = notBack(rung, o.live());
    if (wait.isPresent()) {
      return new Act(new Decision.Defer(now.plus(recheck), wait.get() + " to validate it"));
    }
    String detail =
        "dcgmi diag -r "
            + policy.level()
            + " after "
            + rung.action()
            + ", before returning "
            + v.getNode()
            + " to service";
    SkipReason dry = o.dryRun() ? SkipReason.DRY_RUN : null;
    return new Act(
        new Decision.Act(
            List.of(new Step(op, RemediationAction.VALIDATE, attempt, dry, detail, null))));
  }

  /** Diagnostics sent: read what became of them instead of sending them again. */
  private Result started(Ledger.Entry rung, Ledger.Entry started, Observed o, Instant now) {
    CommandTrace t = o.traces().apply(started);
    Instant deadline = started.at().plus(policy.timeout());
    switch (t.state()) {
      case SUCCEEDED -> {
        return new Pass(verified(rung, List.of(record(started, Outcome.SUCCEEDED, t.detail()))));
      }
      case FAILED -> {
        return failed(rung, started, "diagnostics failed: " + t.detail());
      }
      case NOT_SENT -> {
        // The remediator stopped between the intent and the command: send it now, same token.
        return new Act(
            new Decision.Act(
                List.of(
                    new Step(
                        started.operationId(),
                        RemediationAction.VALIDATE,
                        started.attempt(),
                        o.dryRun() ? SkipReason.DRY_RUN : null,
                        "never sent: " + t.detail(),
                        null))));
      }
      default -> {
        if (!now.isBefore(deadline)) {
          return failed(
              rung,
              started,
              "timed out: no result within " + policy.timeout() + " (" + t.detail() + ")");
        }
        Instant again = now.plus(recheck);
        return new Act(
            new Decision.Defer(
                again.isBefore(deadline) ? again : deadline, "diagnostics running: " + t.detail()));
      }
    }
  }

  private static Climb failed(Ledger.Entry rung, Ledger.Entry started, String why) {
    String detail = why + "; the node stays cordoned, next rung after " + rung.action();
    return new Climb(
        rung.action(), List.of(record(started, Outcome.FAILED_PERMANENT, detail)), detail);
  }

  /**
   * The VERIFIED record of a rung only diagnostics can verify: a rung taken after the verdict
   * cleared (a failed validation climbed to it) sees no verdict clear again.
   */
  private static List<Step> verified(Ledger.Entry rung, List<Step> facts) {
    if (rung.outcome() != Outcome.SUCCEEDED) {
      return facts;
    }
    List<Step> out = new ArrayList<>(facts);
    out.add(
        Step.record(
            rung.operationId(),
            rung.action(),
            rung.attempt(),
            Outcome.VERIFIED,
            "diagnostics passed after " + rung.action()));
    return out;
  }

  private static Step record(Ledger.Entry started, Outcome outcome, String detail) {
    return Step.record(
        started.operationId(), RemediationAction.VALIDATE, started.attempt(), outcome, detail);
  }

  /** The latest repair rung of the session that took effect (SUCCEEDED or VERIFIED). */
  static Optional<Ledger.Entry> lastRepair(FaultVerdict v, Ledger ledger) {
    Optional<Ledger.Entry> last = Optional.empty();
    for (RemediationAction r : REPAIRS) {
      var e = ledger.latestAttempt(v.getNode(), v.getVerdictId(), r);
      Outcome o = e.map(Ledger.Entry::outcome).orElse(null);
      if (o == Outcome.SUCCEEDED || o == Outcome.VERIFIED) {
        last = e;
      }
    }
    // A replace after the repair leaves nothing to validate on this node.
    var replace = ledger.latestAttempt(v.getNode(), v.getVerdictId(), RemediationAction.REPLACE);
    if (replace.map(Ledger.Entry::outcome).filter(ValidateGate::tookEffect).isPresent()) {
      return Optional.empty();
    }
    return last;
  }

  private static boolean tookEffect(Outcome o) {
    return o == Outcome.SUCCEEDED || o == Outcome.VERIFIED;
  }

  /** True when the diagnostics after {@code rung} failed: the ladder climbs past the rung. */
  static boolean failedAfter(FaultVerdict v, RemediationAction rung, Ledger ledger) {
    if (!REPAIRS.contains(rung)) {
      return false;
    }
    Outcome o = ledger.outcome(operationId(v, rung)).orElse(null);
    return o == Outcome.FAILED_PERMANENT || o == Outcome.AMBIGUOUS;
  }

  static String operationId(FaultVerdict v, RemediationAction rung) {
    return OperationIds.of(
        v.getNode(), v.getVerdictId(), RemediationAction.VALIDATE, attempt(rung));
  }

  static int attempt(RemediationAction rung) {
    return REPAIRS.indexOf(rung) + 1;
  }

  /**
   * The node is up after the rung: Ready, and after a reboot on another boot (diagnostics sent to a
   * node that has not gone down yet would test the GPUs before the reboot).
   */
  static Optional<String> notBack(Ledger.Entry rung, Optional<LiveNode> live) {
    if (live.isEmpty() || !live.get().ready()) {
      return Optional.of("waiting for the node to be Ready");
    }
    String before = Reconcile.field(rung.detail(), "bootId");
    if (rung.action() == RemediationAction.REBOOT
        && rung.outcome() == Outcome.SUCCEEDED
        && before != null
        && before.equals(live.get().bootId())) {
      return Optional.of("waiting for the reboot (boot id still " + before + ")");
    }
    return Optional.empty();
  }
}
