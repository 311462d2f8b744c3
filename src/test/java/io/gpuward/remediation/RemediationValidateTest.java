package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.Diagnostics;
import io.gpuward.sim.Injection;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Validation before return to service through the applier and reporter, on the simulated cluster:
 * pass uncordons, fail and hang climb the ladder, a restart reads the run instead of repeating it.
 */
class RemediationValidateTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final String NODE = "g5-infer-1";
  private final List<RemediationRecord> audit = new CopyOnWriteArrayList<>();
  private final List<FaultVerdict> replans = new CopyOnWriteArrayList<>();
  private ManualClock clock;
  private SimulatedCluster cluster;
  private RemediationPolicy policy;
  private Remediation remediation;

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
                p.repeatOffender())
            .withValidate(
                new RemediationPolicy.Validate(
                    Set.of(FaultClass.GPU_XID_FATAL), 2, Duration.ofMinutes(10)));
    remediation = remediator();
  }

  @AfterEach
  void tearDown() {
    remediation.close();
  }

  private Remediation remediator() {
    Remediation r =
        new Remediation(
            new Planner(policy),
            cluster,
            cluster,
            audit::add,
            clock,
            false,
            new SimpleMeterRegistry());
    r.onReplan(replans::add);
    return r;
  }

  private static FaultVerdict xid(VerdictState state) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.GPU_XID_FATAL, RemediationAction.RESET_GPU, state))
        .setVerdictId("v-1")
        .setNode(NODE)
        .setNodegroup("g5-infer")
        .setInstanceId(null)
        .setGpus(List.of(GpuRef.newBuilder().setUuid("0").setIndex(0).build()))
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plus(Duration.ofHours(1)))
        .build();
  }

  private List<String> trail() {
    return audit.stream().map(r -> r.getAction() + ":" + r.getOutcome()).toList();
  }

  /** Runs the timer's replans as the service's lanes would. */
  private void replanDue() {
    Eventually.await(Duration.ofSeconds(5), () -> assertThat(replans).isNotEmpty());
    List<FaultVerdict> due = List.copyOf(replans);
    replans.clear();
    due.forEach(remediation::onVerdict);
  }

  /** The reset is done and the verdict cleared: VERIFIED, then diagnostics are sent. */
  private void resetAndClear() {
    remediation.onVerdict(xid(VerdictState.OPEN));
    assertThat(trail()).endsWith("RESET_GPU:SUCCEEDED");
    clock.advance(Duration.ofSeconds(10));
    remediation.onVerdict(xid(VerdictState.CLEARED));
    assertThat(trail()).endsWith("RESET_GPU:VERIFIED", "VALIDATE:PLANNED", "VALIDATE:STARTED");
    assertThat(cluster.node(NODE).orElseThrow().unschedulable()).isTrue();
  }

  private void passTime(Duration d) {
    clock.advance(d);
    replanDue();
  }

  private void armDiagnostics(boolean hang) {
    cluster.diagnostics().failNext(NODE, new Injection.DiagFail(3, hang));
  }

  @Test
  void shouldUncordonOnlyOnceTheDiagnosticsPass() {
    resetAndClear();
    passTime(Duration.ofSeconds(5)); // still running
    assertThat(trail()).endsWith("VALIDATE:STARTED");
    assertThat(cluster.node(NODE).orElseThrow().unschedulable()).isTrue();

    passTime(Diagnostics.duration(2));
    assertThat(trail())
        .endsWith(
            "VALIDATE:SUCCEEDED", "UNCORDON:PLANNED", "UNCORDON:STARTED", "UNCORDON:SUCCEEDED");
    assertThat(cluster.node(NODE).orElseThrow().unschedulable()).isFalse();
    assertThat(cluster.diagnostics().started()).isEqualTo(1);
  }

  @Test
  void shouldClimbToARebootWhenTheDiagnosticsFailAndUncordonWhenTheyPassAfterIt() {
    armDiagnostics(false);
    resetAndClear();
    passTime(Diagnostics.duration(2));
    assertThat(audit)
        .filteredOn(r -> r.getAction() == RemediationAction.VALIDATE)
        .filteredOn(r -> r.getOutcome() == Outcome.FAILED_PERMANENT)
        .singleElement()
        .satisfies(r -> assertThat(r.getDetail()).contains("memory failed on GPU 3"));
    replanDue(); // the ladder moves
    assertThat(trail()).endsWith("REBOOT:PLANNED", "REBOOT:STARTED", "REBOOT:SUCCEEDED");
    assertThat(cluster.node(NODE).orElseThrow().unschedulable()).isTrue();

    // Back from the reboot on a new boot id: validated again, then returned to service.
    passTime(SimulatedCluster.Settings.defaults().rebootDuration().plusSeconds(1));
    assertThat(trail()).endsWith("VALIDATE:PLANNED", "VALIDATE:STARTED");
    passTime(Diagnostics.duration(2));
    assertThat(trail())
        .containsSubsequence("REBOOT:VERIFIED", "UNCORDON:SUCCEEDED")
        .contains("VALIDATE:SUCCEEDED");
    assertThat(cluster.node(NODE).orElseThrow().unschedulable()).isFalse();
    assertThat(cluster.diagnostics().started()).isEqualTo(2);
  }

  @Test
  void shouldKeepANodeCordonedWhileItsRepairIsValidatedWhenAnotherVerdictOnItClears() {
    armDiagnostics(true);
    resetAndClear();
    FaultVerdict thermal =
        FaultVerdict.newBuilder(xid(VerdictState.OPEN))
            .setVerdictId("v-thermal")
            .setFaultClass(FaultClass.GPU_THERMAL)
            .setRecommendedAction(RemediationAction.CORDON)
            .build();
    remediation.onVerdict(thermal);
    remediation.onVerdict(FaultVerdict.newBuilder(thermal).setState(VerdictState.CLEARED).build());

    assertThat(audit)
        .filteredOn(r -> r.getVerdictId().equals("v-thermal"))
        .filteredOn(r -> r.getAction() == RemediationAction.UNCORDON)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getReason()).isEqualTo(SkipReason.SUPERSEDED);
              assertThat(r.getDetail()).contains("v-1").contains("not back in service yet");
            });
    assertThat(cluster.node(NODE).orElseThrow().unschedulable()).isTrue();
  }

  @Test
  void shouldFailDiagnosticsThatHangPastTheTimeoutAndClimb() {
    armDiagnostics(true);
    resetAndClear();
    passTime(Duration.ofMinutes(5));
    assertThat(trail()).endsWith("VALIDATE:STARTED");
    passTime(Duration.ofMinutes(5));
    assertThat(audit)
        .filteredOn(r -> r.getAction() == RemediationAction.VALIDATE)
        .last()
        .satisfies(
            r -> {
              assertThat(r.getOutcome()).isEqualTo(Outcome.FAILED_PERMANENT);
              assertThat(r.getDetail()).contains("timed out");
            });
    replanDue();
    assertThat(trail()).contains("REBOOT:SUCCEEDED").doesNotContain("UNCORDON:SUCCEEDED");
  }

  @Test
  void shouldReadTheDiagnosticsAfterARestartInsteadOfRunningThemAgain() {
    resetAndClear();
    remediation.close();
    remediation = remediator();
    audit.forEach(remediation.ledger()::record);
    assertThat(remediation.restoreOpen(xid(VerdictState.CLEARED))).isTrue();

    clock.advance(Diagnostics.duration(2));
    remediation.onVerdict(xid(VerdictState.CLEARED));
    assertThat(trail())
        .endsWith(
            "VALIDATE:SUCCEEDED", "UNCORDON:PLANNED", "UNCORDON:STARTED", "UNCORDON:SUCCEEDED");
    assertThat(cluster.diagnostics().started()).isEqualTo(1);
  }

  @Test
  void shouldUncordonAtOnceAClassThePolicyDoesNotValidate() {
    policy = policy.withValidate(RemediationPolicy.Validate.OFF);
    remediation.close();
    remediation = remediator();
    remediation.onVerdict(xid(VerdictState.OPEN));
    clock.advance(Duration.ofSeconds(10));
    remediation.onVerdict(xid(VerdictState.CLEARED));
    assertThat(trail()).endsWith("UNCORDON:SUCCEEDED").doesNotContain("VALIDATE:STARTED");
  }
}
