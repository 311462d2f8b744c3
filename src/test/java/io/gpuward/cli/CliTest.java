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
    assertThat(r.out()).contains("demo", "simulate", "streams", "remediate", "ctl");
  }

  @Test
  void shouldGiveHelpForEachRole() {
    for (String role :
        new String[] {
          "demo", "simulate", "streams", "remediate", "exporter", "watch", "inspect", "ctl"
        }) {
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
  void shouldRefuseABadPolicyFileBeforeConnectingNamingTheKey() throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, "version: p-1\ndrainDeadline: soon\n");
    Result r = run("remediate", "--actuator", "simulated", "--policy", policy.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--policy " + policy).contains("drainDeadline");
    assertThat(r.err()).doesNotContain("cannot reach Kafka");

    Result missing = run("remediate", "--actuator", "simulated", "--policy", "/no/such.yaml");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file: /no/such.yaml");
  }

  @Test
  void shouldRejectABadSettingNamingTheKey() {
    Result r = run("streams", "-D", "engine.threads=many", "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("engine.threads").contains("many");
  }

  @Test
  void shouldReportABrokenScenarioYamlInOneLineWithFileLineAndColumn() throws Exception {
    Path bad = dir.resolve("broken.yaml");
    Files.writeString(
        bad,
        "name: broken\nduration: 1m\nnodegroups:\n"
            + "  - {name: g, instanceType: g5.xlarge, count: 1\n"
            + "faults: []\n");
    Result r = run("demo", "--scenario", bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).containsPattern("broken\\.yaml:\\d+:\\d+: not valid YAML: ");
  }

  @Test
  void shouldRefuseAZeroNegativeOrAbsurdDemoDuration() {
    for (String d : new String[] {"0s", "-5s", "30d", "99999999999999999999d"}) {
      Result r = run("demo", "--duration", d);
      assertThat(r.code()).as(d).isEqualTo(2);
      assertThat(r.err()).as(d).startsWith("gpuward demo: --duration: ");
    }
  }

  @Test
  void shouldRefuseAZeroSimulateDurationBeforeConnecting() {
    Result r = run("simulate", "--duration", "0s", "-b", "127.0.0.1:1");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("--duration: must be more than 0").doesNotContain("Kafka");
  }

  @Test
  void shouldRefuseServingFlagsWithoutServe() {
    Result r = run("simulate", "--publish", "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("need --serve").doesNotContain("Kafka");
  }

  @Test
  void shouldRefuseAServedPortOutOfRangeNamingTheFlag() {
    Result r = run("simulate", "--serve", "--aws-port", "70000");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--aws-port must be 0..65535, was 70000");
  }

  @Test
  void shouldRefuseAMetricsPortOutOfRangeAtParseTime() {
    for (String role : new String[] {"demo", "streams", "remediate", "simulate", "exporter"}) {
      Result r = run(role, "--metrics-port", "99999", "-b", "127.0.0.1:1");
      assertThat(r.code()).as(role).isEqualTo(2);
      assertThat(r.err()).as(role).contains("--metrics-port must be -1..65535, was 99999");
      assertThat(r.err()).as(role).doesNotContain("cannot reach Kafka");
    }
  }

  @Test
  void shouldRefuseADemoOutThatIsARegularFileBeforeTheRun() throws Exception {
    Path file = Files.writeString(dir.resolve("results"), "x");
    Result r = run("demo", "--out", file.toString(), "--duration", "10s");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("gpuward demo: --out: " + file + " is a file, not a folder");
    assertThat(r.out()).doesNotContain("kafka");
  }

  @Test
  void shouldRefuseAScenarioNodeCountPastTheBoundNamingTheKey() throws Exception {
    Path big = dir.resolve("big.yaml");
    Files.writeString(
        big,
        "name: big\nduration: 1m\nnodegroups:\n"
            + "  - {name: g, instanceType: g5.xlarge, image: al2023-nvidia, count: 100000,"
            + " zone: z}\n");
    Result r = run("demo", "--scenario", big.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("nodegroups[0].count: 100000 is not between 0 and 1000");
  }

  @Test
  void shouldListTheCtlCommandsWithTheirScopes() {
    Result r = run("ctl", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("pause", "resume", "veto", "approve", "verdict:<id>");
    Result pause = run("ctl", "pause", "--help");
    assertThat(pause.out()).contains("--expires", "--wait", "--operator", "--bootstrap-servers");
  }

  @Test
  void shouldRefuseACtlVetoOrApproveOfAScopeTheRemediatorWouldIgnore() {
    Result veto = run("ctl", "veto", "global", "-b", "127.0.0.1:1");
    assertThat(veto.code()).isEqualTo(2);
    assertThat(veto.err()).contains("veto applies to node:<name> or verdict:<id>, not global");
    Result approve = run("ctl", "approve", "nodegroup:g", "-b", "127.0.0.1:1");
    assertThat(approve.code()).isEqualTo(2);
    assertThat(approve.err()).contains("approve applies to verdict:<id>");
    Result neither = run("ctl", "approve", "-b", "127.0.0.1:1");
    assertThat(neither.code()).isEqualTo(2);
    assertThat(neither.err()).contains("approve needs either verdict:<id> or --incident ID");
  }

  @Test
  void shouldRefuseABadCtlScopeOrWaitBeforeConnecting() {
    Result scope = run("ctl", "pause", "rack:7", "-b", "127.0.0.1:1");
    assertThat(scope.code()).isEqualTo(2);
    assertThat(scope.err()).contains("scope 'rack:7' is not global, nodegroup:<name>");
    Result wait = run("ctl", "pause", "global", "--wait", "forever", "-b", "127.0.0.1:1");
    assertThat(wait.code()).isEqualTo(2);
    assertThat(wait.err()).contains("'forever' is not a duration");
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

  @Test
  void shouldRefuseARemediatorLeaseWithoutAKubernetesClientAndABadLeaseName() {
    Result simulated =
        run(
            "remediate",
            "--actuator",
            "simulated",
            "-D",
            "remediation.lease.name=gpuward-remediate",
            "-b",
            "127.0.0.1:1");
    assertThat(simulated.code()).isNotZero();
    assertThat(simulated.err()).contains("remediation.lease.name").contains("--actuator eks");
    Result bad = run("remediate", "-D", "remediation.lease.name=Not_A_Name", "-b", "127.0.0.1:1");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("remediation.lease.name").contains("Not_A_Name");
    Result shortLease =
        run(
            "remediate",
            "-D",
            "remediation.lease.name=r",
            "-D",
            "remediation.lease.duration.ms=5",
            "-b",
            "127.0.0.1:1");
    assertThat(shortLease.err()).contains("remediation.lease.duration.ms");
  }
}
