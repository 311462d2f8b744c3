package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.Signatures;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A remediator that reads a verdict late (it runs behind the verdict topic) still gives correlation
 * its settle time, counted from when it read the verdict: the hold the engine wrote after the
 * verdict is further down the topic. Found by a storm scenario in which the remediator read a
 * storm's first verdicts 20 s after detection and drained two members before reading their hold.
 */
class LateReadSettleTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final Duration SETTLE = Duration.ofSeconds(15);
  private final List<RemediationRecord> audit = new ArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private ManualClock clock;
  private Remediation remediation;

  @BeforeEach
  void setUp() {
    var types = InstanceTypeCatalog.load();
    clock = new ManualClock(T0);
    SimulatedCluster cluster =
        new SimulatedCluster(
            clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(100));
    DefaultFleet.populate(cluster, types, T0);
    var policy = RemediationPolicy.load();
    var settling =
        new RemediationPolicy(
            policy.version(),
            policy.steps(),
            Duration.ZERO,
            Map.of(),
            policy.observeOnlyLag(),
            SETTLE);
    remediation =
        new Remediation(new Planner(settling), cluster, cluster, audit::add, clock, false, meters);
    remediation
        .fleet()
        .apply(
            NodeInventory.newBuilder()
                .setNode("p5-train-4")
                .setNodegroup("p5-train")
                .setZone("us-east-1a")
                .setUpdatedAt(T0)
                .setLabels(Map.of())
                .build());
  }

  private FaultVerdict open() {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN))
        .setVerdictId("v-late")
        .setNode("p5-train-4")
        .setInstanceId(null)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plusSeconds(600))
        .build();
  }

  private List<String> trail() {
    return audit.stream()
        .map(
            r ->
                r.getAction()
                    + ":"
                    + r.getOutcome()
                    + (r.getReason() == null ? "" : ":" + r.getReason()))
        .toList();
  }

  @Test
  void aVerdictReadLateWaitsTheSettleFromItsReadingThenSeesItsHold() {
    clock.set(T0.plusSeconds(20)); // read 20 s after detection: past detectedAt + settle
    FaultVerdict v = open();
    remediation.noteLatest(v);
    remediation.onVerdict(v);
    assertThat(trail())
        .as("cordoned at once, the drain waits for correlation")
        .containsExactly("CORDON:PLANNED", "CORDON:STARTED", "CORDON:SUCCEEDED");

    // the hold written after the verdict is read next
    remediation.noteLatest(
        FaultVerdict.newBuilder(v)
            .setState(VerdictState.UPDATED)
            .setHeld(true)
            .setIncidentId("inc-1")
            .setUpdatedAt(T0.plusSeconds(7))
            .build());
    clock.set(T0.plusSeconds(20).plus(SETTLE));
    remediation.onVerdict(v);
    assertThat(trail()).last().isEqualTo("DRAIN:SKIPPED:INCIDENT_HOLD");
    assertThat(trail()).doesNotContain("DRAIN:STARTED");
  }

  @Test
  void aVerdictReadOnTimeIsNotDelayedFurther() {
    FaultVerdict v = open();
    remediation.noteLatest(v);
    remediation.onVerdict(v);
    clock.set(T0.plus(SETTLE));
    remediation.onVerdict(v);
    assertThat(trail()).contains("DRAIN:STARTED");
  }

  @Test
  void aSettledDrainWaitsUntilTheVersionsPublishedMeanwhileWereRead() {
    FaultVerdict v = open();
    var readThrough = new java.util.concurrent.atomic.AtomicBoolean(false);
    remediation.readBarrier(x -> readThrough.get());
    remediation.noteLatest(v);
    remediation.onVerdict(v);
    clock.set(T0.plus(SETTLE)); // settled, but the consumer is behind the hold written meanwhile
    remediation.onVerdict(v);
    assertThat(trail())
        .as("no drain before the partition was read through")
        .containsExactly("CORDON:PLANNED", "CORDON:STARTED", "CORDON:SUCCEEDED");

    assertThat(meters.counter(RemediationMetrics.READ_BARRIER_WAITS).count()).isEqualTo(1);

    remediation.noteLatest(
        FaultVerdict.newBuilder(v)
            .setState(VerdictState.UPDATED)
            .setHeld(true)
            .setIncidentId("inc-2")
            .setUpdatedAt(T0.plusSeconds(7))
            .build());
    readThrough.set(true);
    clock.set(T0.plus(SETTLE).plus(Remediation.READ_BARRIER_RECHECK));
    remediation.onVerdict(v);
    assertThat(trail()).last().isEqualTo("DRAIN:SKIPPED:INCIDENT_HOLD");
  }

  @Test
  void aSettledDrainIsHeldByAnIncidentReadBeforeTheEnginePublishedTheHeldVersion() {
    FaultVerdict v = open();
    remediation.noteLatest(v);
    remediation.onVerdict(v);
    // The engine correlated the storm (the barrier passed) and its incident was read, but the
    // verdict's held version is not out yet: the drain must not race it.
    remediation
        .incidents()
        .apply(
            FleetIncident.newBuilder()
                .setIncidentId("inc-3")
                .setScope("nodegroup:p5-train")
                .setIncidentClass(IncidentClass.COMMON_CAUSE)
                .setSignature(Signatures.of(v))
                .setNodes(List.of("p5-train-1", "p5-train-2", "p5-train-3"))
                .setState(IncidentState.OPEN)
                .setDetectedAt(T0)
                .setUpdatedAt(T0)
                .setSummary("3 nodes of nodegroup p5-train")
                .build());
    clock.set(T0.plus(SETTLE));
    remediation.onVerdict(v);
    assertThat(trail()).last().isEqualTo("DRAIN:SKIPPED:INCIDENT_HOLD");
    assertThat(audit.get(audit.size() - 1).getDetail()).contains("inc-3");
  }
}
