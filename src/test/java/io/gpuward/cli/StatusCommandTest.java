package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The flags of status and explain that are refused before any broker is contacted. */
class StatusCommandTest {
  private record Result(int code, String err) {}

  private static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    return new Result(cl.execute(args), err.toString());
  }

  @Test
  void shouldRefuseAPeriodThatIsNotADurationAsAUsageError() {
    Result r = run("status", "--since", "yesterday", "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("gpuward status: --since: ");
  }

  @Test
  void shouldRefuseAWatchIntervalOfZero() {
    Result r = run("status", "--watch", "0s", "-b", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--watch: must be more than 0");
  }

  @Test
  void shouldAskExplainForItsTarget() {
    Result r = run("explain");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("NODE|VERDICT_ID");
  }
}
