package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.POLICY;
import static io.gpuward.remediation.GateFixtures.open;
import static io.gpuward.remediation.GateFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FollowUpGateTest {
  private final FollowUpGate gate = new FollowUpGate(POLICY);
  private final Ledger ledger = new Ledger();
  private final io.gpuward.avro.FaultVerdict drop =
      open(FaultClass.GPU_ALLOCATABLE_MISMATCH, RemediationAction.CORDON);

  @Test
  void shouldKeepTheCordonUntilTheFollowUpIsDue() {
    record(ledger, drop, RemediationAction.CORDON, 1, Outcome.SUCCEEDED, NOW, null);
    var t = gate.target(drop, RemediationAction.CORDON, ledger, NOW.plusSeconds(119));
    assertThat(t.action()).isEqualTo(RemediationAction.CORDON);
    assertThat(t.note()).isNull();
    assertThat(gate.due(drop, ledger)).contains(NOW.plus(Duration.ofMinutes(2)));
  }

  @Test
  void shouldRebootAnAllocatableDropStillOpenAfterItsCordon() {
    record(ledger, drop, RemediationAction.CORDON, 1, Outcome.SUCCEEDED, NOW, null);
    var t = gate.target(drop, RemediationAction.CORDON, ledger, NOW.plusSeconds(120));
    assertThat(t.action()).isEqualTo(RemediationAction.REBOOT);
    assertThat(t.note())
        .isEqualTo("GPU_ALLOCATABLE_MISMATCH still open 2m after the cordon: REBOOT");
  }

  @Test
  void shouldGiveNoFollowUpBeforeTheCordonSucceeded() {
    var t = gate.target(drop, RemediationAction.CORDON, ledger, NOW.plus(Duration.ofHours(1)));
    assertThat(t.action()).isEqualTo(RemediationAction.CORDON);
    assertThat(gate.due(drop, ledger)).isEmpty();
  }
}
