package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.POLICY;
import static io.gpuward.remediation.GateFixtures.node;
import static io.gpuward.remediation.GateFixtures.open;
import static io.gpuward.remediation.GateFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import io.gpuward.remediation.port.LiveNode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SkipGatesTest {
  private final Ledger ledger = new Ledger();
  private final ControlState controls = new ControlState();
  private final FaultVerdict lost = open(FaultClass.GPU_LOST, RemediationAction.REBOOT);

  private SkipGates.Proposal proposal(FaultVerdict v, Optional<LiveNode> live) {
    List<Op> ops =
        List.of(
            Op.latest(v.getNode(), v.getVerdictId(), RemediationAction.CORDON, ledger),
            Op.latest(v.getNode(), v.getVerdictId(), RemediationAction.REBOOT, ledger));
    return new SkipGates.Proposal(
        v, ops, Observed.of(live, ledger).with(controls, false, null), NOW);
  }

  private SkipGates.Proposal proposal() {
    return proposal(lost, node(null));
  }

  @Test
  void shouldLetAPlanThroughWhenNoGateBlocks() {
    assertThat(SkipGates.first(SkipGates.chain(POLICY), proposal())).isEmpty();
  }

  @Test
  void shouldSkipAVetoedNode() {
    controls.apply(PlannerTest.command("node:p5-train-2", ControlKind.VETO, null));
    assertThat(new SkipGates.Veto().check(proposal()))
        .get()
        .satisfies(b -> assertThat(b.reason()).isEqualTo(SkipReason.VETO))
        .satisfies(
            b -> assertThat(b.why()).isEqualTo("vetoed by alice (node:p5-train-2): maintenance"));
  }

  @Test
  void shouldSkipAPausedNodeGroup() {
    controls.apply(PlannerTest.command("nodegroup:p5-train", ControlKind.PAUSE, null));
    assertThat(new SkipGates.Paused().check(proposal()))
        .get()
        .satisfies(b -> assertThat(b.reason()).isEqualTo(SkipReason.PAUSED));
  }

  @Test
  void shouldHoldAVerdictOfAFleetIncidentUntilApproved() {
    var held = FaultVerdict.newBuilder(lost).setHeld(true).setIncidentId("inc-1").build();
    assertThat(new SkipGates.IncidentHold().check(proposal(held, node(null))))
        .get()
        .satisfies(b -> assertThat(b.why()).isEqualTo("held under fleet incident inc-1"));
    controls.apply(PlannerTest.command("verdict:v-1", ControlKind.APPROVE, null));
    assertThat(new SkipGates.IncidentHold().check(proposal(held, node(null)))).isEmpty();
  }

  @Test
  void shouldCallAVerdictPastItsValidityStale() {
    var old = FaultVerdict.newBuilder(lost).setValidUntil(NOW).build();
    assertThat(new SkipGates.Expired().check(proposal(old, node(null))))
        .get()
        .satisfies(b -> assertThat(b.reason()).isEqualTo(SkipReason.STALE));
  }

  @Test
  void shouldCallANodeActionOnAGoneNodeStale() {
    assertThat(new SkipGates.NodeGone().check(proposal(lost, Optional.empty())))
        .get()
        .satisfies(b -> assertThat(b.why()).isEqualTo("node p5-train-2 no longer exists"));
  }

  @Test
  void shouldRefuseANodeOutsideTheAllowList() {
    var cpu =
        LiveNode.named("p5-train-2")
            .bootId("b")
            .ready(true)
            .instanceId("i-1")
            .asgName("asg")
            .labels(java.util.Map.of())
            .build();
    assertThat(new SkipGates.NotOurs(POLICY.nodes()).check(proposal(lost, Optional.of(cpu))))
        .get()
        .satisfies(b -> assertThat(b.reason()).isEqualTo(SkipReason.NOT_OURS));
  }

  @Test
  void shouldLeaveANodeSomeoneElseCordonedAlone() {
    var theirs = Optional.of(PlannerTest.node(true, null));
    assertThat(new SkipGates.CordonedByOther().check(proposal(lost, theirs)))
        .get()
        .satisfies(
            b -> assertThat(b.why()).isEqualTo("node cordoned by someone else; leaving it alone"));
    record(ledger, lost, RemediationAction.CORDON, 1, Outcome.STARTED, NOW, null);
    assertThat(new SkipGates.CordonedByOther().check(proposal(lost, theirs))).isEmpty();
  }

  @Test
  void shouldNotStartASecondDisruptionOnANodeAndSayItOnce() {
    var other = FaultVerdict.newBuilder(lost).setVerdictId("v-0").build();
    record(ledger, other, RemediationAction.REBOOT, 1, Outcome.SUCCEEDED, NOW, null);
    var gate = new SkipGates.OneDisruptionPerNode(POLICY.ladder());
    assertThat(gate.check(proposal()))
        .get()
        .satisfies(b -> assertThat(b.reason()).isEqualTo(SkipReason.SUPERSEDED))
        .satisfies(b -> assertThat(b.saidAlready()).isFalse());
    record(ledger, lost, RemediationAction.CORDON, 1, Outcome.SKIPPED, NOW, null);
    assertThat(gate.check(proposal())).get().satisfies(b -> assertThat(b.saidAlready()).isTrue());
  }

  @Test
  void shouldOnlyObserveWhileBehindAndOnlyRecordInADryRun() {
    var p = proposal();
    var behind =
        new SkipGates.Proposal(p.v(), p.ops(), p.o().with(controls, true, "lag 2000"), NOW);
    assertThat(new SkipGates.ObserveOnly().check(behind))
        .get()
        .satisfies(b -> assertThat(b.why()).isEqualTo("observe-only: lag 2000"));
    assertThat(new SkipGates.DryRun().check(behind))
        .get()
        .satisfies(b -> assertThat(b.reason()).isEqualTo(SkipReason.DRY_RUN));
    assertThat(SkipGates.first(SkipGates.chain(POLICY), behind))
        .get()
        .satisfies(b -> assertThat(b.reason()).isEqualTo(SkipReason.STALE));
  }
}
