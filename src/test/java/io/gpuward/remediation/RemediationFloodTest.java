package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A step is planned again only when something that can change its outcome changes, and an identical
 * SKIPPED record is never written twice in a row: counted over a PAUSE and RESUME, a budget release
 * and an hour's hold on the simulated cluster.
 */
class RemediationFloodTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final int HANDFUL = 3;

  private final List<RemediationRecord> audit = new CopyOnWriteArrayList<>();
  private final Queue<FaultVerdict> replans = new ConcurrentLinkedQueue<>();
  private ManualClock clock;
  private SimulatedCluster cluster;
  private Remediation remediation;

  @BeforeEach
  void setUp() {
    var types = InstanceTypeCatalog.load();
    clock = new ManualClock(T0);
    cluster =
        new SimulatedCluster(
            clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(100));
    DefaultFleet.populate(cluster, types, T0);
    var policy = RemediationPolicy.load();
    // One disruption at a time and one per hour in the node group; follow-ups as shipped.
    var strict =
        new RemediationPolicy(
            policy.version(),
            policy.steps(),
            policy.drainDeadline(),
            Map.of("nodegroup", new Budgets.Limits(1, 0, 1, 0)),
            policy.observeOnlyLag(),
            Duration.ZERO,
            policy.ladder(),
            policy.repeatOffender(),
            policy.reescalateAfter(),
            policy.followUps());
    remediation =
        new Remediation(
            new Planner(strict),
            cluster,
            cluster,
            audit::add,
            clock,
            false,
            new SimpleMeterRegistry());
    remediation.onReplan(replans::add);
    for (int i = 0; i < 8; i++) {
      remediation
          .fleet()
          .apply(
              NodeInventory.newBuilder()
                  .setNode("p5-train-" + i)
                  .setNodegroup("p5-train")
                  .setZone("us-east-1a")
                  .setUpdatedAt(T0)
                  .setLabels(Map.of())
                  .build());
    }
  }

  @AfterEach
  void tearDown() {
    remediation.close();
  }

  @Test
  void shouldNotRepeatAnIdenticalSkipThroughAResumeABudgetReleaseAndAnHoursHold() {
    FaultVerdict lost =
        verdict("p5-train-2", "v-lost", FaultClass.GPU_LOST, RemediationAction.REBOOT);
    FaultVerdict alloc =
        verdict(
            "p5-train-3", "v-alloc", FaultClass.GPU_ALLOCATABLE_MISMATCH, RemediationAction.CORDON);
    remediation.onVerdict(lost); // holds the group's one concurrent disruption and its hour's slot
    remediation.onControl(PlannerTest.command("global", ControlKind.PAUSE, null));
    remediation.onVerdict(alloc);
    runUntil(T0.plusSeconds(10));
    remediation.onControl(PlannerTest.command("global", ControlKind.RESUME, null)).stream()
        .forEach(replans::add);
    runUntil(T0.plus(Duration.ofMinutes(4)));
    remediation.onVerdict(cleared(lost)); // releases the concurrency; the hour still holds
    runUntil(T0.plus(Duration.ofMinutes(75)));

    assertThat(trail("v-alloc"))
        .contains(
            "CORDON:SKIPPED:PAUSED",
            "CORDON:SUCCEEDED",
            "DRAIN:SKIPPED:BUDGET",
            "DRAIN:SUCCEEDED",
            "REBOOT:SUCCEEDED");
    Map<String, Long> identical =
        audit.stream()
            .collect(
                Collectors.groupingBy(
                    r ->
                        r.getOperationId()
                            + " "
                            + r.getOutcome()
                            + " "
                            + r.getReason()
                            + " "
                            + r.getDetail(),
                    Collectors.counting()));
    assertThat(identical.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(HANDFUL));
    assertThat(audit)
        .filteredOn(r -> r.getReason() == SkipReason.BUDGET)
        .extracting(RemediationRecord::getDetail)
        .as("one record per reason: the concurrency denial, then the hour's")
        .hasSize(2);
  }

  /** Advances the clock a second at a time, planning again whatever the remediator hands back. */
  private void runUntil(Instant end) {
    while (clock.instant().isBefore(end)) {
      clock.advance(Duration.ofSeconds(1));
      remediation.wakeDeferred();
      for (FaultVerdict v = replans.poll(); v != null; v = replans.poll()) {
        remediation.onVerdict(v);
      }
    }
  }

  private List<String> trail(String verdictId) {
    Function<RemediationRecord, String> line =
        r ->
            r.getAction()
                + ":"
                + r.getOutcome()
                + (r.getReason() == null ? "" : ":" + r.getReason());
    return audit.stream().filter(r -> r.getVerdictId().equals(verdictId)).map(line).toList();
  }

  private static FaultVerdict verdict(
      String node, String id, FaultClass c, RemediationAction action) {
    return FaultVerdict.newBuilder(PlannerTest.verdict(c, action, VerdictState.OPEN))
        .setVerdictId(id)
        .setNode(node)
        .setInstanceId(null)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plus(Duration.ofHours(3)))
        .build();
  }

  private static FaultVerdict cleared(FaultVerdict v) {
    return FaultVerdict.newBuilder(v)
        .setState(VerdictState.CLEARED)
        .setClearReason("node rebooted")
        .build();
  }
}
