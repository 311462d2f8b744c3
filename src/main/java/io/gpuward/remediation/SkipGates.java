package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The gates a plan passes before it is carried out, in order; the first that blocks says why in one
 * SKIPPED record. Each gate is pure and asks one question of what was observed.
 */
final class SkipGates {
  private SkipGates() {}

  /** The plan in question: the verdict, its operations, what was observed, and the time. */
  record Proposal(FaultVerdict v, List<Op> ops, Observed o, Instant now) {
    boolean touchesNode() {
      return ops.stream().map(Op::action).anyMatch(Actions.NODE::contains);
    }
  }

  /**
   * Why the plan is not carried out now. {@code saidAlready}: said in an earlier record of the same
   * operations, so nothing is written.
   */
  record Block(SkipReason reason, String why, boolean saidAlready) {
    Block(SkipReason reason, String why) {
      this(reason, why, false);
    }
  }

  /** One question asked of a plan. */
  interface Gate {
    Optional<Block> check(Proposal p);
  }

  /** The gates in the order they are asked. */
  static List<Gate> chain(RemediationPolicy policy) {
    return List.of(
        new Veto(),
        new Paused(),
        new IncidentHold(),
        new Expired(),
        new NodeGone(),
        new NotOurs(policy.nodes()),
        new CordonedByOther(),
        new OneDisruptionPerNode(policy.ladder()),
        new ObserveOnly(),
        new DryRun());
  }

  /** The first block of {@code gates} on {@code p}, if any. */
  static Optional<Block> first(List<Gate> gates, Proposal p) {
    for (Gate g : gates) {
      Optional<Block> b = g.check(p);
      if (b.isPresent()) {
        return b;
      }
    }
    return Optional.empty();
  }

  /** An operator's VETO of the node or the verdict. */
  record Veto() implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      return p.o()
          .controls()
          .vetoedBy(p.v().getNode(), p.v().getVerdictId(), p.now())
          .map(
              c ->
                  new Block(
                      SkipReason.VETO,
                      "vetoed by "
                          + c.getOperator()
                          + " ("
                          + c.getScope()
                          + "): "
                          + c.getReason()));
    }
  }

  /** An operator's PAUSE of the node, its node group, its zone, or everything. */
  record Paused() implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      FaultVerdict v = p.v();
      return p.o()
          .controls()
          .pausedBy(v.getNode(), v.getNodegroup(), v.getZone(), p.now())
          .map(
              c ->
                  new Block(
                      SkipReason.PAUSED,
                      "paused by "
                          + c.getOperator()
                          + " ("
                          + c.getScope()
                          + "): "
                          + c.getReason()));
    }
  }

  /** A verdict the engine holds under a fleet incident, unless an operator approved it. */
  record IncidentHold() implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      FaultVerdict v = p.v();
      if (!v.getHeld() || p.o().controls().approved(v.getVerdictId(), p.now())) {
        return Optional.empty();
      }
      return Optional.of(
          new Block(SkipReason.INCIDENT_HOLD, "held under fleet incident " + v.getIncidentId()));
    }
  }

  /** A verdict past its validity: the evidence is too old to act on. */
  record Expired() implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      if (p.now().isBefore(p.v().getValidUntil())) {
        return Optional.empty();
      }
      return Optional.of(
          new Block(
              SkipReason.STALE,
              "verdict expired at " + p.v().getValidUntil() + " (now " + p.now() + ")"));
    }
  }

  /** A node action on a node the cluster no longer has. */
  record NodeGone() implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      if (!p.touchesNode() || p.o().live().isPresent()) {
        return Optional.empty();
      }
      return Optional.of(
          new Block(SkipReason.STALE, "node " + p.v().getNode() + " no longer exists"));
    }
  }

  /** A node action on a node outside the ones gpuward may touch. */
  record NotOurs(NodeAllowList nodes) implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      if (!p.touchesNode() || p.o().live().isEmpty()) {
        return Optional.empty();
      }
      return nodes.refusal(p.o().live().get()).map(why -> new Block(SkipReason.NOT_OURS, why));
    }
  }

  /** A node action on a node someone else cordoned (not gpuward's own cordon before a crash). */
  record CordonedByOther() implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      if (!p.touchesNode()
          || p.o().live().isEmpty()
          || !p.o().live().get().cordonedBySomeoneElse()
          || p.ops().stream().anyMatch(o -> startedCordon(o, p.o().ledger()))) {
        return Optional.empty();
      }
      return Optional.of(
          new Block(SkipReason.NOT_OURS, "node cordoned by someone else; leaving it alone"));
    }

    /** Our own cordon, started before a crash: the node is cordoned by us, not by someone else. */
    private static boolean startedCordon(Op o, Ledger ledger) {
      return o.action() == RemediationAction.CORDON
          && ledger.outcome(o.id()).orElse(null) == Outcome.STARTED;
    }
  }

  /**
   * Another fault session's reset, reboot or replace under way on the node, when this plan would
   * disrupt the node too (a rung not done yet): one disruption at a time per node, and a fault the
   * first one causes (NotReady while rebooting) never starts a second. Said once.
   */
  record OneDisruptionPerNode(RemediationPolicy.Ladder ladder) implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      Ledger ledger = p.o().ledger();
      boolean disruptive =
          p.ops().stream()
              .anyMatch(o -> Actions.VERIFIABLE.contains(o.action()) && !ledger.finished(o.id()));
      if (!disruptive) {
        return Optional.empty();
      }
      return underWay(p.v(), ledger, ladder, p.now()).map(other -> block(p, other));
    }

    private static Block block(Proposal p, Ledger.Entry other) {
      Ledger ledger = p.o().ledger();
      if (p.ops().stream().anyMatch(o -> ledger.outcome(o.id()).orElse(null) == Outcome.SKIPPED)) {
        return new Block(SkipReason.SUPERSEDED, null, true); // looked at again every recheck
      }
      return new Block(
          SkipReason.SUPERSEDED,
          "node "
              + p.v().getNode()
              + " is under "
              + other.action()
              + " (operation "
              + other.operationId()
              + " for verdict "
              + other.verdictId()
              + "): this fault is likely its effect; waiting for that outcome, not acting twice");
    }

    /** The other session's disruption under way on the verdict's node, if any. */
    static Optional<Ledger.Entry> underWay(
        FaultVerdict v, Ledger ledger, RemediationPolicy.Ladder ladder, Instant now) {
      if (v.getState() == VerdictState.CLEARED) {
        return Optional.empty();
      }
      return ledger.disruptionUnderWay(
          v.getNode(), v.getVerdictId(), ladder, now, v.getUpdatedAt());
    }
  }

  /** The remediator only observes while it runs too far behind the verdict topic. */
  record ObserveOnly() implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      return Optional.ofNullable(p.o().observeOnly())
          .map(why -> new Block(SkipReason.STALE, "observe-only: " + why));
    }
  }

  /** A dry run decides and audits, but does not act. */
  record DryRun() implements Gate {
    @Override
    public Optional<Block> check(Proposal p) {
      return p.o().dryRun()
          ? Optional.of(new Block(SkipReason.DRY_RUN, "dry run"))
          : Optional.empty();
    }
  }
}
