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
 * Per-GPU drain end to end ({@code per-gpu.yaml} through {@code gpuward demo} with a policy that
 * drains GPU_XID_FATAL per GPU): an XID on one GPU of a g5.12xlarge evicts only that GPU's pod
 * before its reset; the reboot the ladder climbs to drains the rest of the node first.
 */
class PerGpuDrainIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE = "g5-pergpu-1";

  @TempDir Path out;

  @Test
  void shouldEvictOnlyTheBadGpusPodBeforeItsResetAndTheWholeNodeBeforeAReboot() throws Exception {
    Path policy = out.resolve("remediation.yaml");
    String shipped = Files.readString(Path.of("streams/remediation.yaml"));
    Files.writeString(
        policy, shipped.replace("perGpu:\n  classes: []", "perGpu:\n  classes: [GPU_XID_FATAL]"));
    String text = demo(policy);

    List<JsonNode> audit =
        Files.readAllLines(out.resolve("audit.jsonl")).stream()
            .filter(l -> !l.isBlank())
            .map(PerGpuDrainIT::parse)
            .toList();
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

  private String demo(Path policy) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code =
          Main.run(
              "demo",
              "--scenario",
              Path.of("src/test/resources/scenarios/per-gpu.yaml").toString(),
              "--policy",
              policy.toString(),
              "--speed",
              "8",
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
