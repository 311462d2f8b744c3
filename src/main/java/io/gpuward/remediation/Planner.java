package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.engine.domain.FaultClasses;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what to do about one verdict, given the node's live state, what was done already and the
 * clock. Pure: no I/O. Every decision, including not to act, is a {@link Step}.
 */
public final class Planner {

  /** Actions that need the node to exist and be ours to touch. */
  static final Set<RemediationAction> NODE_ACTIONS =
      EnumSet.of(
          RemediationAction.CORDON,
          RemediationAction.DRAIN,
          RemediationAction.RESET_GPU,
          RemediationAction.REBOOT,
          RemediationAction.REPLACE);

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
    if (FaultClasses.isConfiguration(v.getFaultClass()) && NODE_ACTIONS.contains(recommended)) {
      // Configuration faults follow the node to its replacement: never act on the node.
      recommended = RemediationAction.ESCALATE;
    }
    List<RemediationAction> actions = policy.stepsFor(recommended);
    if (actions.isEmpty()) {
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

    SkipReason skip = null;
    String why = null;
    boolean touchesNode = actions.stream().anyMatch(NODE_ACTIONS::contains);
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
    } else if (touchesNode && live.get().cordonedBySomeoneElse()) {
      skip = SkipReason.NOT_OURS;
      why = "node cordoned by someone else; leaving it alone";
    } else if (observeOnly != null) {
      skip = SkipReason.STALE;
      why = "observe-only: " + observeOnly;
    } else if (dryRun) {
      skip = SkipReason.DRY_RUN;
      why = "dry run";
    }

    List<Step> steps = new ArrayList<>();
    for (RemediationAction a : actions) {
      String op = OperationIds.of(node, session, a, 1);
      if (ledger.finished(op) || (skip != null && ledger.decided(op))) {
        continue;
      }
      String detail =
          a == RemediationAction.ESCALATE
              ? v.getSummary() + (v.getFixHint() != null ? " | fix: " + v.getFixHint() : "")
              : (why != null ? why : v.getFaultClass() + ": " + v.getSummary());
      steps.add(new Step(op, a, 1, skip, detail));
      if (skip != null && skip != SkipReason.DRY_RUN) {
        break; // one record says why the whole plan is not carried out
      }
    }
    return steps;
  }
}
