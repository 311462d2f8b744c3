package io.gpuward.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The invariant checker on hand-written demo output: a correct run passes, and each kind of wrong
 * an SRE would catch in the audit trail is reported.
 */
class ScenarioInvariantsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_795_500_000_000L;
  private static final String SCENARIO =
      """
      name: tiny
      seed: 1
      duration: 5m
      nodegroups:
        - {name: a, instanceType: p5.48xlarge, image: al2023-nvidia, count: 4, zone: z1}
        - {name: cpu, instanceType: m5.large, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 1, zone: z1}
      faults:
        - {at: 5s, node: a-0, inject: xid, gpu: 0, xid: 79}
        - {at: 5s, node: a-1, inject: container-error, message: "libnvidia-ml.so.1: cannot open"}
        - {at: 9s, nodegroup: a, count: 1, inject: telemetry-silence, for: 10s}
      """;

  @TempDir Path dir;
  private Path scenario;
  private Path out;
  private final List<ObjectNode> verdicts = new ArrayList<>();
  private final List<ObjectNode> audit = new ArrayList<>();
  private final List<ObjectNode> incidents = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    scenario = dir.resolve("tiny.yaml");
    Files.writeString(scenario, SCENARIO);
    out = dir.resolve("out");
    Files.createDirectories(out);
  }

  private ObjectNode verdict(
      String id, String node, String cls, String action, String state, long at, boolean held) {
    ObjectNode v = JSON.createObjectNode();
    v.put("verdictId", id)
        .put("node", node)
        .put("nodegroup", node.replaceFirst("-\\d+$", ""))
        .put("faultClass", cls)
        .put("recommendedAction", action)
        .put("state", state)
        .put("ruleId", "rule." + cls)
        .put("summary", cls + " on " + node)
        .put("held", held)
        .put("detectedAt", at)
        .put("updatedAt", at);
    if (held) {
      v.put("incidentId", "inc-1");
    }
    verdicts.add(v);
    return v;
  }

  private void record(String verdict, String node, String action, String outcome, long at) {
    record(verdict, node, action, outcome, null, at);
  }

  private void record(
      String verdict, String node, String action, String outcome, String reason, long at) {
    ObjectNode a = JSON.createObjectNode();
    a.put("operationId", "op-" + verdict + "-" + action)
        .put("verdictId", verdict)
        .put("node", node)
        .put("nodegroup", node.replaceFirst("-\\d+$", ""))
        .put("action", action)
        .put("outcome", outcome)
        .put("reason", reason)
        .put("at", at)
        .put("detail", action.equals("ESCALATE") ? "x | fix: y" : "");
    audit.add(a);
  }

  private void steps(String verdict, String node, long at, String... actions) {
    long t = at;
    for (String action : actions) {
      record(verdict, node, action, "PLANNED", t++);
      record(verdict, node, action, "STARTED", t++);
      record(verdict, node, action, "SUCCEEDED", t++);
    }
  }

  /** A run that does everything right. */
  private void goodRun() {
    verdict("v-lost", "a-0", "GPU_LOST", "REBOOT", "OPEN", T0 + 5_000, false);
    steps("v-lost", "a-0", T0 + 6_000, "CORDON", "DRAIN", "REBOOT");
    record("v-lost", "a-0", "REBOOT", "VERIFIED", T0 + 60_000);
    verdict("v-lost", "a-0", "GPU_LOST", "REBOOT", "CLEARED", T0 + 60_000, false);
    steps("v-lost", "a-0", T0 + 61_000, "UNCORDON");
    verdict("v-drv", "a-1", "DRIVER_ROOT_MISCONFIGURED", "ESCALATE", "OPEN", T0 + 6_000, false);
    steps("v-drv", "a-1", T0 + 7_000, "ESCALATE");
    verdict("v-img", "cpu-0", "IMAGE_INSTANCE_MISMATCH", "ESCALATE", "OPEN", T0, false);
    steps("v-img", "cpu-0", T0 + 1_000, "ESCALATE");
  }

  private List<String> violations() throws IOException {
    write("verdicts.jsonl", verdicts);
    write("audit.jsonl", audit);
    write("incidents.jsonl", incidents);
    return ScenarioInvariants.of(scenario, out).violations();
  }

  private void write(String name, List<ObjectNode> records) throws IOException {
    List<String> lines = new ArrayList<>();
    for (ObjectNode r : records) {
      lines.add(JSON.writeValueAsString(r));
    }
    Files.write(out.resolve(name), lines);
  }

  @Test
  void classifiesTheScenarioNodes() throws IOException {
    goodRun();
    violations();
    ScenarioInvariants run = ScenarioInvariants.of(scenario, out);
    assertThat(run.kinds("a-0")).containsExactly(ScenarioInvariants.Kind.HARDWARE);
    assertThat(run.kinds("a-1")).contains(ScenarioInvariants.Kind.CONFIGURATION);
    assertThat(run.kinds("cpu-0")).containsExactly(ScenarioInvariants.Kind.CONFIGURATION);
    assertThat(run.nodesOf(2)).hasSize(1).allSatisfy(n -> assertThat(n).startsWith("a-"));
    long healthy = run.injected().values().stream().filter(List::isEmpty).count();
    assertThat(healthy)
        .as("a-0..a-3 and cpu-0, minus a-0, a-1, cpu-0 and the silenced node")
        .isBetween(1L, 2L);
  }

  @Test
  void aCorrectRunHasNoViolation() throws IOException {
    goodRun();
    assertThat(violations()).isEmpty();
  }

  @Test
  void aHealthyNodeCordonedIsAViolation() throws IOException {
    goodRun();
    violations();
    var injected = ScenarioInvariants.of(scenario, out).injected();
    String healthy =
        injected.keySet().stream()
            .filter(n -> n.startsWith("a-") && injected.get(n).isEmpty())
            .findFirst()
            .orElseThrow();
    steps("v-x", healthy, T0 + 10_000, "CORDON");
    assertThat(violations()).anySatisfy(v -> assertThat(v).contains("CORDON on a healthy node"));
  }

  @Test
  void aConfigurationFaultThatRebootsIsAViolation() throws IOException {
    goodRun();
    steps("v-drv", "a-1", T0 + 20_000, "CORDON", "DRAIN", "REBOOT");
    assertThat(violations())
        .anySatisfy(v -> assertThat(v).contains("configuration fault").contains("REBOOT"))
        .anySatisfy(v -> assertThat(v).contains("configuration verdict"));
  }

  @Test
  void aRebootWithoutADrainIsAViolation() throws IOException {
    verdict("v-lost", "a-0", "GPU_LOST", "REBOOT", "OPEN", T0 + 5_000, false);
    steps("v-lost", "a-0", T0 + 6_000, "CORDON", "REBOOT");
    assertThat(violations())
        .anySatisfy(v -> assertThat(v).contains("before the node was cordoned and drained"));
  }

  @Test
  void climbingWithoutTheLowerRungFailingIsAViolation() throws IOException {
    verdict("v-lost", "a-0", "GPU_XID_FATAL", "RESET_GPU", "OPEN", T0 + 5_000, false);
    steps("v-lost", "a-0", T0 + 6_000, "CORDON", "DRAIN", "RESET_GPU", "REBOOT");
    assertThat(violations())
        .anySatisfy(v -> assertThat(v).contains("climbed to REBOOT without RESET_GPU failing"));

    audit.clear();
    verdicts.clear();
    verdict("v-lost", "a-0", "GPU_XID_FATAL", "RESET_GPU", "OPEN", T0 + 5_000, false);
    steps("v-lost", "a-0", T0 + 6_000, "CORDON", "DRAIN", "RESET_GPU");
    record("v-lost", "a-0", "RESET_GPU", "FAILED_PERMANENT", T0 + 50_000);
    steps("v-lost", "a-0", T0 + 50_001, "REBOOT");
    assertThat(violations()).filteredOn(v -> v.contains("v-lost")).isEmpty();
  }

  @Test
  void aHardwareFaultWithoutVerdictOrAuditIsAViolation() throws IOException {
    verdict("v-img", "cpu-0", "IMAGE_INSTANCE_MISMATCH", "ESCALATE", "OPEN", T0, false);
    steps("v-img", "cpu-0", T0 + 1_000, "ESCALATE");
    verdict("v-drv", "a-1", "DRIVER_ROOT_MISCONFIGURED", "ESCALATE", "OPEN", T0 + 6_000, false);
    record("v-drv", "a-1", "ESCALATE", "SKIPPED", "SUPERSEDED", T0 + 7_000);
    assertThat(violations()).anySatisfy(v -> assertThat(v).contains("on a-0 got no verdict"));

    verdict("v-lost", "a-0", "GPU_LOST", "REBOOT", "OPEN", T0 + 5_000, false);
    verdict("v-late", "a-2", "TELEMETRY_STALE", "NOTIFY", "OPEN", T0 + 120_000, false);
    assertThat(violations())
        .anySatisfy(v -> assertThat(v).contains("v-lost").contains("no audit record"));
  }

  @Test
  void moreConcurrentDisruptionsThanTheBudgetIsAViolation() throws IOException {
    // node group a has 4 nodes: 25% => 1 at a time
    verdict("v1", "a-0", "GPU_LOST", "REBOOT", "OPEN", T0, false);
    verdict("v2", "a-1", "GPU_LOST", "REBOOT", "OPEN", T0, false);
    steps("v1", "a-0", T0 + 1_000, "CORDON", "DRAIN", "REBOOT");
    steps("v2", "a-1", T0 + 1_500, "CORDON", "DRAIN", "REBOOT");
    record("v1", "a-0", "REBOOT", "VERIFIED", T0 + 60_000);
    record("v2", "a-1", "REBOOT", "VERIFIED", T0 + 61_000);
    assertThat(violations())
        .anySatisfy(
            v ->
                assertThat(v)
                    .contains("nodegroup:a: 2 nodes in disruptive remediation at once, budget 1"));
  }

  @Test
  void aDisruptionWhileHeldIsAViolation() throws IOException {
    verdict("v1", "a-0", "GPU_LOST", "REBOOT", "OPEN", T0, false);
    verdict("v1", "a-0", "GPU_LOST", "REBOOT", "UPDATED", T0 + 5_000, true);
    steps("v1", "a-0", T0 + 1_000, "CORDON");
    steps("v1", "a-0", T0 + 20_000, "DRAIN");
    assertThat(violations())
        .anySatisfy(
            v -> assertThat(v).contains("DRAIN STARTED while the verdict is held under inc-1"));
  }

  @Test
  void checkListsEveryViolation() throws IOException {
    verdict("v1", "a-0", "GPU_LOST", "REBOOT", "OPEN", T0, false);
    steps("v1", "a-0", T0 + 1_000, "CORDON", "REBOOT");
    write("verdicts.jsonl", verdicts);
    write("audit.jsonl", audit);
    write("incidents.jsonl", incidents);
    assertThatThrownBy(() -> ScenarioInvariants.of(scenario, out).check())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("scenario tiny")
        .hasMessageContaining("invariant violation");
  }
}
