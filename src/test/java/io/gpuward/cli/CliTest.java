package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input at the command line: one clear line, a non-zero exit, never a stack trace. */
class CliTest {
  @TempDir Path dir;

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
  void shouldListEveryRoleInTheTopLevelHelp() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("demo", "simulate", "streams", "remediate");
  }

  @Test
  void shouldGiveHelpForEachRole() {
    for (String role :
        new String[] {"demo", "simulate", "streams", "remediate", "exporter", "watch", "inspect"}) {
      Result r = run(role, "--help");
      assertThat(r.code()).as(role).isZero();
      assertThat(r.out()).as(role).contains("Usage: gpuward " + role);
    }
  }

  @Test
  void shouldRejectAnUnknownFlagWithOneLineAndAHint() {
    Result r = run("demo", "--sped", "3");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("Unknown option")
        .contains("'--sped'")
        .contains("gpuward demo --help");
    assertThat(r.err()).doesNotContain("at io.gpuward").doesNotContain("Exception");
  }

  @Test
  void shouldRejectABadDurationNamingTheFlag() {
    Result r = run("demo", "--duration", "ninety");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--duration").contains("'ninety' is not a duration");
  }

  @Test
  void shouldRejectANonPositiveSpeed() {
    Result r = run("demo", "--speed", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--speed must be > 0");
  }

  @Test
  void shouldReportAMissingScenarioFileInOneLine() {
    Result r = run("demo", "--scenario", dir.resolve("nope.yaml").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("nope.yaml");
  }

  @Test
  void shouldReportAMalformedScenarioNamingTheKey() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        "name: bad\nseed: 1\nduration: 1m\nnodegroups:\n"
            + "  - {name: g, instanceType: g5.xlarge, image: al2023-nvidia, count: 1, zone: z}\n"
            + "faults:\n  - {at: 20x, node: g-0, inject: xid, gpu: 0, xid: 79}\n");
    Result r = run("simulate", "--scenario", bad.toString(), "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("faults[0].at").contains("20x");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void shouldRejectADemoScenarioStartThatRunsPastTheWallClockNamingTheKey() throws Exception {
    Path future = dir.resolve("future.yaml");
    Files.writeString(
        future,
        "name: future\nstart: 2999-01-01T00:00:00Z\nduration: 1m\nnodegroups:\n"
            + "  - {name: g, instanceType: g5.xlarge, image: al2023-nvidia, count: 1, zone: z}\n");
    Result r = run("demo", "--scenario", future.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("gpuward demo: start: 2999-01-01T00:00:00Z runs past the wall");
    assertThat(r.err().strip().lines()).hasSize(2); // the error, and the --help hint
  }

  @Test
  void shouldRejectADemoScenarioStartOlderThanSevenDays() throws Exception {
    Path old = dir.resolve("old.yaml");
    Files.writeString(
        old,
        "name: old\nstart: 2020-01-01T00:00:00Z\nduration: 1m\nnodegroups:\n"
            + "  - {name: g, instanceType: g5.xlarge, image: al2023-nvidia, count: 1, zone: z}\n");
    Result r = run("demo", "--scenario", old.toString(), "--speed", "20");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("start: 2020-01-01T00:00:00Z is too old");
  }

  @Test
  void shouldReportAnUnreachableBrokerInOneLine() {
    Result r = run("streams", "--bootstrap-servers", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cannot reach Kafka at 127.0.0.1:1");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void shouldAskForARegionBeforeUsingTheEksActuator() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_REGION") == null);
    Result r = run("remediate", "--actuator", "eks", "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--actuator eks needs --aws-region or AWS_REGION");
  }

  @Test
  void shouldRejectABadSettingNamingTheKey() {
    Result r = run("streams", "-D", "engine.threads=many", "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("engine.threads").contains("many");
  }

  @Test
  void shouldAskTheWatcherForItsClusterNameNamingTheKey() {
    Result r = run("watch", "--aws-region", "us-east-1", "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("watch.cluster.name is required");
  }

  @Test
  void shouldRejectABadWatchSettingNamingTheKey() {
    Result r =
        run("watch", "--cloud", "none", "-D", "watch.lease.name=Not_A_Name", "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("watch.lease.name").contains("Not_A_Name");
    Result grace = run("watch", "--cloud", "none", "-D", "watch.poll.interval.ms=5", "-b", "x:1");
    assertThat(grace.err()).contains("watch.poll.interval.ms");
  }
}
