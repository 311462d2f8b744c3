package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo, as a user runs it, in-process: its own broker, registry, engine, remediator and fleet.
 * The jsonl files must show the three classes on the right nodes, audit records for them, and a
 * verdict cleared after the remediator rebooted the node. The same run is then backtested from its
 * files ({@code gpuward backtest --from-dir}): one demo run serves both, the suite's slowest part.
 */
class DemoIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path out;

  private static int code;
  private static String text;

  @BeforeAll
  static void runDemo() throws IOException {
    // 140 s: the real drain (one pod at a time under the PDB, through the Eviction API) takes
    // about a minute of simulated time before the reboot. Not 150 s: p5-train-1's allocatable
    // verdict opens at +151 s, and a verdict written as the demo stops may reach its files after
    // the live remediator stopped (the backtests then act on it: ADDED). A shadow remediator with
    // a global budget of 1 runs beside the live one.
    Path shadowPolicy = globalOne(Files.createTempDirectory("demo-shadow"));
    Run r =
        run(
            "demo",
            "--duration",
            "140s",
            "--speed",
            "6",
            "--out",
            out.toString(),
            "--shadow-policy",
            shadowPolicy.toString());
    code = r.code();
    text = r.out();
  }

  private record Run(int code, String out) {}

  /** The shipped policy with a global budget of one node at a time, as version global-one. */
  private static Path globalOne(Path dir) throws IOException {
    Path tight = dir.resolve("tight.yaml");
    String shipped = Files.readString(Path.of("streams/remediation.yaml"));
    Files.writeString(
        tight,
        shipped
            .replaceFirst("(?m)^version: .*$", "version: global-one")
            .replace("global: {maxConcurrent: 20,", "global: {maxConcurrent: 1,"));
    return tight;
  }

  @Test
  void shouldPrintHowAShadowRemediatorWithAnotherPolicyWouldHaveDecided() throws Exception {
    assumeTrue(code == 0, "the demo run failed: " + text);
    assertThat(text).contains("Shadow diff").contains("shadow policy global-one against live");
    assertThat(text)
        .as("the shadow never had two nodes in disruption at once")
        .containsPattern("(?m)^  global +\\d+ +1 *$");
    List<JsonNode> shadowAudit = lines(out.resolve("shadow-audit.jsonl"));
    assertThat(shadowAudit)
        .isNotEmpty()
        .allSatisfy(
            a -> {
              assertThat(a.get("dryRun").asBoolean()).as("a shadow's records say dry run").isTrue();
              assertThat(a.get("policyVersion").asText()).isEqualTo("global-one");
            });
    assertThat(lines(out.resolve("audit.jsonl")))
        .as("the live audit holds none of the shadow's records")
        .noneSatisfy(a -> assertThat(a.get("policyVersion").asText()).isEqualTo("global-one"));
  }

  private static Run run(String... args) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      int c = Main.run(args);
      return new Run(c, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void shouldCloseTheLoopFromFaultToClearedVerdict() throws Exception {
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

  @Test
  void shouldShowNoDifferenceWhenBacktestingTheLivePolicy() throws Exception {
    assumeTrue(code == 0, "the demo run failed: " + text);
    Run r = backtest(Path.of("streams/remediation.yaml"));
    assertThat(r.code()).as(r.out()).isZero();
    JsonNode doc = JSON.readTree(r.out());
    assertThat(seenLive(doc.get("changes"))).as(r.out()).isEmpty();
    assertThat(doc.get("backtestAuditRecords").asInt()).isPositive();
  }

  @Test
  void shouldHoldBackTheSecondDisruptionWhenBacktestingATighterGlobalBudget(@TempDir Path dir)
      throws Exception {
    assumeTrue(code == 0, "the demo run failed: " + text);
    // p5-train-2's reboot and g5-infer-1's reset overlap live (global: 10 % of 13 nodes = 2).
    // The peaks are measured from the audit, span ends included: a span ending a moment before or
    // after another starts counts differently, so the live one is only asserted to be higher.
    Run r = backtest(globalOne(dir));
    assertThat(r.code()).as(r.out()).isZero();
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("candidatePolicy").asText()).isEqualTo("global-one");
    JsonNode global = peak(doc, "global");
    assertThat(global.get("backtest").asInt()).as(r.out()).isEqualTo(1);
    assertThat(global.get("live").asInt()).as(r.out()).isGreaterThan(1);
    // The later of the two (g5-infer-1) waits for budget: its drain starts later, or not at all.
    assertThat(doc.get("changes"))
        .as(r.out())
        .anySatisfy(
            c -> {
              assertThat(c.get("node").asText()).isEqualTo("g5-infer-1");
              assertThat(c.get("action").asText()).isEqualTo("DRAIN");
              assertThat(c.get("kind").asText()).isIn("MOVED", "REMOVED");
              if (c.get("kind").asText().equals("MOVED")) {
                assertThat(c.get("shiftMs").asLong()).isPositive();
              } else {
                assertThat(c.get("backtestOutcome").asText()).isEqualTo("SKIPPED BUDGET");
              }
            });
    assertThat(seenLive(doc.get("changes")))
        .as("nothing the live remediator did not do is carried out")
        .noneSatisfy(c -> assertThat(c.get("kind").asText()).isEqualTo("ADDED"));
  }

  /**
   * The changes on verdicts the live remediator answered at all. A verdict the engine writes as the
   * demo stops reaches the files after the live remediator stopped reading: nothing live can be
   * compared with what the replay does with it (an ADDED cordon).
   */
  private static List<JsonNode> seenLive(JsonNode changes) throws IOException {
    java.util.Set<String> answered = new java.util.HashSet<>();
    lines(out.resolve("audit.jsonl")).forEach(a -> answered.add(a.get("verdictId").asText()));
    List<JsonNode> seen = new java.util.ArrayList<>();
    changes.forEach(
        c -> {
          if (answered.contains(c.get("verdictId").asText())) {
            seen.add(c);
          }
        });
    return seen;
  }

  /**
   * The backtest's prediction against the same policy run on the same live traffic: the shadow
   * (global budget 1) beside the live remediator held back the node the replay holds back.
   */
  @Test
  void shouldHoldBackInTheShadowTheNodeTheBacktestHoldsBack(@TempDir Path dir) throws Exception {
    assumeTrue(code == 0, "the demo run failed: " + text);
    JsonNode doc = JSON.readTree(backtest(globalOne(dir)).out());
    List<JsonNode> shadowAudit = lines(out.resolve("shadow-audit.jsonl"));
    assertThat(shadowAudit)
        .as("the shadow waited for budget before g5-infer-1's drain, as the backtest did")
        .anySatisfy(
            a -> {
              assertThat(a.get("node").asText()).isEqualTo("g5-infer-1");
              assertThat(a.get("outcome").asText()).isEqualTo("SKIPPED");
              assertThat(a.get("reason").asText()).isEqualTo("BUDGET");
            });
    assertThat(doc.get("changes"))
        .anySatisfy(c -> assertThat(c.get("node").asText()).isEqualTo("g5-infer-1"));
  }

  private static Run backtest(Path policy) {
    // The live remediator's waits for the engine's progress (EngineProgressBarrier) are not in the
    // history, so live steps may start later than replayed ones by the engine's lag: seconds of
    // wall time, tens of simulated seconds at 10x on a loaded machine.
    return run(
        "backtest",
        "--policy",
        policy.toString(),
        "--from-dir",
        out.toString(),
        "--tolerance",
        "45s",
        "--json");
  }

  private static JsonNode peak(JsonNode doc, String scope) {
    for (JsonNode p : doc.get("budgetPeaks")) {
      if (p.get("scope").asText().equals(scope)) {
        return p;
      }
    }
    throw new AssertionError("no budget peak for " + scope + " in " + doc);
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
