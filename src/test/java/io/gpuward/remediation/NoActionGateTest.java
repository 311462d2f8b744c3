package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.POLICY;
import static io.gpuward.remediation.GateFixtures.open;
import static io.gpuward.remediation.GateFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import org.junit.jupiter.api.Test;

class NoActionGateTest {
  private final NoActionGate gate = new NoActionGate(POLICY);
  private final Ledger ledger = new Ledger();

  @Test
  void shouldRecordOnceThatThePolicyTakesNoAction() {
    var v = open(FaultClass.GPU_THERMAL, RemediationAction.NONE);
    var first = gate.decide(v, RemediationAction.NONE, ledger).orElseThrow();
    assertThat(first.steps())
        .singleElement()
        .satisfies(s -> assertThat(s.detail()).isEqualTo("policy takes no action for GPU_THERMAL"));
    record(ledger, v, RemediationAction.NONE, 1, Outcome.PLANNED, NOW, null);
    assertThat(gate.decide(v, RemediationAction.NONE, ledger))
        .containsInstanceOf(Decision.Skip.class);
  }

  @Test
  void shouldLetAnActionWithStepsThrough() {
    var v = open(FaultClass.GPU_LOST, RemediationAction.REBOOT);
    assertThat(gate.decide(v, RemediationAction.REBOOT, ledger)).isEmpty();
  }
}
