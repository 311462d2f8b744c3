package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.FaultClasses;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides what to do about one verdict, given the node's live state, what was done already and the
 * clock. Pure: no I/O. Every decision, including not to act, is a {@link Step}.
 */
public final class Planner {

  private final RemediationPolicy policy;

  public Planner(RemediationPolicy policy) {
    this.policy = policy;
  }

  public RemediationPolicy policy() {
    return policy;
  }

  public List<Step> plan(
      FaultVerdict v, Optional<LiveNode> live, Ledger ledger, boolean dryRun, Instant now) {
    return plan(v, live, ledger, new ControlState(), dryRun, null, now);
  }

  /**
   * @param controls operator pause / veto / approve in force
   * @param observeOnly why the remediator only observes right now (e.g. consumer lag), or null
   */
  public List<Step> plan(
      FaultVerdict v,
      Optional<LiveNode> live,
      Ledger ledger,
      ControlState controls,
      boolean dryRun,
      String observeOnly,
      Instant now) {
    return plan(v, live, ledger, controls, dryRun, observeOnly, op -> false, NO_HISTORY, now);
  }

  /** A cloud that keeps no command history: an interrupted GPU reset cannot be told. */
  static final java.util.function.Function<Ledger.Entry, CommandTrace> NO_HISTORY =
      started -> CommandTrace.unknown("no command history");

  /**
   * @param running operations this remediator is carrying out right now (on another lane): a
   *     STARTED one of them is under way, not left behind by a crash, so it is waited for
   * @param traces what the cloud's command history says of a STARTED GPU reset (all the verdict's
   *     GPUs), for reconciling one left behind by a crash
   */
  public List<Step> plan(
      FaultVerdict v,
      Optional<LiveNode> live,
      Ledger ledger,
      ControlState controls,
      boolean dryRun,
      String observeOnly,
      java.util.function.Predicate<String> running,
      java.util.function.Function<Ledger.Entry, CommandTrace> traces,
      Instant now) {
    String node = v.getNode();
    String session = v.getVerdictId();
    if (v.getState() == VerdictState.CLEARED) {
      // Recovery: undo our cordon. Never blocked by budgets; only dry-run stops it.
      if (live.isPresent() && live.get().cordonedBy().isPresent()) {
        String op = OperationIds.of(node, session, RemediationAction.UNCORDON, 1);
        if (ledger.finished(op)) {
          return List.of();
        }
        return List.of(
            new Step(
                op,
                RemediationAction.UNCORDON,
                1,
                dryRun ? SkipReason.DRY_RUN : null,
                "verdict cleared: " + v.getClearReason()));
      }
      return List.of();
    }

    RemediationAction recommended = v.getRecommendedAction();
    if (FaultClasses.isConfiguration(v.getFaultClass()) && Actions.NODE.contains(recommended)) {
      // Configuration faults follow the node to its replacement: never act on the node.
      recommended = RemediationAction.ESCALATE;
    }
    if (policy.stepsFor(recommended).isEmpty()) {
      String op = OperationIds.of(node, session, RemediationAction.NONE, 1);
      return ledger.decided(op) || ledger.outcome(op).isPresent()
          ? List.of()
          : List.of(
              new Step(
                  op,
                  RemediationAction.NONE,
                  1,
                  null,
                  "policy takes no action for " + v.getFaultClass()));
    }

    // Facts established without acting: rungs verified or not in time, STARTED steps reconciled.
    List<Step> steps = new ArrayList<>();
    List<Op> ops;
    String note = null;
    var follow = followUpOf(v, recommended);
    if (follow.isPresent()) {
      var cordoned = cordonedAt(v, ledger);
      if (cordoned.isPresent() && !now.isBefore(cordoned.get().plus(follow.get().after()))) {
        recommended = follow.get().action();
        note =
            v.getFaultClass()
                + " still open "
                + io.gpuward.config.Durations.format(follow.get().after())
                + " after the cordon: "
                + recommended;
      }
    }
    if (FaultClasses.isConfiguration(v.getFaultClass())
        && recommended == RemediationAction.ESCALATE) {
      String scope = configurationScope(v);
      String signature = v.getFaultClass() + "/" + v.getRuleId();
      // The scope's escalations are attempts 1, 2, ...: the newest one decides.
      int attempt = 1;
      while (ledger
          .entry(OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt + 1))
          .isPresent()) {
        attempt++;
      }
      String scopeOp = OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt);
      var done = ledger.entry(scopeOp).filter(e -> ledger.finished(e.operationId()));
      Duration again = policy.reescalateAfter();
      boolean due =
          done.isPresent() && !again.isZero() && !now.isBefore(done.get().at().plus(again));
      if (done.isPresent() && !due) {
        if (done.get().verdictId().equals(session)) {
          return List.of();
        }
        String own = OperationIds.of(node, session, RemediationAction.ESCALATE, 1);
        if (ledger.decided(own)) {
          return List.of();
        }
        return List.of(
            new Step(
                own,
                RemediationAction.ESCALATE,
                1,
                SkipReason.SUPERSEDED,
                "escalated already for "
                    + scope
                    + " "
                    + signature
                    + " (verdict "
                    + done.get().verdictId()
                    + " on node "
                    + done.get().node()
                    + ")"
                    + (again.isZero()
                        ? "; not escalated again"
                        : "; escalated again after "
                            + io.gpuward.config.Durations.format(again)
                            + " if still open")));
      }
      if (due) {
        attempt++;
        scopeOp = OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt);
        note =
            "still unresolved "
                + io.gpuward.config.Durations.format(again)
                + " after the last escalation of "
                + scope
                + " "
                + signature
                + ": escalated again";
      }
      ops = List.of(new Op(scopeOp, RemediationAction.ESCALATE, attempt, scope, signature));
    } else if (policy.ladder().indexOf(recommended) >= 0) {
      RemediationPolicy.Ladder ladder = policy.ladder();
      List<RemediationAction> rungs = ladder.rungs();
      int start = ladder.indexOf(recommended);
      int replaceAt = ladder.indexOf(RemediationAction.REPLACE);
      var repeat = policy.repeatOffender();
      if (repeat.faults() >= 2 && replaceAt > start) {
        long fixed =
            ledger.fixedSessions(node, session, now.minus(repeat.within()), v.getDetectedAt());
        if (fixed >= repeat.faults() - 1) {
          start = replaceAt;
          note =
              "repeat offender: "
                  + node
                  + " was remediated and fixed "
                  + fixed
                  + " time(s) in the "
                  + io.gpuward.config.Durations.format(repeat.within())
                  + " before this fault, straight to "
                  + RemediationAction.REPLACE;
        }
      }
      RemediationAction rung = null;
      for (int i = start; i < rungs.size() && rung == null; i++) {
        RemediationAction r = rungs.get(i);
        if (stepsOf(node, session, r, ledger).stream()
            .anyMatch(o -> ledger.outcome(o.id()).orElse(null) == Outcome.AMBIGUOUS)) {
          // It may or may not have happened: never retried blindly, a human decides.
          int esc = rungs.indexOf(RemediationAction.ESCALATE);
          if (esc <= i) {
            return steps;
          }
          i = esc - 1;
          continue;
        }
        var e = ledger.latestAttempt(node, session, r);
        Outcome o = e.map(Ledger.Entry::outcome).orElse(null);
        if (o == Outcome.VERIFIED) {
          return steps; // fixed
        }
        if (o == Outcome.SUCCEEDED) {
          if (!Actions.VERIFIABLE.contains(r)) {
            return steps; // escalated: a human owns it now
          }
          Ledger.Entry done = e.get();
          if (r == RemediationAction.REPLACE && replacedAway(done, live)) {
            steps.add(
                Step.record(
                    done.operationId(),
                    r,
                    done.attempt(),
                    Outcome.VERIFIED,
                    "node " + node + " is gone: its instance was replaced"));
            return steps;
          }
          Instant due = done.at().plus(ladder.deadline(r));
          if (now.isBefore(due)) {
            return steps; // waiting for verification
          }
          steps.add(
              Step.record(
                  done.operationId(),
                  r,
                  done.attempt(),
                  Outcome.FAILED_PERMANENT,
                  "not verified within "
                      + ladder.deadline(r)
                      + ": the verdict is still open; next rung"));
          continue;
        }
        if (o == Outcome.FAILED_PERMANENT) {
          continue; // this rung cannot help: try the next
        }
        rung = r;
      }
      if (rung == null) {
        return steps; // the ladder is exhausted
      }
      ops = stepsOf(node, session, rung, ledger);
      if (note == null && rung != recommended) {
        note = "escalation ladder: " + recommended + " did not fix it, now " + rung;
      }
    } else {
      ops = new ArrayList<>();
      for (RemediationAction a : policy.stepsFor(recommended)) {
        ops.add(op(node, session, a, ledger));
      }
    }

    SkipReason skip = null;
    String why = null;
    boolean touchesNode = ops.stream().map(Op::action).anyMatch(Actions.NODE::contains);
    var veto = controls.vetoedBy(node, v.getVerdictId(), now);
    var pause = controls.pausedBy(node, v.getNodegroup(), v.getZone(), now);
    if (veto.isPresent()) {
      skip = SkipReason.VETO;
      why =
          "vetoed by "
              + veto.get().getOperator()
              + " ("
              + veto.get().getScope()
              + "): "
              + veto.get().getReason();
    } else if (pause.isPresent()) {
      skip = SkipReason.PAUSED;
      why =
          "paused by "
              + pause.get().getOperator()
              + " ("
              + pause.get().getScope()
              + "): "
              + pause.get().getReason();
    } else if (v.getHeld() && !controls.approved(v.getVerdictId(), now)) {
      skip = SkipReason.INCIDENT_HOLD;
      why = "held under fleet incident " + v.getIncidentId();
    } else if (!now.isBefore(v.getValidUntil())) {
      skip = SkipReason.STALE;
      why = "verdict expired at " + v.getValidUntil() + " (now " + now + ")";
    } else if (touchesNode && live.isEmpty()) {
      skip = SkipReason.STALE;
      why = "node " + node + " no longer exists";
    } else if (touchesNode && policy.nodes().refusal(live.get()).isPresent()) {
      skip = SkipReason.NOT_OURS;
      why = policy.nodes().refusal(live.get()).get();
    } else if (touchesNode
        && live.get().cordonedBySomeoneElse()
        && ops.stream().noneMatch(o -> startedCordon(o, ledger))) {
      skip = SkipReason.NOT_OURS;
      why = "node cordoned by someone else; leaving it alone";
    } else if (joinsDisruption(v, ops, ledger, now).isPresent()) {
      Ledger.Entry other = joinsDisruption(v, ops, ledger, now).get();
      if (ops.stream().anyMatch(o -> ledger.outcome(o.id()).orElse(null) == Outcome.SKIPPED)) {
        return steps; // said once already; looked at again every ladder recheck
      }
      skip = SkipReason.SUPERSEDED;
      why =
          "node "
              + node
              + " is under "
              + other.action()
              + " (operation "
              + other.operationId()
              + " for verdict "
              + other.verdictId()
              + "): this fault is likely its effect; waiting for that outcome, not acting twice";
    } else if (observeOnly != null) {
      skip = SkipReason.STALE;
      why = "observe-only: " + observeOnly;
    } else if (dryRun) {
      skip = SkipReason.DRY_RUN;
      why = "dry run";
    }

    for (Op o : ops) {
      RemediationAction a = o.action();
      String op = o.id();
      int attempt = o.attempt();
      var entry = ledger.entry(op);
      Outcome was = entry.map(Ledger.Entry::outcome).orElse(null);
      if (ledger.finished(op) || (skip != null && ledger.decided(op) && was != Outcome.STARTED)) {
        // A STARTED step is reconciled even when the verdict is skipped now (expired while the
        // remediator was down, paused, vetoed): what happened is recorded, and a retry is skipped.
        continue;
      }
      if (was == Outcome.AMBIGUOUS) {
        break; // recorded already; never retried blindly
      }
      String retry = null;
      if (was == Outcome.STARTED && running.test(op)) {
        break; // under way on another lane (one escalation for a scope): looked at again later
      }
      if (was == Outcome.STARTED) {
        // Intent without outcome: the remediator stopped between the two. Reconcile.
        Reconciled r = reconcile(entry.get(), live, policy.ladder(), now, traces);
        if (r.kind() == Reconciled.Kind.WAIT) {
          break; // looked at again every ladder recheck
        }
        if (r.kind() == Reconciled.Kind.DONE) {
          steps.add(
              Step.record(
                  op, a, attempt, Outcome.SUCCEEDED, "reconciled after restart: " + r.why()));
          continue;
        }
        if (r.kind() == Reconciled.Kind.FAILED) {
          steps.add(
              Step.record(
                  op,
                  a,
                  attempt,
                  Outcome.FAILED_PERMANENT,
                  "reconciled after restart: " + r.why()));
          break; // a ladder rung that failed: the ladder moves on when planned again
        }
        boolean exhausted = attempt >= MAX_ATTEMPTS_AFTER_RESTART;
        if (r.kind() == Reconciled.Kind.UNKNOWABLE || exhausted) {
          steps.add(
              Step.record(
                  op,
                  a,
                  attempt,
                  Outcome.AMBIGUOUS,
                  "reconciled after restart: "
                      + r.why()
                      + (exhausted
                          ? "; interrupted "
                              + attempt
                              + " times: something stops the remediator here"
                          : "")
                      + "; not retried blindly"));
          break;
        }
        attempt = attempt + 1;
        // The next attempt of the same operation: for a configuration escalation that is the
        // scope's, so the scope sees it (an id of the node's would be escalated again and again).
        op = o.attemptId(attempt);
        retry = "retry after restart (attempt " + attempt + "): " + r.why();
        if (skip != null) {
          why = "reconciled after restart: " + r.why() + "; not retried: " + why;
        }
      }
      String detail =
          a == RemediationAction.ESCALATE
              ? (note != null ? note + " | " : "")
                  + v.getSummary()
                  + (v.getFixHint() != null ? " | fix: " + v.getFixHint() : "")
              : (why != null
                  ? why
                  : (retry != null ? retry + " | " : "")
                      + (note != null ? note + " | " : "")
                      + v.getFaultClass()
                      + ": "
                      + v.getSummary());
      steps.add(new Step(op, a, attempt, skip, detail));
      if (skip != null && skip != SkipReason.DRY_RUN) {
        break; // one record says why the whole plan is not carried out
      }
    }
    return steps;
  }

  /**
   * True while a rung of the verdict's ladder succeeded and awaits verification, or a reboot
   * started before a restart awaits its reconciliation.
   */
  public boolean awaitingVerification(FaultVerdict v, Ledger ledger) {
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

  /**
   * Another fault session's reset, reboot or replace under way on the verdict's node, when this
   * plan would act on the node disruptively too (a rung not done yet): one disruption at a time per
   * node, and a fault that the first one causes (NotReady while rebooting) never starts a second.
   */
  public Optional<Ledger.Entry> waitingForDisruption(FaultVerdict v, Ledger ledger, Instant now) {
    if (v.getState() == VerdictState.CLEARED) {
      return Optional.empty();
    }
    return ledger.disruptionUnderWay(v.getNode(), v.getVerdictId(), policy.ladder(), now);
  }

  private Optional<Ledger.Entry> joinsDisruption(
      FaultVerdict v, List<Op> ops, Ledger ledger, Instant now) {
    boolean disruptive =
        ops.stream()
            .anyMatch(o -> Actions.VERIFIABLE.contains(o.action()) && !ledger.finished(o.id()));
    return disruptive ? waitingForDisruption(v, ledger, now) : Optional.empty();
  }

  /**
   * One operation the plan may carry out. Its attempts are numbered under {@code (owner, session)}:
   * the node and fault session, or for a configuration escalation its scope and signature.
   */
  private record Op(
      String id, RemediationAction action, int attempt, String owner, String session) {
    /** The id of attempt {@code n} of the same operation. */
    String attemptId(int n) {
      return OperationIds.of(owner, session, action, n);
    }
  }

  /** The operation of {@code a} in the session: its latest attempt, or attempt 1. */
  private static Op op(String node, String session, RemediationAction a, Ledger ledger) {
    var e = ledger.latestAttempt(node, session, a);
    return e.map(x -> new Op(x.operationId(), a, x.attempt(), node, session))
        .orElseGet(() -> new Op(OperationIds.of(node, session, a, 1), a, 1, node, session));
  }

  private List<Op> stepsOf(String node, String session, RemediationAction rung, Ledger ledger) {
    List<Op> out = new ArrayList<>();
    for (RemediationAction a : policy.stepsFor(rung)) {
      out.add(op(node, session, a, ledger));
    }
    return out;
  }

  /**
   * When the scope of an open configuration fault is due to be escalated again (its newest
   * escalation finished plus {@code reescalateAfter}); empty when not a configuration fault, not
   * escalated yet, or re-escalation is off.
   */
  public Optional<Instant> reescalationDue(FaultVerdict v, Ledger ledger) {
    Duration again = policy.reescalateAfter();
    if (again.isZero()
        || v.getState() == VerdictState.CLEARED
        || !FaultClasses.isConfiguration(v.getFaultClass())) {
      return Optional.empty();
    }
    String scope = configurationScope(v);
    String signature = v.getFaultClass() + "/" + v.getRuleId();
    int attempt = 1;
    while (ledger
        .entry(OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt + 1))
        .isPresent()) {
      attempt++;
    }
    return ledger
        .entry(OperationIds.of(scope, signature, RemediationAction.ESCALATE, attempt))
        .filter(e -> ledger.finished(e.operationId()))
        .map(e -> e.at().plus(again));
  }

  /** The policy's follow-up for a verdict whose recommended action is a cordon, if any. */
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

  /**
   * When a cordoned verdict's follow-up (its policy's next action) is due, while it has not
   * started: the remediator plans the verdict again then.
   */
  public Optional<Instant> followUpDue(FaultVerdict v, Ledger ledger) {
    var follow = followUpOf(v, v.getRecommendedAction());
    if (follow.isEmpty()
        || ledger.latestAttempt(v.getNode(), v.getVerdictId(), follow.get().action()).isPresent()) {
      return Optional.empty();
    }
    return cordonedAt(v, ledger).map(at -> at.plus(follow.get().after()));
  }

  /** Where a configuration fault is escalated once: its node group, else the node. */
  static String configurationScope(FaultVerdict v) {
    return v.getNodegroup() != null && !v.getNodegroup().isBlank()
        ? "nodegroup:" + v.getNodegroup()
        : "node:" + v.getNode();
  }

  /** Our own cordon, started before a crash: the node is cordoned by us, not by someone else. */
  private static boolean startedCordon(Op o, Ledger ledger) {
    return o.action() == RemediationAction.CORDON
        && ledger.outcome(o.id()).orElse(null) == Outcome.STARTED;
  }

  /** REPLACE took effect: the node is gone, or runs on another instance. */
  private static boolean replacedAway(Ledger.Entry replace, Optional<LiveNode> live) {
    String before = field(replace.detail(), "instanceId");
    return live.isEmpty() || (before != null && !before.equals(live.get().instanceId()));
  }

  /**
   * Attempts of one step that restarts may start. A step live state shows not done is retried: a
   * crash interrupts every step in flight on every lane, so in a crash loop one step is caught
   * again and again by crashes that have nothing to do with it, and each retry is checked against
   * live state first. Only a step interrupted this often is left AMBIGUOUS, as the step itself most
   * likely stops the remediator (a poison step in a crash loop).
   */
  static final int MAX_ATTEMPTS_AFTER_RESTART = 10;

  /** What reconciling a STARTED step against live state found. */
  record Reconciled(Kind kind, String why) {
    enum Kind {
      /** It happened: record SUCCEEDED. */
      DONE,
      /** It did not happen and doing it is safe: retry (a bounded number of times). */
      RETRY,
      /** Live state cannot tell yet (a reboot may be under way): look again later. */
      WAIT,
      /** It ran and failed (the cloud's command history says so): FAILED_PERMANENT. */
      FAILED,
      /** Live state cannot tell: AMBIGUOUS, never retried blindly. */
      UNKNOWABLE
    }
  }

  /** Decides whether a step that was STARTED before a crash happened, from live state. Pure. */
  static Reconciled reconcile(Ledger.Entry started, Optional<LiveNode> live) {
    return reconcile(started, live, RemediationPolicy.Ladder.DEFAULT, started.at(), NO_HISTORY);
  }

  /**
   * Decides whether a step that was STARTED before a crash happened, from live state. Pure. A
   * REBOOT whose boot id has not changed is waited for until the ladder's REBOOT deadline: by then
   * a reboot that happened has changed the boot id, so one that did not is retried.
   */
  static Reconciled reconcile(
      Ledger.Entry started,
      Optional<LiveNode> live,
      RemediationPolicy.Ladder ladder,
      Instant now,
      java.util.function.Function<Ledger.Entry, CommandTrace> traces) {
    String op = started.operationId();
    return switch (started.action()) {
      case CORDON ->
          live.isPresent()
                  && live.get().unschedulable()
                  && live.get().cordonedBy().map(op::equals).orElse(false)
              ? new Reconciled(Reconciled.Kind.DONE, "the node is cordoned by this operation")
              : new Reconciled(Reconciled.Kind.RETRY, "the node is not cordoned by it");
      case UNCORDON ->
          live.isEmpty() || !live.get().unschedulable()
              ? new Reconciled(Reconciled.Kind.DONE, "the node is schedulable")
              : new Reconciled(Reconciled.Kind.RETRY, "the node is still cordoned");
      case REBOOT -> {
        String before = field(started.detail(), "bootId");
        if (live.isPresent() && before != null && !before.equals(live.get().bootId())) {
          yield new Reconciled(
              Reconciled.Kind.DONE, "boot id changed " + before + " -> " + live.get().bootId());
        }
        if (live.isEmpty() || before == null) {
          yield new Reconciled(Reconciled.Kind.UNKNOWABLE, "the boot id before is unknown");
        }
        Instant due = started.at().plus(ladder.deadline(RemediationAction.REBOOT));
        if (now.isBefore(due)) {
          yield new Reconciled(
              Reconciled.Kind.WAIT, "boot id unchanged: the reboot may still be under way");
        }
        yield new Reconciled(
            Reconciled.Kind.RETRY,
            "boot id still " + before + " " + ladder.deadline(RemediationAction.REBOOT) + " later");
      }
      case REPLACE ->
          replacedAway(started, live)
              ? new Reconciled(Reconciled.Kind.DONE, "the node's instance is gone")
              : new Reconciled(
                  Reconciled.Kind.RETRY,
                  "the instance is still there; terminating that same instance is idempotent");
      case RESET_GPU -> {
        // A GPU reset leaves no trace on the node; the cloud's command history has one.
        CommandTrace t = traces.apply(started);
        yield switch (t.state()) {
          case SUCCEEDED -> new Reconciled(Reconciled.Kind.DONE, t.detail());
          case FAILED -> new Reconciled(Reconciled.Kind.FAILED, t.detail());
          case NOT_SENT -> new Reconciled(Reconciled.Kind.RETRY, "never sent: " + t.detail());
          case IN_PROGRESS ->
              now.isBefore(started.at().plus(ladder.deadline(RemediationAction.RESET_GPU)))
                  ? new Reconciled(Reconciled.Kind.WAIT, t.detail())
                  : new Reconciled(
                      Reconciled.Kind.UNKNOWABLE,
                      t.detail()
                          + ", still "
                          + ladder.deadline(RemediationAction.RESET_GPU)
                          + " after it started");
          case UNKNOWN ->
              new Reconciled(
                  Reconciled.Kind.UNKNOWABLE,
                  "a GPU reset leaves no trace in live state and the command history cannot"
                      + " tell ("
                      + t.detail()
                      + "): it may or may not have run");
        };
      }
      default ->
          new Reconciled(
              Reconciled.Kind.RETRY, started.action() + " is idempotent and safe to repeat");
    };
  }

  /** {@code key=value} out of a record detail, or null. */
  static String field(String detail, String key) {
    if (detail == null) {
      return null;
    }
    var m = java.util.regex.Pattern.compile("\\b" + key + "=(\\S+)").matcher(detail);
    return m.find() ? m.group(1) : null;
  }
}
