package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.POLICY;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.Reconcile.Reconciled.Kind;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReconcileTest {

  private static Ledger.Entry started(RemediationAction a, String detail) {
    return new Ledger.Entry("op", "v-1", "p5-train-2", a, 1, Outcome.STARTED, NOW, detail);
  }

  private static Optional<LiveNode> booted(String bootId) {
    return Optional.of(
        LiveNode.named("p5-train-2")
            .bootId(bootId)
            .ready(true)
            .unschedulable(true)
            .cordonedBy(Optional.of("op"))
            .instanceId("i-1")
            .asgName("asg")
            .labels(null)
            .build());
  }

  private static Reconcile.Reconciled reboot(String bootNow, java.time.Instant now) {
    return Reconcile.of(
        started(RemediationAction.REBOOT, "bootId=b1 instanceId=i-1"),
        booted(bootNow),
        POLICY.ladder(),
        now,
        Observed.NO_HISTORY);
  }

  @Test
  void shouldCallARebootDoneWhenTheBootIdChanged() {
    assertThat(reboot("b2", NOW).kind()).isEqualTo(Kind.DONE);
  }

  @Test
  void shouldWaitForARebootUntilItsDeadlineThenRetry() {
    assertThat(reboot("b1", NOW.plusSeconds(299)).kind()).isEqualTo(Kind.WAIT);
    assertThat(reboot("b1", NOW.plusSeconds(300)).kind()).isEqualTo(Kind.RETRY);
  }

  @Test
  void shouldNeverRetryAResetTheCommandHistoryCannotTell() {
    var r =
        Reconcile.of(
            started(RemediationAction.RESET_GPU, "instanceId=i-1"),
            booted("b1"),
            POLICY.ladder(),
            NOW,
            Observed.NO_HISTORY);
    assertThat(r.kind()).isEqualTo(Kind.UNKNOWABLE);
    var failed =
        Reconcile.of(
            started(RemediationAction.RESET_GPU, "instanceId=i-1"),
            booted("b1"),
            POLICY.ladder(),
            NOW,
            e -> new CommandTrace(CommandTrace.State.FAILED, "exit 1"));
    assertThat(failed.kind()).isEqualTo(Kind.FAILED);
  }

  @Test
  void shouldReadAFieldOutOfARecordDetail() {
    assertThat(Reconcile.field("bootId=b1 instanceId=i-9", "instanceId")).isEqualTo("i-9");
    assertThat(Reconcile.field(null, "bootId")).isNull();
  }
}
