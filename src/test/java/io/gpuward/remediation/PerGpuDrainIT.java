package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-GPU drain end to end ({@code gpuward demo} with a policy that drains GPU_XID_FATAL and
 * GPU_MEMORY_DEGRADED per GPU). {@code per-gpu.yaml}: an XID on one GPU of a g5.12xlarge evicts
 * only that GPU's pod before its reset; the reboot the ladder climbs to drains the rest of the node
 * first. {@code per-gpu-schedulable.yaml}: a bad GPU the device plugin took out of allocatable on a
 * g5.48xlarge is drained and reset while the node stays schedulable and never cordoned. {@code
 * per-gpu-dra.yaml}: the same on a node whose GPUs are allocated through DRA, where a KEP-5055
 * DeviceTaintRule on the bad GPU's device, not the device plugin, keeps new pods off it.
 */
class PerGpuDrainIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE = "g5-pergpu-1";
  private static final String WIDE = "g5-wide-1";
  private static final String DRA = "g5-dra-1";

  @TempDir Path out;

  @Test
  void shouldEvictOnlyTheBadGpusPodBeforeItsResetAndTheWholeNodeBeforeAReboot() throws Exception {
    String text = demo("per-gpu.yaml", "8");

    List<JsonNode> audit = lines("audit.jsonl");
    List<JsonNode> drains =
        audit.stream()
            .filter(a -> a.get("node").asText().equals(NODE))
            .filter(a -> a.get("action").asText().equals("DRAIN"))
            .filter(a -> a.get("outcome").asText().equals("SUCCEEDED"))
            .toList();
    assertThat(drains).as(text).isNotEmpty();
    assertThat(drains.get(0).get("detail").asText())
        .matches("drained GPU 2: 1 pod\\(s\\) evicted \\(ml/g5-pergpu-worker-[^,]+\\);.*");
    List<String> steps =
        audit.stream()
            .filter(a -> a.get("node").asText().equals(NODE))
            .map(a -> a.get("action").asText() + ":" + a.get("outcome").asText())
            .toList();
    assertThat(steps)
        .as(text)
        .containsSubsequence("DRAIN:SUCCEEDED", "RESET_GPU:SUCCEEDED", "DRAIN:SUCCEEDED");
    assertThat(drains.get(1).get("detail").asText()).contains("whole-node drain");
    assertThat(audit)
        .filteredOn(a -> a.get("outcome").asText().equals("STARTED"))
        .allSatisfy(a -> assertThat(a.get("node").asText()).isEqualTo(NODE));
  }

  @Test
  void shouldRepairTheBadGpuOfAnEightGpuNodeWhileTheNodeStaysSchedulable() throws Exception {
    // 6, not 8 like the case above: the reset is verified by a full clean window after it, which
    // leaves about 20 s of RESET_GPU's 75 s verifyDeadline for lag, 2.5 s of wall time at 8x (one
    // run in three missed it at load average 17).
    String text = demo("per-gpu-schedulable.yaml", "6");

    List<JsonNode> audit =
        lines("audit.jsonl").stream().filter(a -> a.get("node").asText().equals(WIDE)).toList();
    List<String> steps =
        audit.stream()
            .map(a -> a.get("action").asText() + ":" + a.get("outcome").asText())
            .toList();
    assertThat(steps)
        .as(text)
        .containsSubsequence(
            "DRAIN:SUCCEEDED", "RESET_GPU:SUCCEEDED", "RESET_GPU:VERIFIED", "UNCORDON:SUCCEEDED")
        .noneMatch(s -> s.startsWith("CORDON:") || s.startsWith("REBOOT:"));
    String drained = succeeded(audit, "DRAIN");
    assertThat(drained)
        .as(text)
        .matches(
            "drained GPU 3: 1 pod\\(s\\) evicted \\((ml/g5-wide-worker-[^,)]+)\\);.*not cordoned:"
                + " allocatable nvidia.com/gpu 7 of 8: .*");
    // Said only when the node carried gpuward.io/health=degraded and no cordon when it was taken
    // off.
    assertThat(succeeded(audit, "UNCORDON")).contains("the node was never cordoned");

    List<JsonNode> world =
        lines("world-actions.jsonl").stream()
            .filter(a -> a.get("target").asText().equals(WIDE) || isEviction(a))
            .toList();
    assertThat(world)
        .as("the simulated node was never cordoned, by anyone")
        .noneMatch(a -> List.of("CORDON", "MANUAL_CORDON").contains(a.get("action").asText()));
    assertThat(world)
        .filteredOn(a -> a.get("action").asText().equals("UNCORDON"))
        .extracting(a -> a.get("detail").asText())
        .containsExactly("degraded mark removed");
    List<String> evicted =
        world.stream()
            .filter(PerGpuDrainIT::isEviction)
            .filter(a -> a.get("outcome").asText().equals("ACCEPTED"))
            .map(a -> a.get("target").asText())
            .toList();
    assertThat(evicted)
        .as("only the bad GPU's pod was evicted: the other seven kept running")
        .hasSize(1)
        .allSatisfy(pod -> assertThat(drained).contains("(" + pod + ")"));
  }

  @Test
  void shouldTaintOnlyTheBadGpusDeviceOfADraNodeInsteadOfCordoningIt() throws Exception {
    String text = demo("per-gpu-dra.yaml", "6");

    List<JsonNode> audit =
        lines("audit.jsonl").stream().filter(a -> a.get("node").asText().equals(DRA)).toList();
    List<String> steps =
        audit.stream()
            .map(a -> a.get("action").asText() + ":" + a.get("outcome").asText())
            .toList();
    assertThat(steps)
        .as(text)
        .containsSubsequence(
            "DRAIN:SUCCEEDED", "RESET_GPU:SUCCEEDED", "RESET_GPU:VERIFIED", "UNCORDON:SUCCEEDED")
        .noneMatch(s -> s.startsWith("CORDON:") || s.startsWith("REBOOT:"));
    String drained = succeeded(audit, "DRAIN");
    assertThat(drained)
        .as(text)
        .matches(
            "drained GPU 3: 1 pod\\(s\\) evicted \\((ml/g5-dra-worker-[^,)]+)\\);.*; device taint"
                + " gpuward.io/unhealthy:NoSchedule on gpu.nvidia.com/g5-dra-1/gpu-3 \\(GPU 3\\):"
                + " not cordoned, node schedulable");
    assertThat(succeeded(audit, "UNCORDON"))
        .contains("the node was never cordoned")
        .contains("device taint removed (1 DeviceTaintRule(s))");

    List<JsonNode> world =
        lines("world-actions.jsonl").stream()
            .filter(a -> a.get("target").asText().equals(DRA) || isEviction(a, DRA))
            .toList();
    assertThat(world)
        .as("the simulated node was never cordoned, by anyone")
        .noneMatch(a -> List.of("CORDON", "MANUAL_CORDON").contains(a.get("action").asText()));
    List<JsonNode> taints =
        world.stream().filter(a -> a.get("action").asText().startsWith("DEVICE_")).toList();
    assertThat(taints)
        .as("exactly the bad GPU's device tainted, then the rule deleted after recovery")
        .extracting(
            a ->
                a.get("action").asText()
                    + " "
                    + a.get("outcome").asText()
                    + " "
                    + a.get("detail").asText())
        .containsExactly("DEVICE_TAINT ACCEPTED gpu-3 NoSchedule", "DEVICE_UNTAINT ACCEPTED gpu-3");
    assertThat(taints)
        .extracting(a -> a.get("operationId").asText())
        .allSatisfy(rule -> assertThat(rule).startsWith("gpuward-op-").endsWith("-gpu-3"));
    List<String> evicted =
        world.stream()
            .filter(a -> isEviction(a, DRA))
            .filter(a -> a.get("outcome").asText().equals("ACCEPTED"))
            .map(a -> a.get("target").asText())
            .toList();
    assertThat(evicted)
        .as("only the bad GPU's pod was evicted: the other seven kept running")
        .hasSize(1)
        .allSatisfy(pod -> assertThat(drained).contains("(" + pod + ")"));
  }

  private static boolean isEviction(JsonNode a) {
    return isEviction(a, WIDE);
  }

  private static boolean isEviction(JsonNode a, String node) {
    return a.get("action").asText().equals("EVICT")
        && a.get("detail").asText().equals("node " + node);
  }

  private static String succeeded(List<JsonNode> audit, String action) {
    return audit.stream()
        .filter(a -> a.get("action").asText().equals(action))
        .filter(a -> a.get("outcome").asText().equals("SUCCEEDED"))
        .map(a -> a.get("detail").asText())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + action + " SUCCEEDED in " + audit));
  }

  private List<JsonNode> lines(String file) throws IOException {
    return Files.readAllLines(out.resolve(file)).stream()
        .filter(l -> !l.isBlank())
        .map(PerGpuDrainIT::parse)
        .toList();
  }

  private String demo(String scenario, String speed) throws IOException {
    Path policy = out.resolve("remediation.yaml");
    String shipped = Files.readString(Path.of("streams/remediation.yaml"));
    Files.writeString(
        policy,
        shipped.replace(
            "perGpu:\n  classes: []", "perGpu:\n  classes: [GPU_XID_FATAL, GPU_MEMORY_DEGRADED]"));
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code =
          Main.run(
              "demo",
              "--scenario",
              Path.of("src/test/resources/scenarios", scenario).toString(),
              "--policy",
              policy.toString(),
              "--speed",
              speed,
              "--out",
              out.toString());
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    return text;
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
  }
}
