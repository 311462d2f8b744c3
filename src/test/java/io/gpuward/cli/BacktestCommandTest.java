package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gpuward backtest}'s bad input: one clear line each, before anything is replayed. */
class BacktestCommandTest {
  private static final String POLICY = "streams/remediation.yaml";

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void shouldRefuseAFolderThatIsNotThere(@TempDir Path dir) {
    Result r = run("backtest", "--policy", POLICY, "--from-dir", dir.resolve("none").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--from-dir").contains("is not a folder");
  }

  @Test
  void shouldRefuseATimeThatIsNeitherAnInstantNorADuration(@TempDir Path dir) {
    Result r = run("backtest", "--policy", POLICY, "--from-dir", dir.toString(), "--from", "soon");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--from: not an ISO-8601 instant");
  }

  @Test
  void shouldRefuseABadPolicyFileNamingIt(@TempDir Path dir) throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "steps: {}\n");
    Result r = run("backtest", "--policy", bad.toString(), "--from-dir", dir.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--policy " + bad).contains("version is required");
  }

  @Test
  void shouldRefuseAFileThatIsNotJsonLinesNamingTheLine(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("verdicts.jsonl"), "{}\n");
    Files.writeString(dir.resolve("audit.jsonl"), "");
    Result r = run("backtest", "--policy", POLICY, "--from-dir", dir.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("verdicts.jsonl line 1: not a FaultVerdict");
  }

  @Test
  void shouldSayWhenThePeriodHoldsNothingToReplay(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("verdicts.jsonl"), "");
    Files.writeString(dir.resolve("audit.jsonl"), "");
    Result r = run("backtest", "--policy", POLICY, "--from-dir", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no verdict in the period");
  }
}
