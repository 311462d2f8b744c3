package io.gpuward.cli;

import static io.gpuward.cli.ReadModelFixtures.POLICY;
import static io.gpuward.cli.ReadModelFixtures.T0;
import static io.gpuward.cli.ReadModelFixtures.at;
import static io.gpuward.cli.ReadModelFixtures.control;
import static io.gpuward.cli.ReadModelFixtures.held;
import static io.gpuward.cli.ReadModelFixtures.incident;
import static io.gpuward.cli.ReadModelFixtures.step;
import static io.gpuward.cli.ReadModelFixtures.verdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExplainModelTest {
  private static final Instant SINCE = T0.minusSeconds(86_400);

  private ExplainModel model(String target) {
    return new ExplainModel(target, new NextStep(POLICY));
  }

  @Test
  void shouldChainEvidenceStatesAndEveryRemediationRecordOfAClearedVerdict() {
    ExplainModel m = model("p5-train-2");
    FaultVerdict open = verdict("v1", "p5-train-2", FaultClass.GPU_LOST, VerdictState.OPEN);
    m.verdict(at(10, open));
    m.verdict(at(11, verdict("v-other", "p5-train-3", FaultClass.GPU_LOST, VerdictState.OPEN)));
    m.audit(step(open, RemediationAction.CORDON, Outcome.SUCCEEDED, null, 1, "cordoned"));
    m.audit(step(open, RemediationAction.REBOOT, Outcome.VERIFIED, null, 90, "boot id changed"));
    m.verdict(at(12, verdict("v1", "p5-train-2", FaultClass.GPU_LOST, VerdictState.CLEARED)));

    Explanation e = m.explain(T0.plusSeconds(100), SINCE).orElseThrow();

    assertThat(e.matched()).isEqualTo("node");
    assertThat(e.verdicts())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.verdictId()).isEqualTo("v1");
              assertThat(c.evidence())
                  .extracting(Explanation.Evidence::signal)
                  .containsExactly("xid=79", "samples_in_window");
              assertThat(c.evidence().get(0).offset()).isEqualTo(1234L);
              assertThat(c.emissions())
                  .extracting(x -> x.state() + "@" + x.offset())
                  .containsExactly("OPEN@10", "CLEARED@12");
              assertThat(c.remediation())
                  .extracting(s -> s.action() + " " + s.outcome())
                  .containsExactly("CORDON SUCCEEDED", "REBOOT VERIFIED");
              assertThat(c.remediation())
                  .allSatisfy(s -> assertThat(s.policyVersion()).isEqualTo(POLICY.version()));
              assertThat(c.next().waitingFor())
                  .isEqualTo("nothing: cleared (GPU back in telemetry)");
            });
    assertThat(ExplainText.render(e)).contains("Next: nothing: cleared").contains("xid=79");
  }

  @Test
  void shouldNameTheHoldingIncidentTheBudgetStateAndTheOperatorOfAVerdict() {
    ExplainModel m = model("v2");
    FaultVerdict v =
        held(verdict("v2", "p4d-train-1", FaultClass.GPU_LOST, VerdictState.OPEN), "inc-7");
    m.verdict(at(0, v));
    m.incident(incident("inc-7", List.of("p4d-train-1", "p4d-train-2")));
    m.control(control(1, "node:p4d-train-1", ControlKind.VETO, null));
    m.audit(
        step(
            v,
            RemediationAction.DRAIN,
            Outcome.SKIPPED,
            SkipReason.INCIDENT_HOLD,
            20,
            "held under fleet incident inc-7 while correlation settled"));
    m.audit(
        step(
            v,
            RemediationAction.DRAIN,
            Outcome.SKIPPED,
            SkipReason.BUDGET,
            25,
            "2 node(s) already in disruptive remediation in nodegroup:p4d-train (limit 2); waiting"));
    m.audit(
        step(
            v,
            RemediationAction.DRAIN,
            Outcome.SKIPPED,
            SkipReason.VETO,
            30,
            "vetoed by alice (node:p4d-train-1): under vendor diagnosis"));

    Explanation.Chain c = m.explain(T0.plusSeconds(40), SINCE).orElseThrow().verdicts().get(0);

    assertThat(c.incident().nodes()).containsExactly("p4d-train-1", "p4d-train-2");
    assertThat(c.remediation().get(1).budget()).isEqualTo("nodegroup:p4d-train concurrent 2/2");
    assertThat(c.remediation().get(0).budget()).isNull();
    assertThat(c.remediation().get(2).operator()).isEqualTo("alice");
    assertThat(c.operatorCommands())
        .extracting(Explanation.Command::scope)
        .containsExactly("node:p4d-train-1");
    assertThat(c.next().waitingFor()).startsWith("veto: vetoed by alice");
  }

  @Test
  void shouldSayADeadlineIsNotKnownWhenTheRecordsNameAnotherPolicy() {
    ExplainModel m = model("p5-train-2");
    FaultVerdict v = verdict("v1", "p5-train-2", FaultClass.GPU_LOST, VerdictState.OPEN);
    m.verdict(at(0, v));
    m.audit(
        RemediationRecord.newBuilder(
                step(v, RemediationAction.RESET_GPU, Outcome.SUCCEEDED, null, 30, "reset"))
            .setPolicyVersion("1999.01-1")
            .build());

    Explanation.Next n =
        m.explain(T0.plusSeconds(40), SINCE).orElseThrow().verdicts().get(0).next();

    assertThat(n.until()).isNull();
    assertThat(n.waitingFor()).contains("deadline not known: the records name policy 1999.01-1");
    assertThat(n.then()).isEqualTo("if the verdict is still open: REBOOT");
  }

  @Test
  void shouldExplainAVerdictKnownOnlyFromItsAuditRecordsSayingTheRestIsAbsent() {
    ExplainModel m = model("v9");
    FaultVerdict v = verdict("v9", "g5-infer-1", FaultClass.GPU_XID_FATAL, VerdictState.OPEN);
    m.audit(step(v, RemediationAction.CORDON, Outcome.SUCCEEDED, null, 1, "cordoned"));

    Explanation e = m.explain(T0.plusSeconds(5), SINCE).orElseThrow();

    assertThat(e.matched()).isEqualTo("verdict");
    assertThat(e.verdicts().get(0).state()).isNull();
    assertThat(ExplainText.render(e)).contains("no emission of it in the period read");
  }

  @Test
  void shouldFindNothingForANodeWithoutRecords() {
    ExplainModel m = model("nope");
    m.verdict(at(0, verdict("v1", "p5-train-2", FaultClass.GPU_LOST, VerdictState.OPEN)));

    assertThat(m.explain(T0, SINCE)).isEmpty();
  }

  @Test
  void shouldShowThatAPerGpuRepairKeptTheNodeSchedulable() {
    ExplainModel m = model("g5-wide-1");
    FaultVerdict v = verdict("v9", "g5-wide-1", FaultClass.GPU_MEMORY_DEGRADED, VerdictState.OPEN);
    m.verdict(at(0, v));
    m.audit(
        step(
            v,
            RemediationAction.DRAIN,
            Outcome.SUCCEEDED,
            null,
            20,
            "drained GPU 3: 1 pod(s) evicted (ml/a); the other GPUs' pods keep running; not"
                + " cordoned: allocatable nvidia.com/gpu 7 of 8: the device plugin took GPU 3 out;"
                + " node schedulable"));

    String text = ExplainText.render(m.explain(T0.plusSeconds(30), SINCE).orElseThrow());

    assertThat(text)
        .contains(
            "Containment: per GPU (GPU 3), node kept schedulable, not cordoned or tainted:"
                + " allocatable nvidia.com/gpu 7 of 8: the device plugin took GPU 3 out;"
                + " node schedulable");
  }

  @Test
  void shouldShowThatADraNodeWasKeptSchedulableByADeviceTaint() {
    assertThat(
            AuditDetails.containment(
                "drained GPU 3: 1 pod(s) evicted (ml/a); the other GPUs' pods keep running; device"
                    + " taint gpuward.io/unhealthy:NoSchedule on gpu.nvidia.com/g5-dra-1/gpu-3"
                    + " (GPU 3): not cordoned, node schedulable"))
        .contains(
            "per GPU (GPU 3), node kept schedulable, not cordoned: device taint"
                + " gpuward.io/unhealthy:NoSchedule on gpu.nvidia.com/g5-dra-1/gpu-3 (GPU 3)");
  }

  @Test
  void shouldShowWhyADrainCordonedOrTookTheWholeNode() {
    assertThat(
            AuditDetails.containment(
                "drained GPU 3: 1 pod(s) evicted (ml/a); the other GPUs' pods keep running;"
                    + " cordoned: allocatable nvidia.com/gpu 8 of 8 still offers GPU 3 to the"
                    + " scheduler"))
        .contains(
            "per GPU (GPU 3), node cordoned: allocatable nvidia.com/gpu 8 of 8 still offers GPU 3"
                + " to the scheduler");
    assertThat(
            AuditDetails.containment(
                "the node is rebooted or replaced next: whole-node drain; drained: 8 evicted, 8"
                    + " DaemonSet pods left"))
        .contains("whole node, cordoned: the node is rebooted or replaced next");
    assertThat(AuditDetails.containment("drained: 8 evicted, 8 DaemonSet pods left")).isEmpty();
  }
}
