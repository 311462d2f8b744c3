package io.gpuward.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Type-checks every dashboard against {@code @grafana/schema} with TypeScript (see {@code
 * deploy/grafana/typecheck}): the dashboard model, each panel's options against its plugin's
 * options type, each query's shape. Runs where Node.js and npm are installed.
 */
class GrafanaTypeCheckIT {

  private static final Path TYPECHECK = Dashboards.GRAFANA.resolve("typecheck");

  @Test
  void dashboardsSatisfyTheGrafanaSchema() throws Exception {
    assumeTrue(available("npm", "--version"), "npm is not installed: type check skipped");
    Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
    assumeTrue(install.code == 0, "npm ci failed (registry unreachable?):\n" + install.output);

    Result check = run(List.of("npm", "run", "--silent", "check"), 300);

    assertThat(check.code).as("tsc output:\n%s", check.output).isZero();
    assertThat(check.output).contains("generated " + Dashboards.files().size() + " dashboard");
  }

  private record Result(int code, String output) {}

  private static Result run(List<String> command, int timeoutSeconds)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(TYPECHECK.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static boolean available(String... command) {
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
