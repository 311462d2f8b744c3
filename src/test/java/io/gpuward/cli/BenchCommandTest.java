package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code gpuward bench} usage errors: one line naming the flag, exit 2, nothing started. */
class BenchCommandTest {

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
  void shouldListBenchAndItsOptions() {
    assertThat(run("--help").out()).contains("bench");
    Result r = run("bench", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("Usage: gpuward bench")
        .contains("--gpus", "--ticks", "--faults", "--partitions", "--json", "--live-rate");
  }

  @Test
  void shouldRejectMoreFaultsThanNodes() {
    Result r = run("bench", "--gpus", "80", "--faults", "11");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--faults must be 1..10 (one per node), was 11");
    assertThat(r.err().lines()).hasSize(2);
  }

  @Test
  void shouldRejectOutOfRangeNumbers() {
    assertThat(run("bench", "--gpus", "4").err()).contains("--gpus must be 8..");
    assertThat(run("bench", "--ticks", "0").err()).contains("--ticks must be 1..");
    assertThat(run("bench", "--partitions", "0").err()).contains("--partitions must be 1..64");
    assertThat(run("bench", "--partitions", "6", "--instances", "7").err())
        .contains("--instances must be 1..6 (at most one per partition), was 7");
    assertThat(run("bench", "--fault-rate", "0").code()).isEqualTo(2);
    assertThat(run("bench", "--live-rate", "-5").code()).isEqualTo(2);
  }

  @Test
  void shouldOfferTheFleetRunAndRejectItsOutOfRangeSizes() {
    assertThat(run("bench", "--help").out()).contains("--fleet", "--nodes", "--hours", "--speed");
    Result r = run("bench", "--fleet", "--nodes", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--nodes must be 1..1000");
    assertThat(run("bench", "--fleet", "--nodes", "1001").err())
        .contains("--nodes must be 1..1000");
    assertThat(run("bench", "--fleet", "--hours", "0.1").err()).contains("--hours must be");
    assertThat(run("bench", "--fleet", "--speed", "0").err()).contains("--speed must be > 0");
  }

  @Test
  void shouldRejectABadEngineSettingNamingTheKey() {
    Result r = run("bench", "-D", "engine.commit.interval.ms=fast");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("engine.commit.interval.ms").doesNotContain("Exception");
  }

  @Test
  void shouldRejectANonNumber() {
    Result r = run("bench", "--gpus", "many");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--gpus").contains("gpuward bench --help");
  }

  @Test
  void shouldRejectBadCurveSizesWithOneClearLine() {
    Result r = run("bench", "--curve", "--sizes", "10000,lots");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("--sizes: 'lots' is not a GPU count (e.g. 10000,100000,1000000)")
        .doesNotContain("Exception");
    assertThat(run("bench", "--curve", "--sizes", "4").err())
        .contains("--sizes: each must be 8..10000000 GPUs, was 4");
    assertThat(run("bench", "--help").out()).contains("--curve", "--sizes");
  }
}
