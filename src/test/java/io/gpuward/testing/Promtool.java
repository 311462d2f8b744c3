package io.gpuward.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' {@code promtool}, when there is one: on the PATH, or in {@code .tools/prometheus}
 * where {@code .ci/run} unpacks Debian's package. Tests that use it fall back to {@link
 * PrometheusText} when it is missing.
 */
public final class Promtool {
  private Promtool() {}

  /** What promtool said. */
  public record Result(int exitCode, String output) {}

  public static Optional<Path> find() {
    Path local = Path.of(".tools/prometheus/usr/bin/promtool");
    if (Files.isExecutable(local)) {
      return Optional.of(local.toAbsolutePath());
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        Path p = Path.of(dir, "promtool");
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Runs {@code promtool args...} with {@code stdin} (may be null), waiting up to 60 s. */
  public static Result run(Path promtool, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(promtool.toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (stdin != null) {
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } else {
      p.getOutputStream().close();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool did not finish: " + cmd);
    }
    return new Result(p.exitValue(), out);
  }
}
