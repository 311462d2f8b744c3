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
 * The escalation ladder end to end ({@code ladder.yaml} through {@code gpuward demo}: engine,
 * remediator, simulated cluster): a broken GPU is reset (not verified in time), rebooted (verified
 * when the verdict clears), and when the fault comes back the node is replaced as a repeat
 * offender. No other node is touched.
 */
class LadderDemoIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path out;

  @Test
  void shouldClimbFromResetToRebootToReplace() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code =
          Main.run(
              "demo",
              "--scenario",
              Path.of("src/main/resources/gpuward/scenarios/ladder.yaml").toString(),
              "--speed",
              "8",
              "--out",
              out.toString());
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();

    List<JsonNode> audit =
        Files.readAllLines(out.resolve("audit.jsonl")).stream()
            .filter(l -> !l.isBlank())
            .map(LadderDemoIT::parse)
            .toList();
    List<String> steps =
        audit.stream()
            .filter(a -> a.get("node").asText().equals("p5-train-2"))
            .map(a -> a.get("action").asText() + ":" + a.get("outcome").asText())
            .toList();
    assertThat(steps)
        .containsSubsequence(
            "RESET_GPU:SUCCEEDED",
            "RESET_GPU:FAILED_PERMANENT",
            "REBOOT:SUCCEEDED",
            "REBOOT:VERIFIED",
            "REPLACE:SUCCEEDED",
            "REPLACE:VERIFIED");
    assertThat(audit)
        .filteredOn(a -> a.get("action").asText().equals("RESET_GPU"))
        .filteredOn(a -> a.get("outcome").asText().equals("FAILED_PERMANENT"))
        .allSatisfy(a -> assertThat(a.get("detail").asText()).contains("not verified within"));
    assertThat(audit)
        .filteredOn(a -> a.get("action").asText().equals("REPLACE"))
        .filteredOn(a -> a.get("outcome").asText().equals("PLANNED"))
        .allSatisfy(a -> assertThat(a.get("detail").asText()).contains("repeat offender"));
    // Each disruptive action happened once, on the broken node only.
    for (String action : List.of("RESET_GPU", "REPLACE")) {
      assertThat(audit)
          .filteredOn(a -> a.get("action").asText().equals(action))
          .filteredOn(a -> a.get("outcome").asText().equals("STARTED"))
          .hasSize(1);
    }
    assertThat(audit)
        .filteredOn(a -> a.get("outcome").asText().equals("STARTED"))
        .allSatisfy(a -> assertThat(a.get("node").asText()).isEqualTo("p5-train-2"));
    assertThat(text).contains("1 replacement(s)");
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
  }
}
