package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.FaultClasses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides what to do about one verdict, given what the remediator observed and the clock. Pure: no
 * I/O. A chain of small named gates, each asked in turn:
 *
 * <ol>
 *   <li>{@link RecoveryGate}: a cleared verdict only undoes gpuward's cordon;
 *   <li>a configuration fault never touches its node: it only escalates;
 *   <li>{@link NoActionGate}: the policy takes no action;
 *   <li>{@link FollowUpGate}: a cordon still open past its follow-up gets the follow-up;
 *   <li>{@link MaintenanceDeadline}: a scheduled maintenance whose start passed before its
 *       disruptive step began escalates instead;
 *   <li>the route: {@link ScopeEscalation} (configuration faults, once per scope), {@link
 *       LadderClimb} (a rung of the ladder), or the policy's steps;
 *   <li>{@link SkipGates}: veto, pause, incident hold, expiry, node gone, not ours, cordoned by
 *       someone else, one disruption per node, observe-only, dry run;
 *   <li>{@link OpSteps}: the steps, with STARTED ones reconciled ({@link Reconcile}).
 * </ol>
 */
public final class Planner {

  private final RemediationPolicy policy;
  private final RecoveryGate recovery = new RecoveryGate();
  private final ValidateGate validate;
  private final NoActionGate noAction;
  private final FollowUpGate followUp;
  private final MaintenanceDeadline deadline = new MaintenanceDeadline();
  private final ScopeEscalation scopes;
  private final LadderClimb ladder;
  private final List<SkipGates.Gate> gates;

  public Planner(RemediationPolicy policy) {
    this.policy = policy;
    this.noAction = new NoActionGate(policy);
    this.followUp = new FollowUpGate(policy);
    this.scopes = new ScopeEscalation(policy);
    this.ladder = new LadderClimb(policy);
    this.gates = SkipGates.chain(policy);
    this.validate = new ValidateGate(policy.validate(), policy.ladder().recheck());
  }

  public RemediationPolicy policy() {
    return policy;
  }

  /** The one decision about {@code v}, from what was observed, at {@code now}. */
  public Decision decide(FaultVerdict v, Observed o, Instant now) {
    if (v.getState() == VerdictState.CLEARED) {
      return recovered(v, o, now);
    }
    RemediationAction recommended = v.getRecommendedAction();
    if (FaultClasses.isConfiguration(v.getFaultClass()) && Actions.NODE.contains(recommended)) {
      // Configuration faults follow the node to its replacement: never act on the node.
      recommended = RemediationAction.ESCALATE;
    }
    Optional<Decision> none = noAction.decide(v, recommended, o.ledger());
    if (none.isPresent()) {
      return none.get();
    }
    FollowUpGate.Target target =
        deadline.target(v, followUp.target(v, recommended, o.ledger(), now), o.ledger(), now);
    Route route = route(v, target, o, now);
    if (route.stopped()) {
      return route.decision();
    }
    route = contained(v, route, o);
    var block = SkipGates.first(gates, new SkipGates.Proposal(v, route.ops(), o, now));
    if (block.isPresent() && block.get().saidAlready()) {
      return route.decision(new Decision.Skip("superseded; said once already"));
    }
    return OpSteps.write(v, o, policy.ladder(), now, route, block.orElse(null));
  }

  /**
   * A cleared verdict: its node returns to service once the repair is validated; a validation that
   * failed climbs the ladder on the cleared verdict (the fresh failure is the evidence, so a
   * verdict past its validity is not skipped as stale).
   */
  private Decision recovered(FaultVerdict v, Observed o, Instant now) {
    if (o.live().isEmpty() || o.live().get().cordonedBy().isEmpty()) {
      return recovery.decide(v, o, List.of());
    }
    ValidateGate.Result r = validate.decide(v, o, now);
    if (r instanceof ValidateGate.Act a) {
      return a.decision();
    }
    if (r instanceof ValidateGate.Pass p) {
      return recovery.decide(v, o, p.facts());
    }
    ValidateGate.Climb c = (ValidateGate.Climb) r;
    if (!c.facts().isEmpty()) {
      return new Decision.Act(c.facts()); // recorded first; the ladder moves when planned again
    }
    Route route = ladder.route(v, c.rung(), c.why(), o.live(), o.ledger(), now);
    if (route.stopped()) {
      return route.decision();
    }
    List<SkipGates.Gate> fresh =
        gates.stream().filter(g -> !(g instanceof SkipGates.Expired)).toList();
    var block = SkipGates.first(fresh, new SkipGates.Proposal(v, route.ops(), o, now));
    if (block.isPresent() && block.get().saidAlready()) {
      return route.decision(new Decision.Skip("superseded; said once already"));
    }
    return OpSteps.write(v, o, policy.ladder(), now, route, block.orElse(null));
  }

  /**
   * The route without its CORDON where {@link Containment} keeps the node schedulable. A CORDON the
   * ledger knows already stays, to be reconciled or skipped as recorded.
   */
  private Route contained(FaultVerdict v, Route route, Observed o) {
    List<RemediationAction> plan = route.ops().stream().map(Op::action).toList();
    if (!Containment.of(v, policy.perGpu(), policy.validate(), plan, o.live()).schedulable()) {
      return route;
    }
    List<Op> cordons =
        route.ops().stream()
            .filter(op -> op.action() == RemediationAction.CORDON)
            .filter(op -> o.ledger().entry(op.id()).isEmpty())
            .toList();
    return route.without(cordons);
  }

  /**
   * True for a cleared verdict whose node still waits on validation or on the rung a failed
   * validation climbed to: planned again after a restart instead of being forgotten.
   */
  public boolean validationUnresolved(FaultVerdict v, Ledger ledger) {
    if (!policy.validate().appliesTo(v.getFaultClass())
        || ledger
            .latestAttempt(v.getNode(), v.getVerdictId(), RemediationAction.VALIDATE)
            .isEmpty()) {
      return false;
    }
    String uncordon = OperationIds.of(v.getNode(), v.getVerdictId(), RemediationAction.UNCORDON, 1);
    return !ledger.finished(uncordon);
  }

  /** Which operations the verdict's action takes: a scope's escalation, a rung, or the steps. */
  private Route route(FaultVerdict v, FollowUpGate.Target target, Observed o, Instant now) {
    RemediationAction action = target.action();
    if (FaultClasses.isConfiguration(v.getFaultClass()) && action == RemediationAction.ESCALATE) {
      return scopes.route(v, o.ledger(), target.note(), now);
    }
    if (policy.ladder().indexOf(action) >= 0) {
      return ladder.route(v, action, target.note(), o.live(), o.ledger(), now);
    }
    List<Op> ops = new ArrayList<>();
    for (RemediationAction a : policy.stepsFor(action)) {
      ops.add(Op.latest(v.getNode(), v.getVerdictId(), a, o.ledger()));
    }
    return Route.go(List.of(), ops, target.note());
  }

  /**
   * True while a rung of the verdict's ladder succeeded and awaits verification, or a reboot
   * started before a restart awaits its reconciliation.
   */
  public boolean awaitingVerification(FaultVerdict v, Ledger ledger) {
    return ladder.awaitingVerification(v, ledger);
  }

  /**
   * Another fault session's reset, reboot or replace under way on the verdict's node, when this
   * plan would act on the node disruptively too: one disruption at a time per node.
   */
  public Optional<Ledger.Entry> waitingForDisruption(FaultVerdict v, Ledger ledger, Instant now) {
    return SkipGates.OneDisruptionPerNode.underWay(v, ledger, policy.ladder(), now);
  }

  /** When the scope of an open configuration fault is due to be escalated again, if it is. */
  public Optional<Instant> reescalationDue(FaultVerdict v, Ledger ledger) {
    return scopes.due(v, ledger);
  }

  /**
   * When a scheduled maintenance held before its disruptive steps must escalate: the event's start,
   * while none of them has started.
   */
  public Optional<Instant> maintenanceDeadlineDue(FaultVerdict v, Ledger ledger) {
    return deadline.due(v, ledger);
  }

  /** When a cordoned verdict's follow-up is due, while it has not started. */
  public Optional<Instant> followUpDue(FaultVerdict v, Ledger ledger) {
    return followUp.due(v, ledger);
  }
}
