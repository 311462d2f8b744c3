package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.POLICY;
import static io.gpuward.remediation.GateFixtures.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScopeEscalationTest {
  private final ScopeEscalation gate = new ScopeEscalation(POLICY);
  private final Ledger ledger = new Ledger();
  private final FaultVerdict mismatch =
      open(FaultClass.IMAGE_INSTANCE_MISMATCH, RemediationAction.ESCALATE);

  private void escalatedBy(String verdictId, String node) {
    ledger.record(
        RemediationRecord.newBuilder()
            .setOperationId(
                OperationIds.of(
                    "nodegroup:p5-train",
                    "IMAGE_INSTANCE_MISMATCH/r",
                    RemediationAction.ESCALATE,
                    1))
            .setVerdictId(verdictId)
            .setNode(node)
            .setAction(RemediationAction.ESCALATE)
            .setOutcome(Outcome.SUCCEEDED)
            .setAttempt(1)
            .setPolicyVersion(POLICY.version())
            .setAt(NOW)
            .build());
  }

  @Test
  void shouldEscalateOncePerNodeGroupAndSignature() {
    Route r = gate.route(mismatch, ledger, null, NOW);
    assertThat(r.ops())
        .singleElement()
        .satisfies(o -> assertThat(o.owner()).isEqualTo("nodegroup:p5-train"))
        .satisfies(o -> assertThat(o.session()).isEqualTo("IMAGE_INSTANCE_MISMATCH/r"));
  }

  @Test
  void shouldSupersedeAnotherNodeOfAScopeEscalatedAlready() {
    escalatedBy("v-other", "p5-train-9");
    Route r = gate.route(mismatch, ledger, null, NOW.plusSeconds(1));
    assertThat(r.facts())
        .singleElement()
        .satisfies(s -> assertThat(s.skip()).isEqualTo(SkipReason.SUPERSEDED))
        .satisfies(
            s ->
                assertThat(s.detail())
                    .isEqualTo(
                        "escalated already for nodegroup:p5-train IMAGE_INSTANCE_MISMATCH/r"
                            + " (verdict v-other on node p5-train-9); escalated again after 24h"
                            + " if still open"));
  }

  @Test
  void shouldSayNothingMoreForTheVerdictThatEscalated() {
    escalatedBy("v-1", "p5-train-2");
    assertThat(gate.route(mismatch, ledger, null, NOW.plusSeconds(1)).decision())
        .isInstanceOf(Decision.Skip.class);
    assertThat(gate.due(mismatch, ledger)).contains(NOW.plus(Duration.ofHours(24)));
  }

  @Test
  void shouldEscalateAgainWhenThePeriodPassed() {
    escalatedBy("v-1", "p5-train-2");
    Route r = gate.route(mismatch, ledger, null, NOW.plus(Duration.ofHours(24)));
    assertThat(r.ops()).singleElement().satisfies(o -> assertThat(o.attempt()).isEqualTo(2));
    assertThat(r.note()).startsWith("still unresolved 24h after the last escalation");
  }
}
