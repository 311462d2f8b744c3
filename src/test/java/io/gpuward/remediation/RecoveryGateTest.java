package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.cleared;
import static io.gpuward.remediation.GateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import org.junit.jupiter.api.Test;

class RecoveryGateTest {
  private final RecoveryGate gate = new RecoveryGate();
  private final Ledger ledger = new Ledger();

  @Test
  void shouldUncordonANodeGpuwardCordonedOnceItsVerdictClears() {
    var d = gate.decide(cleared(), Observed.of(node("op-1"), ledger));
    assertThat(d).isInstanceOf(Decision.Act.class);
    assertThat(d.steps())
        .singleElement()
        .satisfies(s -> assertThat(s.action()).isEqualTo(RemediationAction.UNCORDON))
        .satisfies(s -> assertThat(s.detail()).isEqualTo("verdict cleared: node rebooted"));
  }

  @Test
  void shouldLeaveANodeNobodyOrSomeoneElseCordonedAlone() {
    assertThat(gate.decide(cleared(), Observed.of(node(null), ledger)))
        .isInstanceOf(Decision.Skip.class);
  }

  @Test
  void shouldOnlyRecordTheUncordonInADryRun() {
    var o = Observed.of(node("op-1"), ledger).with(new ControlState(), true, null);
    assertThat(gate.decide(cleared(), o).steps())
        .singleElement()
        .satisfies(s -> assertThat(s.skip()).isEqualTo(SkipReason.DRY_RUN));
  }
}
