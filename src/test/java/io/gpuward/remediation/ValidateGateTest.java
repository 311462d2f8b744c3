package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.cleared;
import static io.gpuward.remediation.GateFixtures.node;
import static io.gpuward.remediation.GateFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValidateGateTest {
  private static final Duration RECHECK = Duration.ofSeconds(5);
  private static final ValidateGate GATE =
      new ValidateGate(
          new RemediationPolicy.Validate(Set.of(FaultClass.GPU_LOST), 2, Duration.ofMinutes(10)),
          RECHECK);

  private final Ledger ledger = new Ledger();
  private final FaultVerdict v = cleared();

  private ValidateGate.Result decide(Optional<LiveNode> live, CommandTrace trace) {
    Observed o = Observed.of(live, ledger).with(op -> false, started -> trace);
    return GATE.decide(v, o, NOW);
  }

  private ValidateGate.Result decide(CommandTrace trace) {
    return decide(node("op-cordon"), trace);
  }

  private void reset(Outcome o) {
    record(ledger, v, RemediationAction.RESET_GPU, 1, o, NOW.minusSeconds(60), "reset 1 GPU(s)");
  }

  private void diagnosticsStarted(Duration ago) {
    record(
        ledger,
        v,
        RemediationAction.VALIDATE,
        1,
        Outcome.STARTED,
        NOW.minus(ago),
        "instanceId=i-1");
  }

  private static CommandTrace trace(CommandTrace.State s, String detail) {
    return new CommandTrace(s, detail);
  }

  @Test
  void shouldPassANodeThatWasOnlyCordoned() {
    assertThat(decide(CommandTrace.unknown("n/a")))
        .isEqualTo(new ValidateGate.Pass(java.util.List.of()));
  }

  @Test
  void shouldPassAClassThePolicyDoesNotValidate() {
    reset(Outcome.VERIFIED);
    var other = new ValidateGate(RemediationPolicy.Validate.OFF, RECHECK);
    Observed o = Observed.of(node("op-cordon"), ledger);
    assertThat(other.decide(v, o, NOW)).isInstanceOf(ValidateGate.Pass.class);
  }

  @Test
  void shouldRunDiagnosticsAfterAVerifiedResetWithAnIdOfThatRung() {
    reset(Outcome.VERIFIED);
    var r = (ValidateGate.Act) decide(CommandTrace.unknown("n/a"));
    Step s = r.decision().steps().get(0);
    assertThat(s.action()).isEqualTo(RemediationAction.VALIDATE);
    assertThat(s.operationId())
        .isEqualTo(ValidateGate.operationId(v, RemediationAction.RESET_GPU))
        .isNotEqualTo(ValidateGate.operationId(v, RemediationAction.REBOOT));
    assertThat(s.detail()).contains("dcgmi diag -r 2", "after RESET_GPU");
  }

  @Test
  void shouldWaitForANodeThatIsNotReady() {
    reset(Outcome.VERIFIED);
    var notReady =
        Optional.of(
            LiveNode.named("p5-train-2")
                .bootId("boot-1")
                .unschedulable(true)
                .cordonedBy(Optional.of("op"))
                .instanceId("i-1")
                .asgName("asg")
                .build());
    var r = (ValidateGate.Act) decide(notReady, CommandTrace.unknown("n/a"));
    assertThat(r.decision())
        .isEqualTo(
            new Decision.Defer(
                NOW.plus(RECHECK), "waiting for the node to be Ready to validate it"));
  }

  @Test
  void shouldWaitForARebootThatHasNotHappenedYet() {
    record(
        ledger,
        v,
        RemediationAction.REBOOT,
        1,
        Outcome.SUCCEEDED,
        NOW.minusSeconds(2),
        "reboot requested for i-1 bootId=boot-1");
    var r = (ValidateGate.Act) decide(CommandTrace.unknown("n/a"));
    assertThat(r.decision()).isInstanceOf(Decision.Defer.class);
    assertThat(((Decision.Defer) r.decision()).reason()).contains("boot id still boot-1");
  }

  @Test
  void shouldDeferWhileTheDiagnosticsRun() {
    reset(Outcome.VERIFIED);
    diagnosticsStarted(Duration.ofMinutes(1));
    var r = (ValidateGate.Act) decide(trace(CommandTrace.State.IN_PROGRESS, "running"));
    assertThat(r.decision())
        .isEqualTo(new Decision.Defer(NOW.plus(RECHECK), "diagnostics running: running"));
  }

  @Test
  void shouldFailDiagnosticsThatDidNotFinishWithinTheTimeout() {
    reset(Outcome.VERIFIED);
    diagnosticsStarted(Duration.ofMinutes(10));
    var r = (ValidateGate.Climb) decide(trace(CommandTrace.State.IN_PROGRESS, "running"));
    assertThat(r.rung()).isEqualTo(RemediationAction.RESET_GPU);
    assertThat(r.facts())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.report()).isEqualTo(Outcome.FAILED_PERMANENT);
              assertThat(s.detail()).contains("timed out", "PT10M");
            });
  }

  @Test
  void shouldNameTheFailingTestWhenTheDiagnosticsFail() {
    reset(Outcome.VERIFIED);
    diagnosticsStarted(Duration.ofMinutes(2));
    var r = (ValidateGate.Climb) decide(trace(CommandTrace.State.FAILED, "Memory failed on GPU 3"));
    assertThat(r.facts().get(0).detail())
        .contains("Memory failed on GPU 3", "next rung after RESET_GPU");
  }

  @Test
  void shouldPassAndVerifyARungTakenAfterTheVerdictCleared() {
    record(ledger, v, RemediationAction.RESET_GPU, 1, Outcome.VERIFIED, NOW.minusSeconds(600), "x");
    record(
        ledger,
        v,
        RemediationAction.VALIDATE,
        1,
        Outcome.FAILED_PERMANENT,
        NOW.minusSeconds(500),
        "x");
    record(ledger, v, RemediationAction.REBOOT, 1, Outcome.SUCCEEDED, NOW.minusSeconds(300), "x");
    record(ledger, v, RemediationAction.VALIDATE, 2, Outcome.STARTED, NOW.minusSeconds(60), "x");
    var r = (ValidateGate.Pass) decide(trace(CommandTrace.State.SUCCEEDED, "all tests pass"));
    assertThat(r.facts())
        .extracting(s -> s.action() + ":" + s.report())
        .containsExactly("VALIDATE:SUCCEEDED", "REBOOT:VERIFIED");
  }

  @Test
  void shouldSendDiagnosticsNeverSentBeforeARestartWithTheSameId() {
    reset(Outcome.VERIFIED);
    diagnosticsStarted(Duration.ofSeconds(3));
    var r = (ValidateGate.Act) decide(trace(CommandTrace.State.NOT_SENT, "none"));
    assertThat(r.decision().steps().get(0).operationId())
        .isEqualTo(ValidateGate.operationId(v, RemediationAction.RESET_GPU));
  }

  @Test
  void shouldClimbPastARungWhoseDiagnosticsFailed() {
    reset(Outcome.VERIFIED);
    record(ledger, v, RemediationAction.VALIDATE, 1, Outcome.FAILED_PERMANENT, NOW, "x");
    assertThat(ValidateGate.failedAfter(v, RemediationAction.RESET_GPU, ledger)).isTrue();
    assertThat(ValidateGate.failedAfter(v, RemediationAction.REBOOT, ledger)).isFalse();
    assertThat(decide(CommandTrace.unknown("n/a"))).isInstanceOf(ValidateGate.Climb.class);
  }

  @Test
  void shouldNotValidateAReplacedNode() {
    reset(Outcome.VERIFIED);
    record(ledger, v, RemediationAction.REPLACE, 1, Outcome.VERIFIED, NOW, "x");
    assertThat(decide(CommandTrace.unknown("n/a"))).isInstanceOf(ValidateGate.Pass.class);
  }
}
