package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plan → apply → report against the simulated cluster: budgets, recovery, control. */
class RemediationTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private final List<RemediationRecord> audit = new ArrayList<>();
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
    // One disruptive remediation at a time per node group.
    remediation =
        remediation(
            policy(Map.of("nodegroup", new Budgets.Limits(1, 0, 0, 0)), java.time.Duration.ZERO));
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

  /** The built-in policy with other budgets and correlation settle, and no drain deadline. */
  private static RemediationPolicy policy(
      Map<String, Budgets.Limits> budgets, java.time.Duration settle) {
    var policy = RemediationPolicy.load();
    return new RemediationPolicy(
        policy.version(),
        policy.steps(),
        java.time.Duration.ZERO,
        budgets,
        policy.observeOnlyLag(),
        settle);
  }

  /**
   * A remediator acting on the simulated cluster under {@code policy}, auditing to {@code audit}.
   */
  private Remediation remediation(RemediationPolicy policy) {
    return new Remediation(
        new Planner(policy), cluster, cluster, audit::add, clock, false, new SimpleMeterRegistry());
  }

  private static FaultVerdict verdict(String node, String id, VerdictState state) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, state))
        .setVerdictId(id)
        .setNode(node)
        .setInstanceId(null)
        .setDetectedAt(T0)
        .setValidUntil(T0.plusSeconds(600))
        .build();
  }

  private List<String> trail(String verdictId) {
    return audit.stream()
        .filter(r -> r.getVerdictId().equals(verdictId))
        .map(
            r ->
                r.getAction()
                    + ":"
                    + r.getOutcome()
                    + (r.getReason() == null ? "" : ":" + r.getReason()))
        .toList();
  }

  @Test
  void shouldHoldASecondDisruptionInTheNodeGroupUntilTheFirstFinishes() {
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.OPEN));
    remediation.onVerdict(verdict("p5-train-3", "v-b", VerdictState.OPEN));
    assertThat(trail("v-a")).contains("REBOOT:SUCCEEDED");
    assertThat(trail("v-b"))
        .contains("CORDON:SUCCEEDED", "DRAIN:SKIPPED:BUDGET")
        .doesNotContain("REBOOT:SUCCEEDED");
    assertThat(audit)
        .filteredOn(r -> r.getReason() == SkipReason.BUDGET)
        .singleElement()
        .satisfies(r -> assertThat(r.getDetail()).contains("nodegroup:p5-train"));

    // The first node recovers: its budget is free again, and recovery itself needed none.
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.CLEARED));
    assertThat(trail("v-a")).contains("REBOOT:VERIFIED", "UNCORDON:SUCCEEDED");
    remediation.onVerdict(
        FaultVerdict.newBuilder(verdict("p5-train-3", "v-b", VerdictState.UPDATED)).build());
    assertThat(trail("v-b")).contains("DRAIN:SUCCEEDED", "REBOOT:SUCCEEDED");
  }

  @Test
  void shouldKeepTheBudgetOfANodeWhoseOtherVerdictClearsWhileItsRebootIsUnderWay() {
    // A GPU fallen off the bus and the node's NotReady: two verdicts, one disruption.
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.OPEN));
    remediation.onVerdict(verdict("p5-train-2", "v-n", VerdictState.OPEN));
    assertThat(trail("v-a")).contains("REBOOT:SUCCEEDED");
    // The NotReady clears first; the reboot for the fallen GPU is not verified yet.
    remediation.onVerdict(verdict("p5-train-2", "v-n", VerdictState.CLEARED));
    remediation.onVerdict(verdict("p5-train-3", "v-b", VerdictState.OPEN));
    assertThat(trail("v-b"))
        .as("the node group's one disruption is still p5-train-2's")
        .contains("DRAIN:SKIPPED:BUDGET")
        .doesNotContain("DRAIN:SUCCEEDED");
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.CLEARED));
    remediation.onVerdict(verdict("p5-train-3", "v-b", VerdictState.UPDATED));
    assertThat(trail("v-b")).contains("DRAIN:SUCCEEDED");
  }

  @Test
  void shouldPlanAStepDeniedByTheHourlyBudgetAgainWhenTheHourFreesASlot() {
    // One disruption may start per hour in the node group (no concurrency limit).
    var r =
        remediation(
            policy(Map.of("nodegroup", new Budgets.Limits(0, 0, 1, 0)), java.time.Duration.ZERO));
    List<FaultVerdict> replanned = new java.util.concurrent.CopyOnWriteArrayList<>();
    r.onReplan(replanned::add);
    try {
      r.onVerdict(longLived("p5-train-2", "v-a"));
      r.onVerdict(verdict("p5-train-2", "v-a", VerdictState.CLEARED)); // releases concurrency only
      clock.set(T0.plusSeconds(60));
      r.onVerdict(longLived("p5-train-3", "v-b"));
      assertThat(trail("v-b")).contains("DRAIN:SKIPPED:BUDGET").doesNotContain("DRAIN:SUCCEEDED");
      assertThat(audit)
          .filteredOn(x -> x.getReason() == SkipReason.BUDGET)
          .singleElement()
          .satisfies(x -> assertThat(x.getDetail()).contains("frees at " + T0.plusSeconds(3600)));

      // No other budget is ever released; only the hour rolling over lets v-b through.
      clock.set(T0.plusSeconds(3599));
      r.wakeDeferred();
      assertThat(replanned).isEmpty();
      clock.set(T0.plusSeconds(3600));
      r.wakeDeferred();
      io.gpuward.testing.Eventually.await(
          java.time.Duration.ofSeconds(10),
          () -> assertThat(replanned).extracting(FaultVerdict::getVerdictId).contains("v-b"));
      replanned.forEach(r::onVerdict);
      assertThat(trail("v-b")).contains("DRAIN:SUCCEEDED", "REBOOT:SUCCEEDED");
    } finally {
      r.close();
    }
  }

  private static FaultVerdict nvlink(String node, String id, VerdictState state) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(FaultClass.NVLINK_DEGRADED, RemediationAction.CORDON, state))
        .setGpus(List.of(GpuRef.newBuilder().setUuid("GPU-nv-3").setIndex(3).build()))
        .setVerdictId(id)
        .setNode(node)
        .setInstanceId(null)
        .setNodegroup("p5-train")
        .setZone("us-east-1a")
        .setDetectedAt(T0)
        .setValidUntil(T0.plusSeconds(1800))
        .build();
  }

  @Test
  void shouldResetTheGpuOfAnNvlinkFaultStillOpenTwoMinutesAfterItsCordonAndNotOneThatCleared() {
    RemediationPolicy shipped = RemediationPolicy.load();
    assertThat(shipped.followUps().get(FaultClass.NVLINK_DEGRADED))
        .isEqualTo(
            new RemediationPolicy.FollowUp(
                java.time.Duration.ofMinutes(2), RemediationAction.RESET_GPU));
    Remediation r = remediation(shipped);
    List<FaultVerdict> replanned = new java.util.concurrent.CopyOnWriteArrayList<>();
    r.onReplan(replanned::add);
    try {
      r.onVerdict(nvlink("p5-train-4", "v-open", VerdictState.OPEN));
      r.onVerdict(nvlink("p5-train-5", "v-gone", VerdictState.OPEN));
      assertThat(trail("v-open"))
          .containsExactly("CORDON:PLANNED", "CORDON:STARTED", "CORDON:SUCCEEDED");
      // The other one's links recover a minute later: uncordoned, and nothing follows.
      clock.set(T0.plusSeconds(60));
      r.onVerdict(nvlink("p5-train-5", "v-gone", VerdictState.CLEARED));
      assertThat(trail("v-gone")).contains("UNCORDON:SUCCEEDED");

      clock.set(T0.plusSeconds(119));
      r.wakeDeferred();
      assertThat(replanned).isEmpty();
      clock.set(T0.plusSeconds(120));
      r.wakeDeferred();
      io.gpuward.testing.Eventually.await(
          java.time.Duration.ofSeconds(10),
          () -> assertThat(replanned).extracting(FaultVerdict::getVerdictId).contains("v-open"));
      assertThat(replanned).extracting(FaultVerdict::getVerdictId).doesNotContain("v-gone");
      replanned.forEach(r::onVerdict);

      assertThat(trail("v-open"))
          // What the reset itself does is the actuator's (this verdict's GPU is not one the
          // simulated node has); the follow-up is that it is planned and started under budget.
          .containsSubsequence("CORDON:SUCCEEDED", "DRAIN:SUCCEEDED", "RESET_GPU:STARTED")
          .noneMatch(x -> x.contains("SKIPPED"));
      assertThat(audit)
          .filteredOn(x -> x.getVerdictId().equals("v-open"))
          .filteredOn(x -> x.getAction() == RemediationAction.DRAIN)
          .first()
          .satisfies(
              x ->
                  assertThat(x.getDetail())
                      .contains("NVLINK_DEGRADED still open 2m after the cordon: RESET_GPU"));
      assertThat(trail("v-gone"))
          .noneMatch(x -> x.startsWith("DRAIN") || x.startsWith("RESET_GPU"));
    } finally {
      r.close();
    }
  }

  private static FaultVerdict neverRegistered(String node) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(
                FaultClass.IMAGE_INSTANCE_MISMATCH, RemediationAction.ESCALATE, VerdictState.OPEN))
        .setVerdictId("v-" + node)
        .setNode(node)
        .setNodegroup("cache-warm")
        .setZone("us-east-1a")
        .setDetectedAt(T0)
        .setValidUntil(T0.plusSeconds(600))
        .build();
  }

  private void inventory(String node, String group) {
    remediation
        .fleet()
        .apply(
            NodeInventory.newBuilder()
                .setNode(node)
                .setNodegroup(group)
                .setZone("us-east-1a")
                .setUpdatedAt(T0)
                .setLabels(Map.of())
                .build());
  }

  @Test
  void shouldWaitForTheInventoryOfANodeWithoutANodeBeforeEscalatingItsGroupOnce() {
    remediation.onVerdict(neverRegistered("cache-warm-0"));
    remediation.onVerdict(neverRegistered("cache-warm-1"));
    assertThat(audit).as("no trusted placement yet: each would be a scope of its own").isEmpty();

    inventory("cache-warm-0", "cache-warm");
    inventory("cache-warm-1", "cache-warm");
    clock.set(T0.plusSeconds(1));
    remediation.onVerdict(neverRegistered("cache-warm-0"));
    remediation.onVerdict(neverRegistered("cache-warm-1"));
    assertThat(trail("v-cache-warm-0")).contains("ESCALATE:SUCCEEDED");
    assertThat(trail("v-cache-warm-1")).containsExactly("ESCALATE:SKIPPED:SUPERSEDED");
  }

  @Test
  void shouldEscalateANodeItCannotPlaceOnItsOwnOnceTheWaitIsOver() {
    remediation.onVerdict(neverRegistered("cache-warm-0"));
    assertThat(audit).isEmpty();
    clock.set(T0.plus(Remediation.PLACEMENT_WAIT));
    remediation.onVerdict(neverRegistered("cache-warm-0"));
    assertThat(trail("v-cache-warm-0")).contains("ESCALATE:SUCCEEDED");
  }

  private static RemediationRecord started(String node, String session, Instant at) {
    return RemediationRecord.newBuilder()
        .setOperationId(node + "/" + session + "/DRAIN/1")
        .setVerdictId(session)
        .setNode(node)
        .setAction(RemediationAction.DRAIN)
        .setOutcome(Outcome.STARTED)
        .setAttempt(1)
        .setPolicyVersion("test")
        .setAt(at)
        .setFaultClass(FaultClass.GPU_LOST)
        .setNodegroup("p5-train")
        .setDryRun(false)
        .setDetail("drain")
        .build();
  }

  @Test
  void shouldKeepTheHourAndTheHoldersOfBudgetAcrossARestart() {
    var restarted =
        remediation(
            policy(Map.of("nodegroup", new Budgets.Limits(1, 0, 2, 0)), java.time.Duration.ZERO));
    try {
      // Before the restart: a disruption 50 min ago (since cleared) and one still under way.
      restarted.ledger().record(started("p5-train-1", "v-old", T0.minusSeconds(3000)));
      restarted.ledger().record(started("p5-train-2", "v-a", T0.minusSeconds(60)));
      restarted.restoreOpen(longLived("p5-train-2", "v-a"));
      restarted.restoreBudgets();

      assertThat(restarted.budgets().inUse()).containsEntry("nodegroup:p5-train", 1);
      assertThat(restarted.budgets().startedInLastHour(T0)).containsEntry("nodegroup:p5-train", 2);
      restarted.onVerdict(longLived("p5-train-3", "v-b"));
      assertThat(trail("v-b")).contains("DRAIN:SKIPPED:BUDGET").doesNotContain("DRAIN:SUCCEEDED");
      assertThat(audit)
          .filteredOn(x -> x.getReason() == SkipReason.BUDGET)
          .singleElement()
          .satisfies(x -> assertThat(x.getDetail()).contains("already in disruptive remediation"));
    } finally {
      restarted.close();
    }
  }

  private static FaultVerdict longLived(String node, String id) {
    return FaultVerdict.newBuilder(verdict(node, id, VerdictState.OPEN))
        .setValidUntil(T0.plusSeconds(7200))
        .build();
  }

  @Test
  void shouldRecordKubernetesEventsOnTheSimulatedNodeLikeTheRealActuator() {
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.OPEN));
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.CLEARED));
    assertThat(cluster.events())
        .filteredOn(e -> e.node().equals("p5-train-2"))
        .extracting(io.gpuward.sim.ClusterEvent::reason)
        .containsExactly("GpuwardCordon", "GpuwardDrain", "GpuwardReboot", "GpuwardUncordon");
    assertThat(cluster.events())
        .allSatisfy(
            e -> {
              assertThat(e.type()).isEqualTo("Normal");
              assertThat(e.message()).contains("v-a").contains("GPU_LOST");
              assertThat(trail("v-a")).isNotEmpty();
            });
    // The same operation and outcome is one event, however often reported.
    var first = cluster.events().get(0);
    cluster.recordEvent("p5-train-2", RemediationAction.CORDON, true, first.operationId(), "again");
    cluster.recordEvent(
        "p5-train-2", RemediationAction.REBOOT, false, "op-x", "REBOOT failed: throttled");
    assertThat(cluster.events()).hasSize(5);
    assertThat(cluster.events().get(4))
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo("GpuwardRebootFailed");
              assertThat(e.type()).isEqualTo("Warning");
            });
  }

  @Test
  void shouldKeepWakingDeferredVerdictsWhenHandingOneOnFails() {
    var r = remediation(policy(Map.of(), java.time.Duration.ofSeconds(15)));
    List<String> replanned = new java.util.concurrent.CopyOnWriteArrayList<>();
    r.onReplan(
        v -> {
          if (v.getVerdictId().equals("v-x")) {
            throw new java.util.concurrent.RejectedExecutionException("lane closed");
          }
          replanned.add(v.getVerdictId());
        });
    try {
      r.onVerdict(verdict("p5-train-4", "v-x", VerdictState.OPEN));
      r.onVerdict(verdict("p5-train-5", "v-y", VerdictState.OPEN));
      clock.set(T0.plusSeconds(15));
      r.wakeDeferred(); // must not throw, whichever verdict comes first
      io.gpuward.testing.Eventually.await(
          java.time.Duration.ofSeconds(10), () -> assertThat(replanned).containsExactly("v-y"));
      // The timer is still alive: a verdict deferred later is woken by it alone.
      r.onVerdict(
          FaultVerdict.newBuilder(verdict("p5-train-6", "v-z", VerdictState.OPEN))
              .setDetectedAt(T0.plusSeconds(15))
              .build());
      assertThat(replanned).doesNotContain("v-z");
      clock.set(T0.plusSeconds(30));
      io.gpuward.testing.Eventually.await(
          java.time.Duration.ofSeconds(10), () -> assertThat(replanned).contains("v-z"));
    } finally {
      r.close();
    }
  }

  @Test
  void shouldAuditAPauseAndActOnOpenVerdictsAfterTheResume() {
    var pause = PlannerTest.command("global", ControlKind.PAUSE, null);
    assertThat(remediation.onControl(pause)).isEmpty();
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.OPEN));
    assertThat(trail("v-a")).containsExactly("CORDON:SKIPPED:PAUSED");
    assertThat(cluster.node("p5-train-2").orElseThrow().unschedulable()).isFalse();

    List<FaultVerdict> replan =
        remediation.onControl(PlannerTest.command("global", ControlKind.RESUME, null));
    assertThat(audit)
        .filteredOn(r -> r.getOperationId().startsWith("ctl-"))
        .extracting(RemediationRecord::getDetail)
        .anySatisfy(d -> assertThat(d).startsWith("PAUSE global by alice"))
        .anySatisfy(d -> assertThat(d).startsWith("RESUME global by alice"));
    assertThat(replan).extracting(FaultVerdict::getVerdictId).containsExactly("v-a");
    replan.forEach(remediation::onVerdict);
    assertThat(trail("v-a")).contains("CORDON:SUCCEEDED", "REBOOT:SUCCEEDED");
  }

  @Test
  void shouldAnnounceObserveOnlyOnceAndActAgainAfterwards() {
    remediation.observeOnly("consumer 2000 verdicts behind (limit 1000)");
    remediation.observeOnly("consumer 2100 verdicts behind (limit 1000)");
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.OPEN));
    remediation.observeOnly(null);
    assertThat(audit)
        .filteredOn(r -> r.getOperationId().startsWith("ctl-observe-only"))
        .extracting(RemediationRecord::getDetail)
        .hasSize(2)
        .first()
        .asString()
        .startsWith("observe-only: consumer 2000");
    assertThat(trail("v-a")).containsExactly("CORDON:SKIPPED:STALE");
    assertThat(audit).noneSatisfy(r -> assertThat(r.getOutcome()).isEqualTo(Outcome.STARTED));
  }

  @Test
  void shouldNotDisruptAVerdictThatCorrelationHeldWhileItSettled() {
    var r = remediation(policy(Map.of(), java.time.Duration.ofSeconds(15)));
    FaultVerdict open = verdict("p5-train-4", "v-s", VerdictState.OPEN);
    // The engine holds it (a storm) before the remediator's turn comes; time passes meanwhile.
    r.noteLatest(
        FaultVerdict.newBuilder(open)
            .setState(VerdictState.UPDATED)
            .setHeld(true)
            .setIncidentId("inc-9")
            .build());
    clock.set(T0.plusSeconds(16));
    r.onVerdict(open);
    assertThat(trail("v-s"))
        .containsExactly(
            "CORDON:PLANNED", "CORDON:STARTED", "CORDON:SUCCEEDED", "DRAIN:SKIPPED:INCIDENT_HOLD");
  }

  @Test
  void shouldMarkTheNodeWithWhatComesNextAndTakeTheMarkOffWithTheUncordon() {
    remediation.onVerdict(verdict("p5-train-3", "v-m", VerdictState.OPEN));
    assertThat(trail("v-m")).contains("REBOOT:SUCCEEDED");
    assertThat(cluster.node("p5-train-3").orElseThrow().labels())
        .containsEntry(HealthMark.LABEL, "pending-reboot");

    remediation.onVerdict(verdict("p5-train-3", "v-m", VerdictState.CLEARED));
    assertThat(trail("v-m")).contains("UNCORDON:SUCCEEDED");
    assertThat(cluster.node("p5-train-3").orElseThrow().labels())
        .doesNotContainKey(HealthMark.LABEL);
  }

  @Test
  void shouldKeepANodeCordonedWhileAnotherVerdictOnItIsOpen() {
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.OPEN));
    FaultVerdict other =
        FaultVerdict.newBuilder(verdict("p5-train-2", "v-t", VerdictState.OPEN))
            .setFaultClass(FaultClass.GPU_THERMAL)
            .setRecommendedAction(RemediationAction.CORDON)
            .build();
    remediation.onVerdict(other);
    remediation.onVerdict(verdict("p5-train-2", "v-a", VerdictState.CLEARED));
    assertThat(trail("v-a")).contains("UNCORDON:SKIPPED:SUPERSEDED");
    assertThat(cluster.node("p5-train-2").orElseThrow().unschedulable()).isTrue();
    remediation.onVerdict(FaultVerdict.newBuilder(other).setState(VerdictState.CLEARED).build());
    assertThat(trail("v-t")).contains("UNCORDON:SUCCEEDED");
    assertThat(cluster.node("p5-train-2").orElseThrow().unschedulable()).isFalse();
  }

  @Test
  void shouldEscalateAConfigurationScopeOnceWhenTwoLanesPlanItAtOnce() throws Exception {
    var started = new java.util.concurrent.CountDownLatch(1);
    var proceed = new java.util.concurrent.CountDownLatch(1);
    List<RemediationRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
    var lanes =
        new Remediation(
            new Planner(RemediationPolicy.load()),
            cluster,
            cluster,
            r -> {
              records.add(r);
              if (r.getAction() == RemediationAction.ESCALATE
                  && r.getOutcome() == Outcome.STARTED) {
                started.countDown();
                try {
                  proceed.await(10, java.util.concurrent.TimeUnit.SECONDS); // mid-escalation
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            },
            clock,
            false,
            new SimpleMeterRegistry());
    java.util.function.Function<String, FaultVerdict> driverRoot =
        node ->
            FaultVerdict.newBuilder(
                    PlannerTest.verdict(
                        FaultClass.DRIVER_ROOT_MISCONFIGURED,
                        RemediationAction.ESCALATE,
                        VerdictState.OPEN))
                .setVerdictId("v-" + node)
                .setNode(node)
                .setDetectedAt(T0)
                .setValidUntil(T0.plusSeconds(600))
                .build();
    Thread first = new Thread(() -> lanes.onVerdict(driverRoot.apply("p5-train-2")));
    first.start();
    assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    lanes.onVerdict(driverRoot.apply("p5-train-3")); // the other lane, same scope, same moment
    proceed.countDown();
    first.join(10_000);
    lanes.onVerdict(driverRoot.apply("p5-train-3")); // looked at again

    List<String> escalations;
    synchronized (records) {
      escalations =
          records.stream()
              .filter(r -> r.getAction() == RemediationAction.ESCALATE)
              .map(r -> r.getNode() + ":" + r.getOutcome() + ":" + r.getReason())
              .toList();
    }
    assertThat(escalations)
        .containsExactly(
            "p5-train-2:PLANNED:null",
            "p5-train-2:STARTED:null",
            "p5-train-2:SUCCEEDED:null",
            "p5-train-3:SKIPPED:SUPERSEDED");
    lanes.close();
  }
}
