package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The demo, as a user runs it, in-process: its own broker, registry, engine, remediator and fleet.
 * The jsonl files must show the three classes on the right nodes, audit records for them, and a
 * verdict cleared after the remediator rebooted the node.
 */
class DemoIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path out;

  @Test
  void shouldCloseTheLoopFromFaultToClearedVerdict() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      // 150 s: the real drain (one pod at a time under the PDB, through the Eviction API) takes
      // about a
      // minute of simulated time before the reboot
      code = Main.run("demo", "--duration", "150s", "--speed", "6", "--out", out.toString());
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).contains("Verdicts").contains("audit records");

    List<JsonNode> verdicts = lines(out.resolve("verdicts.jsonl"));
    List<JsonNode> audit = lines(out.resolve("audit.jsonl"));
    assertThat(out.resolve("incidents.jsonl")).exists();

    assertThat(opened(verdicts, "GPU_XID_FATAL")).isEqualTo("g5-infer-1");
    assertThat(opened(verdicts, "GPU_THERMAL")).isEqualTo("p5-train-5");
    assertThat(opened(verdicts, "IMAGE_INSTANCE_MISMATCH")).isEqualTo("cache-warm-0");
    assertThat(opened(verdicts, "GPU_LOST")).isEqualTo("p5-train-2");

    JsonNode lostOpen = find(verdicts, "GPU_LOST", "OPEN");
    JsonNode lostCleared = find(verdicts, "GPU_LOST", "CLEARED");
    assertThat(lostCleared.get("verdictId").asText()).isEqualTo(lostOpen.get("verdictId").asText());
    assertThat(lostCleared.get("clearReason").asText()).contains("rebooted");
    assertThat(lostOpen.get("detectedAt").isNumber()).as("timestamps are epoch millis").isTrue();

    String lostId = lostOpen.get("verdictId").asText();
    assertThat(audit.stream().filter(a -> a.get("verdictId").asText().equals(lostId)))
        .extracting(a -> a.get("action").asText() + ":" + a.get("outcome").asText())
        .contains("CORDON:SUCCEEDED", "DRAIN:SUCCEEDED", "REBOOT:SUCCEEDED", "REBOOT:VERIFIED");
    // The reboot clears every GPU verdict on the node; the last one to clear uncordons it.
    assertThat(audit)
        .anySatisfy(
            a -> {
              assertThat(a.get("node").asText()).isEqualTo("p5-train-2");
              assertThat(a.get("action").asText() + ":" + a.get("outcome").asText())
                  .isEqualTo("UNCORDON:SUCCEEDED");
            });
    assertThat(audit)
        .anySatisfy(
            a -> {
              assertThat(a.get("node").asText()).isEqualTo("cache-warm-0");
              assertThat(a.get("action").asText()).isEqualTo("ESCALATE");
              assertThat(a.get("detail").asText()).contains("non-NVIDIA image");
            });
    assertThat(audit).allSatisfy(a -> assertThat(a.get("policyVersion").asText()).isNotBlank());
    assertThat(audit).noneSatisfy(a -> assertThat(a.get("action").asText()).isEqualTo("REPLACE"));
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(DemoIT::parse).toList();
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
  }

  private static String opened(List<JsonNode> verdicts, String faultClass) {
    return find(verdicts, faultClass, "OPEN").get("node").asText();
  }

  private static JsonNode find(List<JsonNode> verdicts, String faultClass, String state) {
    return verdicts.stream()
        .filter(v -> v.get("faultClass").asText().equals(faultClass))
        .filter(v -> v.get("state").asText().equals(state))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + state + " " + faultClass + " in " + verdicts));
  }
}
