package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ladder through the applier and reporter, acting on the simulated cluster. */
class RemediationLadderTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private final List<RemediationRecord> audit = new CopyOnWriteArrayList<>();
  private final List<FaultVerdict> replans = new CopyOnWriteArrayList<>();
  private ManualClock clock;
  private SimulatedCluster cluster;
  private Remediation remediation;
  private RemediationPolicy policy;

  @BeforeEach
  void setUp() {
    var types = InstanceTypeCatalog.load();
    clock = new ManualClock(T0);
    cluster =
        new SimulatedCluster(
            clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(100));
    DefaultFleet.populate(cluster, types, T0);
    var p = RemediationPolicy.load();
    policy =
        new RemediationPolicy(
            p.version(),
            p.steps(),
            Duration.ZERO,
            Map.of(),
            p.observeOnlyLag(),
            Duration.ZERO,
            p.ladder(),
            p.repeatOffender());
    remediation =
        new Remediation(
            new Planner(policy),
            cluster,
            cluster,
            audit::add,
            clock,
            false,
            new SimpleMeterRegistry());
    remediation.onReplan(replans::add);
  }

  private FaultVerdict xid(String id, VerdictState state, Instant detected) {
    String uuid = "0"; // the simulated SSM accepts an index like nvidia-smi -i
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.GPU_XID_FATAL, RemediationAction.RESET_GPU, state))
        .setVerdictId(id)
        .setNode("g5-infer-1")
        .setNodegroup("g5-infer")
        .setInstanceId(null)
        .setGpus(List.of(GpuRef.newBuilder().setUuid(uuid).setIndex(0).build()))
        .setDetectedAt(detected)
        .setValidUntil(detected.plus(Duration.ofHours(1)))
        .build();
  }

  private List<String> trail(String verdictId) {
    return audit.stream()
        .filter(r -> r.getVerdictId().equals(verdictId))
        .map(r -> r.getAction() + ":" + r.getOutcome())
        .toList();
  }

  /** Runs the timer's replans as the service's lanes would. */
  private void replanDue() {
    io.gpuward.testing.Eventually.await(
        Duration.ofSeconds(5), () -> assertThat(replans).isNotEmpty());
    List<FaultVerdict> due = List.copyOf(replans);
    replans.clear();
    due.forEach(remediation::onVerdict);
  }

  @Test
  void shouldClimbFromAnUnverifiedResetToRebootAndVerifyItWhenTheVerdictClears() {
    var v = xid("v-1", VerdictState.OPEN, T0);
    remediation.onVerdict(v);
    assertThat(trail("v-1")).endsWith("RESET_GPU:STARTED", "RESET_GPU:SUCCEEDED");
    assertThat(cluster.gpuResets()).isEqualTo(1);

    // The reset did not fix it: nothing clears the verdict before the rung's deadline.
    clock.advance(policy.ladder().deadline(RemediationAction.RESET_GPU).plusSeconds(1));
    replanDue();
    assertThat(trail("v-1"))
        .containsSubsequence(
            "RESET_GPU:SUCCEEDED",
            "RESET_GPU:FAILED_PERMANENT",
            "REBOOT:PLANNED",
            "REBOOT:STARTED",
            "REBOOT:SUCCEEDED");
    assertThat(cluster.reboots()).isEqualTo(1);
    assertThat(audit)
        .filteredOn(r -> r.getAction() == RemediationAction.REBOOT)
        .filteredOn(r -> r.getOutcome() == io.gpuward.avro.Outcome.STARTED)
        .singleElement()
        .satisfies(r -> assertThat(r.getDetail()).startsWith("bootId="));

    // The reboot fixed it: the verdict clears; the reboot is verified and the node uncordoned.
    clock.advance(Duration.ofSeconds(30));
    remediation.onVerdict(xid("v-1", VerdictState.CLEARED, T0));
    assertThat(trail("v-1"))
        .endsWith("REBOOT:VERIFIED", "UNCORDON:PLANNED", "UNCORDON:STARTED", "UNCORDON:SUCCEEDED");
    assertThat(trail("v-1")).doesNotContain("REPLACE:STARTED");
    assertThat(audit).allSatisfy(r -> assertThat(r.getPolicyVersion()).isEqualTo(policy.version()));
  }

  @Test
  void shouldReplaceARepeatOffenderAndVerifyItWhenTheNodeIsGone() {
    var first = xid("v-1", VerdictState.OPEN, T0);
    remediation.onVerdict(first);
    clock.advance(Duration.ofSeconds(10));
    remediation.onVerdict(xid("v-1", VerdictState.CLEARED, T0));
    assertThat(trail("v-1")).contains("RESET_GPU:VERIFIED");

    // Back an hour later on the same node: straight to REPLACE, which brings up a new node.
    clock.advance(Duration.ofHours(1));
    var second = xid("v-2", VerdictState.OPEN, clock.instant());
    remediation.onVerdict(second);
    assertThat(trail("v-2"))
        .containsSubsequence("CORDON:SUCCEEDED", "DRAIN:SUCCEEDED", "REPLACE:SUCCEEDED")
        .doesNotContain("RESET_GPU:STARTED", "REBOOT:STARTED");
    assertThat(audit)
        .filteredOn(r -> r.getAction() == RemediationAction.REPLACE)
        .first()
        .satisfies(r -> assertThat(r.getDetail()).contains("repeat offender"));
    assertThat(cluster.replacements()).isEqualTo(1);
    assertThat(cluster.node("g5-infer-1")).isEmpty();
    clock.advance(policy.ladder().recheck());
    replanDue();
    assertThat(trail("v-2")).endsWith("REPLACE:VERIFIED");
  }

  @Test
  void shouldReconcileARungInterruptedByARestartWhenItsVerdictClearsBeforeItIsPlannedAgain() {
    // A remediator rebooted g5-infer-1 and died before recording the outcome; a reset and a
    // replace of other sessions were interrupted before their calls went out.
    var v = xid("v-1", VerdictState.OPEN, T0);
    var node = cluster.node("g5-infer-1").orElseThrow();
    String reboot = OperationIds.of("g5-infer-1", "v-1", RemediationAction.REBOOT, 1);
    remediation
        .ledger()
        .record(
            started(
                v,
                reboot,
                RemediationAction.REBOOT,
                "bootId=" + node.bootId() + " instanceId=" + node.instanceId()));
    cluster.reboot(node.instanceId(), reboot);
    var w = xid("v-2", VerdictState.OPEN, T0);
    String reset = OperationIds.of("g5-infer-1", "v-2", RemediationAction.RESET_GPU, 1);
    remediation
        .ledger()
        .record(started(w, reset, RemediationAction.RESET_GPU, "instanceId=" + node.instanceId()));
    var x = xid("v-3", VerdictState.OPEN, T0);
    String replace = OperationIds.of("g5-infer-1", "v-3", RemediationAction.REPLACE, 1);
    remediation
        .ledger()
        .record(started(x, replace, RemediationAction.REPLACE, "instanceId=" + node.instanceId()));
    clock.advance(Duration.ofMinutes(1));

    // The restarted remediator first hears of them as CLEARED: the reboot fixed it.
    remediation.onVerdict(xid("v-1", VerdictState.CLEARED, T0));
    remediation.onVerdict(xid("v-2", VerdictState.CLEARED, T0));
    remediation.onVerdict(xid("v-3", VerdictState.CLEARED, T0));

    // Live state tells the reboot happened: done and verified, not left STARTED for ever.
    assertThat(trail("v-1")).startsWith("REBOOT:SUCCEEDED", "REBOOT:VERIFIED");
    assertThat(audit)
        .filteredOn(r -> r.getVerdictId().equals("v-1"))
        .first()
        .satisfies(r -> assertThat(r.getDetail()).contains("reconciled after restart: boot id"));
    // A reset leaves no trace on the node, but the command history shows it was never sent: not
    // done, and not done now (the verdict cleared: nothing to climb).
    assertThat(trail("v-2")).containsExactly("RESET_GPU:FAILED_PERMANENT");
    assertThat(audit)
        .filteredOn(r -> r.getVerdictId().equals("v-2"))
        .singleElement()
        .satisfies(r -> assertThat(r.getDetail()).contains("never sent"));
    // The instance is still there: the replace did not happen, and it is not done now.
    assertThat(trail("v-3")).containsExactly("REPLACE:FAILED_PERMANENT");
    assertThat(audit)
        .filteredOn(r -> r.getVerdictId().equals("v-3"))
        .singleElement()
        .satisfies(r -> assertThat(r.getDetail()).contains("the verdict cleared meanwhile"));
    assertThat(cluster.reboots()).isEqualTo(1);
    assertThat(cluster.replacements() + cluster.gpuResets()).isZero();
  }

  private RemediationRecord started(FaultVerdict v, String op, RemediationAction a, String detail) {
    return RemediationRecord.newBuilder()
        .setOperationId(op)
        .setVerdictId(v.getVerdictId())
        .setNode(v.getNode())
        .setAction(a)
        .setOutcome(io.gpuward.avro.Outcome.STARTED)
        .setAttempt(1)
        .setPolicyVersion(policy.version())
        .setAt(clock.instant())
        .setDetail(detail)
        .build();
  }
}
