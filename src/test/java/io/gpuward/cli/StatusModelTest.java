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
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictRef;
import io.gpuward.avro.VerdictState;
import io.gpuward.testing.SampleRecords;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusModelTest {
  private final StatusModel model =
      new StatusModel(ReadModelFixtures.CONTROL, new NextStep(POLICY));

  private StatusView view(int sec) {
    return model.view(T0.plusSeconds(sec), T0.minusSeconds(86_400));
  }

  @Test
  void shouldShowARebootInFlightWaitingForItsVerificationDeadlineAndTheNextRung() {
    FaultVerdict v = verdict("v1", "p5-train-2", FaultClass.GPU_LOST, VerdictState.OPEN);
    model.verdict(at(0, v));
    model.audit(step(v, RemediationAction.CORDON, Outcome.SUCCEEDED, null, 1, "cordoned"));
    model.audit(step(v, RemediationAction.DRAIN, Outcome.SUCCEEDED, null, 20, "drained"));
    model.audit(step(v, RemediationAction.REBOOT, Outcome.STARTED, null, 21, "rebooting"));
    model.audit(step(v, RemediationAction.REBOOT, Outcome.SUCCEEDED, null, 30, "rebooted"));

    StatusView s = view(60);

    assertThat(s.remediations())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.action()).isEqualTo("REBOOT");
              assertThat(r.outcome()).isEqualTo("SUCCEEDED");
              assertThat(r.waitingFor()).isEqualTo("verification of REBOOT");
              assertThat(r.until())
                  .isEqualTo(
                      T0.plusSeconds(30).plus(POLICY.ladder().deadline(RemediationAction.REBOOT)));
              assertThat(r.then()).isEqualTo("if the verdict is still open: REPLACE");
            });
    assertThat(s.summary().remediationsInFlight()).isEqualTo(1);
    assertThat(s.summary().openVerdicts()).isEqualTo(1);
  }

  @Test
  void shouldWaitForTheCorrelationSettleAfterACordonBeforeTheDrain() {
    FaultVerdict v = verdict("v1", "p5-train-2", FaultClass.GPU_LOST, VerdictState.OPEN);
    model.verdict(at(0, v));
    model.audit(step(v, RemediationAction.CORDON, Outcome.SUCCEEDED, null, 1, "cordoned"));

    assertThat(view(5).remediations().get(0))
        .satisfies(
            r -> {
              assertThat(r.waitingFor()).isEqualTo("correlation settle");
              assertThat(r.until()).isEqualTo(T0.plus(POLICY.correlationSettle()));
              assertThat(r.then()).isEqualTo("DRAIN");
            });
  }

  @Test
  void shouldShowAHeldIncidentWithItsMembersAndHowManyVerdictsItHolds() {
    List<String> members = List.of("p4d-train-1", "p4d-train-2", "p4d-train-3");
    model.incident(incident("inc-7", members));
    for (int i = 0; i < 2; i++) {
      FaultVerdict v =
          held(verdict("v" + i, members.get(i), FaultClass.GPU_LOST, VerdictState.OPEN), "inc-7");
      model.verdict(at(i, v));
      model.audit(
          step(
              v,
              RemediationAction.DRAIN,
              Outcome.SKIPPED,
              SkipReason.INCIDENT_HOLD,
              20,
              "held under fleet incident inc-7 while correlation settled"));
    }

    StatusView s = view(30);

    assertThat(s.incidents())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.nodes()).containsExactlyElementsOf(members);
              assertThat(i.heldVerdicts()).isEqualTo(2);
            });
    assertThat(s.summary().heldVerdicts()).isEqualTo(2);
    assertThat(s.remediations())
        .allSatisfy(r -> assertThat(r.waitingFor()).isEqualTo("incident hold inc-7"));
  }

  @Test
  void shouldStateTheBudgetARefusalNamesAndWhenItsSlotFrees() {
    FaultVerdict v = verdict("v1", "p5-train-4", FaultClass.GPU_LOST, VerdictState.OPEN);
    Instant frees = T0.plusSeconds(1800);
    model.verdict(at(0, v));
    model.audit(
        step(
            v,
            RemediationAction.DRAIN,
            Outcome.SKIPPED,
            SkipReason.BUDGET,
            20,
            "10 disruption(s) started in nodegroup:p5-train in the last hour (limit 10); waiting"
                + " (a slot frees at "
                + frees
                + ")"));

    StatusView s = view(30);

    assertThat(s.budgets())
        .singleElement()
        .isEqualTo(
            new StatusView.Budget(
                "nodegroup:p5-train", "per-hour", 10, 10, frees, T0.plusSeconds(20)));
    assertThat(s.remediations().get(0).until()).isEqualTo(frees);
    assertThat(s.remediations().get(0).waitingFor()).startsWith("budget nodegroup:p5-train");
  }

  @Test
  void shouldShowAPauseUntilItExpiresAndSayWhetherTheRemediatorAppliedIt() {
    model.control(control(3, "nodegroup:p5-train", ControlKind.PAUSE, T0.plusSeconds(600)));
    model.control(control(4, "node:p5-train-3", ControlKind.VETO, null));
    model.control(control(5, "zone:us-east-1a", ControlKind.RESUME, null));
    model.audit(
        RemediationRecord.newBuilder(SampleRecords.remediationRecord())
            .setOperationId("ctl-cmd-3")
            .setVerdictId("cmd-3")
            .setAction(RemediationAction.NONE)
            .setOutcome(Outcome.SUCCEEDED)
            .setReason(null)
            .build());

    assertThat(view(60).controls())
        .extracting(c -> c.scope() + " " + c.kind() + " " + c.expiresAt() + " " + c.audited())
        .containsExactly(
            "node:p5-train-3 VETO null false",
            "nodegroup:p5-train PAUSE " + T0.plusSeconds(600) + " true");
    assertThat(view(600).controls())
        .extracting(StatusView.Control::scope)
        .containsExactly("node:p5-train-3");
  }

  @Test
  void shouldMarkAControlCommandTheRemediatorDeadLetteredAsRefused() {
    model.control(control(7, "global", ControlKind.PAUSE, null));
    model.deadLetter(
        DeadLetter.newBuilder(SampleRecords.deadLetter())
            .setOriginalTopic(ReadModelFixtures.CONTROL)
            .setOriginalPartition(0)
            .setOriginalOffset(7L)
            .build());

    assertThat(view(1).controls()).singleElement().satisfies(c -> assertThat(c.refused()).isTrue());
    assertThat(view(1).deadLetters())
        .singleElement()
        .satisfies(d -> assertThat(d.topic()).isEqualTo(ReadModelFixtures.CONTROL));
  }

  @Test
  void shouldDropAClearedVerdictAndItsRemediationEvenWhileTheHealthRecordStillListsIt() {
    FaultVerdict open = verdict("v1", "p5-train-5", FaultClass.GPU_THERMAL, VerdictState.OPEN);
    model.health(
        Read.of(
            "gpuward.health.nodes.v1",
            0,
            0,
            "p5-train-5",
            NodeHealth.newBuilder(SampleRecords.nodeHealth())
                .setNode("p5-train-5")
                .setOpenVerdicts(
                    List.of(
                        VerdictRef.newBuilder()
                            .setVerdictId("v1")
                            .setFaultClass(FaultClass.GPU_THERMAL)
                            .setSeverity(open.getSeverity())
                            .setRecommendedAction(RemediationAction.CORDON)
                            .setHeld(false)
                            .build()))
                .build()));
    model.verdict(at(0, open));
    model.audit(step(open, RemediationAction.CORDON, Outcome.SUCCEEDED, null, 1, "cordoned"));
    model.verdict(at(1, verdict("v1", "p5-train-5", FaultClass.GPU_THERMAL, VerdictState.CLEARED)));

    StatusView s = view(60);

    assertThat(s.openVerdicts()).isEmpty();
    assertThat(s.remediations()).isEmpty();
    assertThat(StatusText.summary(s)).contains("0 open verdict(s) on 0 node(s)");
  }

  @Test
  void shouldListAnOpenVerdictOnlyTheCompactedHealthTopicStillKnows() {
    model.health(Read.of("gpuward.health.nodes.v1", 0, 0, "n1", SampleRecords.nodeHealth()));

    assertThat(view(1).openVerdicts())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.verdictId())
                  .isEqualTo(SampleRecords.nodeHealth().getOpenVerdicts().get(0).getVerdictId());
              assertThat(o.summary()).as("not in the records read").isNull();
            });
  }

  @Test
  void shouldSayObserveOnlyAsTheRemediatorAnnouncedIt() {
    model.audit(
        RemediationRecord.newBuilder(SampleRecords.remediationRecord())
            .setOperationId("ctl-observe-only-1")
            .setVerdictId("observe-only-1")
            .setNode("global")
            .setAt(T0)
            .setDetail("observe-only: consumer 1500 verdicts behind (limit 1000)")
            .build());

    StatusView s = view(1);

    assertThat(s.observeOnly().on()).isTrue();
    assertThat(s.observeOnly().reason()).isEqualTo("consumer 1500 verdicts behind (limit 1000)");
    assertThat(StatusText.summary(s)).contains("OBSERVE-ONLY since 2026-12-07T10:00:00Z");
  }

  @Test
  void shouldWriteTheViewAsOneJsonDocumentWithStableFieldNames() {
    FaultVerdict v = verdict("v1", "p5-train-2", FaultClass.GPU_LOST, VerdictState.OPEN);
    model.verdict(at(0, v));

    String json = ViewJson.of(view(1));

    assertThat(json)
        .startsWith("{\"asOf\":\"2026-12-07T10:00:01Z\"")
        .contains("\"openVerdicts\":[{\"node\":\"p5-train-2\",\"verdictId\":\"v1\"")
        .contains("\"observeOnly\":{\"on\":false");
    assertThat(json.lines()).hasSize(1);
  }
}
