package io.gpuward.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpuward.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three simulated hours at 200x through {@code gpuward demo}: far past the broker's one-hour limit
 * on future timestamps, so it only completes when the simulated timeline ends at or before the wall
 * clock. Every fault of the last hour gets its verdict, with the right class, and no output record
 * carries an event time after the wall clock.
 */
class LongScenarioIT {
  private static final Path SCENARIO = Path.of("src/test/resources/scenarios/long-fleet.yaml");

  /** The faults of the scenario's last hour: node and the class its verdict must have. */
  private static final Map<String, String> LAST_HOUR =
      Map.of(
          "p5-train-1", "GPU_LOST",
          "g5-infer-1", "GPU_XID_FATAL",
          "p5-train-2", "GPU_MEMORY_DEGRADED",
          "g5-infer-2", "GPU_THERMAL");

  @TempDir Path out;

  @Test
  void shouldGiveEveryFaultOfTheLastHourItsVerdictWithoutRunningAheadOfTheWallClock() {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code =
          Main.run(
              "demo", "--scenario", SCENARIO.toString(), "--speed", "200", "--out", out.toString());
    } finally {
      System.setOut(stdout);
    }
    Instant wallAtEnd = Instant.now();
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).contains("done: 3h simulated").doesNotContain("INCOMPLETE");
    assertThat(text).as("nothing refused by the engine").contains("dead letters: 0");
    assertThat(text).containsPattern("engine lag \\d+\\.\\d+s, remediator lag \\d+\\.\\d+s");

    Matcher from = Pattern.compile("simulated at 200x from (\\S+),").matcher(text);
    assertThat(from.find()).as(text).isTrue();
    Instant start = Instant.parse(from.group(1));
    assertThat(start.plus(Duration.ofHours(3)))
        .as("ends at or before the wall clock")
        .isBefore(wallAtEnd);

    ScenarioInvariants run = ScenarioInvariants.of(SCENARIO, out);
    List<JsonNode> verdicts = run.verdicts();
    LAST_HOUR.forEach(
        (node, cls) ->
            assertThat(verdicts)
                .as(node + " " + cls + "\n" + text)
                .anyMatch(
                    v ->
                        v.get("node").asText().equals(node)
                            && v.get("faultClass").asText().equals(cls)
                            && Instant.ofEpochMilli(v.get("detectedAt").asLong())
                                .isAfter(start.plus(Duration.ofHours(2)))));
    assertThat(run.violations()).as(text).isEmpty();

    for (JsonNode v : verdicts) {
      assertThat(Instant.ofEpochMilli(v.get("updatedAt").asLong())).isBefore(wallAtEnd);
    }
    for (JsonNode a : run.audit()) {
      assertThat(Instant.ofEpochMilli(a.get("at").asLong())).isBefore(wallAtEnd);
    }
  }
}
