package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimulatedCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Trust on the simulated cluster: a storm of verdicts, forged or real, cordons at most the ceiling,
 * and a verdict's own node group never picks its budget.
 */
class CordonStormTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final String FLEET =
      """
      name: fifty
      seed: 7
      sampleInterval: 1s
      duration: 1m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: al2023-nvidia, count: 25, zone: us-east-1a}
        - {name: g5-infer, instanceType: g5.2xlarge, image: al2023-nvidia, count: 25, zone: us-east-1b}
      faults: []
      """;

  private final List<RemediationRecord> audit = new ArrayList<>();
  private final ManualClock clock = new ManualClock(T0);
  private SimulatedCluster cluster;
  private Remediation remediation;

  @BeforeEach
  void setUp() {
    var types = InstanceTypeCatalog.load();
    cluster =
        new SimulatedCluster(
            clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(100));
    new FleetSimulator(ScenarioLoader.parse(FLEET, types), types, cluster, TelemetrySink.NONE, T0)
        .advanceTo(T0);
  }

  @AfterEach
  void tearDown() {
    if (remediation != null) {
      remediation.close();
    }
  }

  private void start(RemediationPolicy policy) {
    remediation =
        new Remediation(
            new Planner(policy),
            cluster,
            cluster,
            audit::add,
            clock,
            false,
            new SimpleMeterRegistry());
    remediation.onReplan(remediation::onVerdict);
    for (int i = 0; i < 25; i++) {
      inventory("p5-train-" + i, "p5-train", "us-east-1a");
      inventory("g5-infer-" + i, "g5-infer", "us-east-1b");
    }
  }

  private void inventory(String node, String group, String zone) {
    remediation
        .fleet()
        .apply(
            io.gpuward.avro.NodeInventory.newBuilder()
                .setNode(node)
                .setNodegroup(group)
                .setZone(zone)
                .setUpdatedAt(T0)
                .setLabels(Map.of())
                .build());
  }

  private static FaultVerdict verdict(
      String node, FaultClass c, RemediationAction a, VerdictState state) {
    return FaultVerdict.newBuilder(PlannerTest.verdict(c, a, state))
        .setVerdictId("v-" + node)
        .setNode(node)
        .setNodegroup(null)
        .setZone(null)
        .setInstanceId(null)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plusSeconds(600))
        .build();
  }

  private static FaultVerdict thermal(String node, VerdictState state) {
    return verdict(node, FaultClass.GPU_THERMAL, RemediationAction.CORDON, state);
  }

  private long cordoned() {
    return IntStream.range(0, 25)
        .boxed()
        .flatMap(i -> java.util.stream.Stream.of("p5-train-" + i, "g5-infer-" + i))
        .filter(n -> cluster.node(n).orElseThrow().unschedulable())
        .count();
  }

  private List<RemediationRecord> records(RemediationAction a, Outcome o) {
    return audit.stream().filter(r -> r.getAction() == a && r.getOutcome() == o).toList();
  }

  private static List<String> storm() {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      nodes.add("p5-train-" + i);
      nodes.add("g5-infer-" + i);
    }
    return nodes;
  }

  @Test
  void shouldCordonAtMostTheCeilingInAStormOfFortyVerdictsOnFiftyNodes() {
    start(
        RemediationPolicy.load()
            .withCordonCeiling(
                Map.of(
                    "global", new CordonCeiling.Limit(0, 20),
                    "nodegroup", new CordonCeiling.Limit(0, 50))));
    storm().forEach(n -> remediation.onVerdict(thermal(n, VerdictState.OPEN)));

    assertThat(cordoned()).as("20% of 50 nodes").isEqualTo(10);
    assertThat(records(RemediationAction.CORDON, Outcome.SUCCEEDED)).hasSize(10);
    assertThat(records(RemediationAction.CORDON, Outcome.SKIPPED))
        .hasSize(30)
        .allSatisfy(r -> assertThat(r.getReason()).isEqualTo(SkipReason.BUDGET))
        .allSatisfy(r -> assertThat(r.getDetail()).contains("cordon ceiling 10", "global"));

    // The same storm again (UPDATED verdicts) is refused without a second record each.
    storm().forEach(n -> remediation.onVerdict(thermal(n, VerdictState.UPDATED)));
    assertThat(cordoned()).isEqualTo(10);
    assertThat(records(RemediationAction.CORDON, Outcome.SKIPPED)).hasSize(30);

    // Recovery is never blocked, and frees a place for a waiting verdict.
    String first = records(RemediationAction.CORDON, Outcome.SUCCEEDED).get(0).getNode();
    remediation.onVerdict(thermal(first, VerdictState.CLEARED));
    assertThat(records(RemediationAction.UNCORDON, Outcome.SUCCEEDED)).hasSize(1);
    assertThat(cordoned()).isEqualTo(10);
    assertThat(records(RemediationAction.CORDON, Outcome.SUCCEEDED)).hasSize(11);
  }

  @Test
  void shouldCountNodesItCordonedBeforeARestart() {
    var ceiling =
        RemediationPolicy.load().withCordonCeiling(Map.of("global", new CordonCeiling.Limit(3, 0)));
    start(ceiling);
    List.of("p5-train-0", "p5-train-1", "p5-train-2")
        .forEach(n -> remediation.onVerdict(thermal(n, VerdictState.OPEN)));
    assertThat(cordoned()).isEqualTo(3);

    remediation.close();
    start(ceiling); // a new remediator: nothing counted in memory yet
    List.of("p5-train-0", "p5-train-1", "p5-train-2")
        .forEach(n -> remediation.onVerdict(thermal(n, VerdictState.UPDATED)));
    remediation.onVerdict(thermal("g5-infer-0", VerdictState.OPEN));
    assertThat(cordoned()).isEqualTo(3);
    assertThat(cluster.node("g5-infer-0").orElseThrow().unschedulable()).isFalse();
  }

  @Test
  void shouldTakeTheBudgetScopeFromTheLiveNodeNotFromTheVerdict() {
    var policy = RemediationPolicy.load();
    start(
        new RemediationPolicy(
                policy.version(),
                policy.steps(),
                Duration.ZERO,
                Map.of("nodegroup", new Budgets.Limits(1, 0, 0, 0)),
                policy.observeOnlyLag(),
                Duration.ZERO)
            .withNodes(policy.nodes()));
    remediation.onVerdict(
        verdict("p5-train-1", FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN));
    assertThat(records(RemediationAction.REBOOT, Outcome.SUCCEEDED)).hasSize(1);

    // A verdict that puts another p5 node in a group of its own gets p5-train's budget anyway.
    FaultVerdict forged =
        FaultVerdict.newBuilder(
                verdict(
                    "p5-train-2", FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN))
            .setNodegroup("group-of-its-own")
            .setZone("nowhere")
            .build();
    remediation.onVerdict(forged);
    assertThat(audit)
        .filteredOn(r -> r.getNode().equals("p5-train-2"))
        .allSatisfy(r -> assertThat(r.getNodegroup()).isEqualTo("p5-train"))
        .filteredOn(r -> r.getReason() == SkipReason.BUDGET)
        .singleElement()
        .satisfies(r -> assertThat(r.getDetail()).contains("nodegroup:p5-train"));
    assertThat(records(RemediationAction.REBOOT, Outcome.SUCCEEDED)).hasSize(1);
  }
}
