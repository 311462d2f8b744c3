package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a route's operations into steps: each not finished yet becomes a step to carry out, or the
 * one SKIPPED record of a block; a step STARTED before a crash is reconciled against live state
 * first (done, failed, waited for, retried, or AMBIGUOUS). One instance per decision.
 */
final class OpSteps {
  private final FaultVerdict v;
  private final Observed o;
  private final RemediationPolicy.Ladder ladder;
  private final Instant now;
  private final SkipReason skip;
  private final String note;
  private final List<Step> steps;
  private String why;
  private Decision stop = new Decision.Skip("every step is finished or recorded already");

  private OpSteps(
      FaultVerdict v,
      Observed o,
      RemediationPolicy.Ladder ladder,
      Instant now,
      Route route,
      SkipGates.Block block) {
    this.v = v;
    this.o = o;
    this.ladder = ladder;
    this.now = now;
    this.skip = block == null ? null : block.reason();
    this.why = block == null ? null : block.why();
    this.note = route.note();
    this.steps = new ArrayList<>(route.facts());
  }

  /** The decision for {@code route}'s operations under {@code block} (null: not blocked). */
  static Decision write(
      FaultVerdict v,
      Observed o,
      RemediationPolicy.Ladder ladder,
      Instant now,
      Route route,
      SkipGates.Block block) {
    OpSteps w = new OpSteps(v, o, ladder, now, route, block);
    for (Op op : route.ops()) {
      if (!w.next(op)) {
        break;
      }
    }
    return Decision.of(w.steps, w.stop);
  }

  /** Adds the step of {@code op}, if any; false when no later operation is looked at. */
  private boolean next(Op op) {
    Ledger ledger = o.ledger();
    var entry = ledger.entry(op.id());
    Outcome was = entry.map(Ledger.Entry::outcome).orElse(null);
    if (ledger.finished(op.id())
        || (skip != null && ledger.decided(op.id()) && was != Outcome.STARTED)) {
      // A STARTED step is reconciled even when the verdict is skipped now (expired while the
      // remediator was down, paused, vetoed): what happened is recorded, and a retry is skipped.
      return true;
    }
    if (was == Outcome.AMBIGUOUS) {
      stop = new Decision.Skip(op.action() + " is AMBIGUOUS; never retried blindly");
      return false;
    }
    if (was != Outcome.STARTED) {
      return add(op.id(), op.action(), op.attempt(), null);
    }
    if (o.running().test(op.id())) {
      // Under way on another lane (one escalation for a scope): looked at again later.
      stop = new Decision.Defer(now.plus(ladder.recheck()), op.action() + " under way");
      return false;
    }
    return started(op, entry.get());
  }

  /** Intent without outcome: the remediator stopped between the two. Reconcile. */
  private boolean started(Op op, Ledger.Entry entry) {
    var r = Reconcile.of(entry, o.live(), ladder, now, o.traces());
    int attempt = op.attempt();
    switch (r.kind()) {
      case WAIT -> {
        stop = new Decision.Defer(now.plus(ladder.recheck()), r.why());
        return false;
      }
      case DONE -> {
        steps.add(record(op, Outcome.SUCCEEDED, "reconciled after restart: " + r.why()));
        return true;
      }
      case FAILED -> {
        // A ladder rung that failed: the ladder moves on when planned again.
        steps.add(record(op, Outcome.FAILED_PERMANENT, "reconciled after restart: " + r.why()));
        return false;
      }
      default -> {}
    }
    boolean exhausted = attempt >= Reconcile.MAX_ATTEMPTS_AFTER_RESTART;
    if (r.kind() == Reconcile.Reconciled.Kind.UNKNOWABLE || exhausted) {
      steps.add(ambiguous(op, r, exhausted));
      return false;
    }
    int next = attempt + 1;
    if (skip != null) {
      why = "reconciled after restart: " + r.why() + "; not retried: " + why;
    }
    // The next attempt of the same operation: for a configuration escalation that is the
    // scope's, so the scope sees it (an id of the node's would be escalated again and again).
    return add(
        op.attemptId(next),
        op.action(),
        next,
        "retry after restart (attempt " + next + "): " + r.why());
  }

  /** The AMBIGUOUS record of a STARTED step that is never retried blindly. */
  private static Step ambiguous(Op op, Reconcile.Reconciled r, boolean exhausted) {
    String interrupted =
        exhausted
            ? "; interrupted " + op.attempt() + " times: something stops the remediator here"
            : "";
    return record(
        op,
        Outcome.AMBIGUOUS,
        "reconciled after restart: " + r.why() + interrupted + "; not retried blindly");
  }

  /** Adds the step; false when it is the one record of a block (nothing after it). */
  private boolean add(String id, RemediationAction a, int attempt, String retry) {
    steps.add(new Step(id, a, attempt, skip, detail(a, retry)));
    return skip == null || skip == SkipReason.DRY_RUN;
  }

  private String detail(RemediationAction a, String retry) {
    if (a == RemediationAction.ESCALATE) {
      return (note != null ? note + " | " : "")
          + v.getSummary()
          + (v.getFixHint() != null ? " | fix: " + v.getFixHint() : "");
    }
    if (why != null) {
      return why;
    }
    return (retry != null ? retry + " | " : "")
        + (note != null ? note + " | " : "")
        + v.getFaultClass()
        + ": "
        + v.getSummary();
  }

  private static Step record(Op op, Outcome outcome, String detail) {
    return Step.record(op.id(), op.action(), op.attempt(), outcome, detail);
  }
}
