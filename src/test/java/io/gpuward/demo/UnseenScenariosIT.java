package io.gpuward.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpuward.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scenarios written the way an outside checker would write them, each run through {@code gpuward
 * demo --out DIR} (broker, registry, engine, remediator, simulated cluster in this JVM), then read
 * with {@link ScenarioInvariants} (ladder on hardware faults, ESCALATE only on configuration
 * faults, healthy nodes untouched, budgets and incident holds bounding storms) plus what each
 * scenario is about. The scenarios are in {@code src/test/resources/scenarios/}; {@code
 * storm-nodegroup} also ships as {@code src/main/resources/gpuward/scenarios/storm.yaml}.
 */
class UnseenScenariosIT {
  private static final String DIR = "src/test/resources/scenarios/";
  private static final String SPEED = "10";

  @TempDir Path out;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"storm-nodegroup", "zone-storm", "hardware-mix", "config-faults", "healthy-fleet"})
  void scenarioKeepsTheInvariants(String name) {
    keepsTheInvariants(name, out);
  }

  /** Runs scenario {@code name} through the demo into {@code out} and checks it. */
  static void keepsTheInvariants(String name, Path out) {
    Path file = Path.of(DIR + name + ".yaml");
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      List<String> args =
          new ArrayList<>(
              List.of(
                  "demo",
                  "--scenario",
                  file.toString(),
                  "--speed",
                  SPEED,
                  "--out",
                  out.toString()));
      args.addAll(ARGS.getOrDefault(name, List.of()));
      code = Main.run(args.toArray(String[]::new));
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).contains("Verdicts").contains("audit records:");

    ScenarioInvariants run = ScenarioInvariants.of(file, out);
    List<String> violations = run.violations();
    assertThat(violations).as(text).isEmpty();
    SPECIFIC.get(name).accept(new Check(run, text));
  }

  /**
   * A Bottlerocket node's GPU is reset through a Job and an AL2023 node's through SSM; each reset
   * is verified, then validated: the first passes and returns to service, the second fails and
   * stays cordoned while the ladder climbs.
   */
  private static void returnToService(Check c) {
    assertThat(c.audit("g5-br-0", "RESET_GPU", "STARTED"))
        .singleElement()
        .satisfies(a -> assertThat(a.get("detail").asText()).contains("via=job"));
    assertThat(c.audit("g5-al-0", "RESET_GPU", "STARTED"))
        .singleElement()
        .satisfies(a -> assertThat(a.get("detail").asText()).contains("via=ssm"));
    // The reset is verified, or (when the engine reads its clean window after the rung's
    // deadline on a loaded machine) the reboot is: either way a repair is validated before the
    // node returns.
    List<String> br = c.actions("g5-br-0");
    assertThat(br)
        .containsSubsequence("VALIDATE SUCCEEDED", "UNCORDON SUCCEEDED")
        .doesNotContain("VALIDATE FAILED_PERMANENT");
    assertThat(br.subList(0, br.indexOf("VALIDATE SUCCEEDED")))
        .as(br.toString())
        .containsAnyOf("RESET_GPU VERIFIED", "REBOOT VERIFIED");
    List<String> al = c.actions("g5-al-0");
    int failed = al.indexOf("VALIDATE FAILED_PERMANENT");
    assertThat(failed).as(al.toString()).isPositive();
    assertThat(al.subList(0, failed)).doesNotContain("UNCORDON STARTED");
    assertThat(al.subList(failed, al.size()))
        .as(al.toString())
        .containsAnyOf("REBOOT PLANNED", "REPLACE PLANNED");
    // The NotReady of gpuward's own reboot, joined with the XID before it, replaces nothing: a
    // replacement is only ever the memory fault's own ladder.
    Set<String> memory =
        c.verdicts("g5-al-0", "GPU_MEMORY_DEGRADED").stream()
            .map(v -> v.get("verdictId").asText())
            .collect(Collectors.toSet());
    assertThat(c.audit("g5-al-0", "REPLACE", "STARTED"))
        .allSatisfy(a -> assertThat(memory).contains(a.get("verdictId").asText()));
  }

  /** A finished run and its printed summary. */
  record Check(ScenarioInvariants run, String text) {
    List<JsonNode> audit(String node, String action, String outcome) {
      return run.auditOf(node).stream()
          .filter(a -> a.get("action").asText().equals(action))
          .filter(a -> a.get("outcome").asText().equals(outcome))
          .toList();
    }

    /** The node's audit records as "ACTION OUTCOME", in the order written. */
    List<String> actions(String node) {
      return run.auditOf(node).stream()
          .map(a -> a.get("action").asText() + " " + a.get("outcome").asText())
          .toList();
    }

    Set<String> classes(String node) {
      return run.latestVerdicts().values().stream()
          .filter(v -> v.get("node").asText().equals(node))
          .map(v -> v.get("faultClass").asText())
          .collect(Collectors.toSet());
    }

    List<JsonNode> verdicts(String node, String cls) {
      return run.latestVerdicts().values().stream()
          .filter(v -> v.get("node").asText().equals(node))
          .filter(v -> v.get("faultClass").asText().equals(cls))
          .toList();
    }

    long started(String action) {
      return run.audit().stream()
          .filter(a -> a.get("action").asText().equals(action))
          .filter(a -> a.get("outcome").asText().equals("STARTED"))
          .count();
    }

    /**
     * Open incidents: for each incident id and scope, its newest record, when that is not CLEARED.
     * The topic is keyed by scope, so the records of one scope are in order, but an incident that
     * moved to a wider scope (CLEARED on the old scope, UPDATED on the new) may be read in either
     * order across the two partitions: only per scope does "newest" mean anything.
     */
    Map<String, JsonNode> openIncidents() {
      Map<String, JsonNode> newest = new java.util.LinkedHashMap<>();
      for (JsonNode i : run.incidents()) {
        newest.put(i.get("incidentId").asText() + "@" + i.get("scope").asText(), i);
      }
      Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
      newest.values().stream()
          .filter(i -> !i.get("state").asText().equals("CLEARED"))
          .forEach(i -> out.put(i.get("incidentId").asText(), i));
      return out;
    }

    static List<String> nodes(JsonNode incident) {
      List<String> out = new ArrayList<>();
      incident.get("nodes").forEach(n -> out.add(n.asText()));
      return out;
    }

    /** Every member is held: cordoned at most, its drain SKIPPED INCIDENT_HOLD, nothing more. */
    void heldStorm(List<String> members, String scope) {
      Map<String, JsonNode> open = openIncidents();
      assertThat(open).as("one incident for the storm").hasSize(1);
      JsonNode incident = open.values().iterator().next();
      assertThat(incident.get("scope").asText()).isEqualTo(scope);
      assertThat(nodes(incident)).containsExactlyInAnyOrderElementsOf(members);
      for (String n : members) {
        assertThat(audit(n, "DRAIN", "SKIPPED"))
            .as(n)
            .isNotEmpty()
            .allSatisfy(a -> assertThat(a.get("reason").asText()).isEqualTo("INCIDENT_HOLD"));
        assertThat(run.auditOf(n))
            .filteredOn(a -> a.get("outcome").asText().equals("STARTED"))
            .allSatisfy(a -> assertThat(a.get("action").asText()).isEqualTo("CORDON"));
      }
      assertThat(text).contains("fleet incidents: 1 (").contains(scope);
    }
  }

  /**
   * Demo arguments a scenario needs beyond the common ones: a policy other than the shipped one.
   */
  private static final Map<String, List<String>> ARGS =
      Map.of(
          "return-to-service",
          List.of("--policy", "src/test/resources/policies/validate-hardware.yaml"));

  private static final Map<String, Consumer<Check>> SPECIFIC =
      Map.of(
          "return-to-service",
          UnseenScenariosIT::returnToService,
          "storm-nodegroup",
          c -> {
            List<String> members = c.run().nodesOf(0);
            assertThat(members).hasSize(5);
            c.heldStorm(members, "nodegroup:p4d-train");
            members.forEach(n -> assertThat(c.classes(n)).contains("GPU_LOST"));
          },
          "zone-storm",
          c -> {
            List<String> members = new ArrayList<>(c.run().nodesOf(0));
            members.addAll(c.run().nodesOf(1));
            assertThat(members).hasSize(5);
            c.heldStorm(members, "zone:us-east-2a");
          },
          "hardware-mix",
          c -> {
            assertThat(c.verdicts("p4de-train-1", "GPU_MEMORY_DEGRADED")).isNotEmpty();
            assertThat(c.verdicts("p5en-train-2", "GPU_MEMORY_DEGRADED"))
                .anySatisfy(
                    v -> assertThat(v.get("recommendedAction").asText()).isEqualTo("REPLACE"));
            // a single-GPU instance whose only GPU is gone: GPU_LOST, not just an allocatable drop
            assertThat(c.verdicts("g6e-infer-0", "GPU_LOST"))
                .singleElement()
                .satisfies(
                    v -> assertThat(v.get("recommendedAction").asText()).isEqualTo("REBOOT"));
            assertThat(c.verdicts("p4de-train-3", "NVLINK_DEGRADED")).isNotEmpty();
            assertThat(c.classes("g6-web-1")).contains("GPU_LOST", "NODE_NOT_READY_GPU");
            assertThat(c.classes("p5en-train-0")).contains("GPU_MEMORY_DEGRADED");
            assertThat(c.audit("g4dn-batch-2", "CORDON", "SUCCEEDED")).hasSize(1);
            assertThat(c.audit("g4dn-batch-2", "UNCORDON", "SUCCEEDED")).hasSize(1);
            assertThat(c.verdicts("p3-legacy-0", "GPU_ALLOCATABLE_MISMATCH")).isNotEmpty();
            assertThat(c.run().audit())
                .as("the ladder got to verify at least one fix")
                .anySatisfy(a -> assertThat(a.get("outcome").asText()).isEqualTo("VERIFIED"));
          },
          "config-faults",
          c -> {
            for (String group : List.of("c6i-etl", "g5-serve")) {
              String cls =
                  group.equals("c6i-etl") ? "IMAGE_INSTANCE_MISMATCH" : "DRIVER_ROOT_MISCONFIGURED";
              List<JsonNode> escalated =
                  c.run().audit().stream()
                      .filter(a -> a.get("nodegroup").asText().equals(group))
                      .filter(a -> a.get("action").asText().equals("ESCALATE"))
                      .filter(a -> a.get("outcome").asText().equals("SUCCEEDED"))
                      .toList();
              assertThat(escalated).as(group + " escalated once").hasSize(1);
              assertThat(escalated.get(0).get("detail").asText()).contains("fix:");
              assertThat(c.run().injected().keySet())
                  .filteredOn(n -> n.startsWith(group + "-"))
                  .allSatisfy(n -> assertThat(c.classes(n)).contains(cls));
            }
            // the device plugin gone is the operator's fault: escalated, never cordoned
            assertThat(c.classes("g6-batch-1"))
                .contains("GPU_OPERATOR_DEGRADED")
                .doesNotContain("GPU_ALLOCATABLE_MISMATCH");
            assertThat(c.classes("p4d-lab-0")).contains("GPU_OPERATOR_DEGRADED");
            // a node removed from the cluster is not "a Ready node whose exporter went silent"
            assertThat(c.classes("g6-batch-2")).doesNotContain("TELEMETRY_STALE");
            for (String a : List.of("CORDON", "DRAIN", "RESET_GPU", "REBOOT", "REPLACE")) {
              assertThat(c.started(a)).as(a).isZero();
            }
          },
          "world-faults",
          UnseenScenariosIT::worldFaults,
          "operands",
          UnseenScenariosIT::operands,
          "scheduled-retirement",
          UnseenScenariosIT::scheduledRetirement,
          "healthy-fleet",
          c -> {
            for (String a : List.of("CORDON", "DRAIN", "RESET_GPU", "REBOOT", "REPLACE")) {
              assertThat(c.started(a)).as(a).isZero();
            }
            assertThat(c.verdicts("g4dn-dev-1", "APP_XID"))
                .singleElement()
                .satisfies(v -> assertThat(v.get("recommendedAction").asText()).isEqualTo("NONE"));
            assertThat(c.verdicts("p3-old-0", "TELEMETRY_STALE")).hasSize(1);
            assertThat(c.audit("p3-old-0", "NOTIFY", "SUCCEEDED")).hasSize(1);
          });

  /**
   * An EC2 retirement scheduled ahead: the node is drained and replaced before the event's window
   * starts (NotBefore, the verdict evidence's window start), and nothing else is touched.
   */
  private static void scheduledRetirement(Check c) {
    String node = "p5-train-1";
    List<JsonNode> verdicts = c.verdicts(node, "SCHEDULED_MAINTENANCE");
    assertThat(verdicts)
        .singleElement()
        .satisfies(v -> assertThat(v.get("recommendedAction").asText()).isEqualTo("REPLACE"));
    JsonNode evidence = verdicts.get(0).get("evidence").get(0);
    long notBefore = evidence.get("windowStart").asLong();
    assertThat(evidence.get("signal").asText())
        .isEqualTo("ec2_scheduled_event:instance-retirement");
    assertThat(verdicts.get(0).get("validUntil").asLong()).isGreaterThan(notBefore);
    for (String step : List.of("DRAIN", "REPLACE")) {
      assertThat(c.audit(node, step, "SUCCEEDED"))
          .as(step + " before the window")
          .singleElement()
          .satisfies(a -> assertThat(a.get("at").asLong()).isLessThan(notBefore));
    }
    assertThat(c.started("REPLACE")).as("only the retiring node").isEqualTo(1);
    assertThat(c.started("DRAIN")).isEqualTo(1);
  }

  /**
   * Operands judged by their pods: the crash-looping device plugin is escalated naming its pod (and
   * the GPUs it took away are not a cordon); an opt-out and nodes without MPS raise nothing.
   */
  private static void operands(Check c) {
    assertThat(c.verdicts("g5-infer-0", "GPU_OPERATOR_DEGRADED"))
        .isNotEmpty()
        .allSatisfy(
            v -> {
              assertThat(v.get("recommendedAction").asText()).isEqualTo("ESCALATE");
              assertThat(v.get("summary").asText())
                  .contains("gpu-operator/nvidia-device-plugin-daemonset-")
                  .contains("CrashLoopBackOff (restarts ");
            });
    assertThat(c.audit("g5-infer-0", "ESCALATE", "SUCCEEDED")).hasSize(1);
    assertThat(c.classes("g5-infer-0")).doesNotContain("GPU_ALLOCATABLE_MISMATCH");
    assertThat(c.classes("g5-infer-1")).as("an opt-out is not a fault").isEmpty();
    assertThat(c.classes("g5-infer-2")).as("no MPS, no MPS daemon expected").isEmpty();
    for (String a : List.of("CORDON", "DRAIN", "RESET_GPU", "REBOOT", "REPLACE")) {
      assertThat(c.started(a)).as(a).isZero();
    }
  }

  /**
   * Faults gpuward sees only through the control plane, the cloud and the exporter's silence: a
   * scale-in leaves no verdict, a hung GPU node is rebooted and cleared, an instance that never
   * registered is escalated once with what SSM says of it.
   */
  private static void worldFaults(Check c) {
    List<String> scaledIn = c.run().nodesOf(0);
    assertThat(scaledIn).hasSize(3);
    scaledIn.forEach(n -> assertThat(c.classes(n)).as(n).isEmpty());

    assertThat(c.verdicts("p5-train-1", "NODE_NOT_READY_GPU"))
        .isNotEmpty()
        .allSatisfy(v -> assertThat(v.get("recommendedAction").asText()).isEqualTo("REBOOT"))
        .anySatisfy(v -> assertThat(v.get("state").asText()).isEqualTo("CLEARED"));
    assertThat(c.audit("p5-train-1", "REBOOT", "STARTED")).hasSize(1);

    for (String n : List.of("cache-warm-0", "g5-lab-0")) {
      assertThat(c.verdicts(n, "IMAGE_INSTANCE_MISMATCH")).as(n).isNotEmpty();
      assertThat(c.audit(n, "ESCALATE", "SUCCEEDED")).as(n).hasSize(1);
    }
    assertThat(c.verdicts("g5-lab-0", "IMAGE_INSTANCE_MISMATCH"))
        .allSatisfy(
            v ->
                assertThat(v.get("fixHint").asText())
                    .contains("Neither kubelet nor the SSM agent came up"));
  }
}
