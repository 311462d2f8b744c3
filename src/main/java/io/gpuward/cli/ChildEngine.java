package io.gpuward.cli;

import io.gpuward.config.GpuwardConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code gpuward streams} in a child JVM with this JVM's class path and maximum heap, configured
 * with every setting of {@code cfg}: the engine the bench kills with SIGKILL.
 */
final class ChildEngine {
  private ChildEngine() {}

  static ProcessBuilder command(GpuwardConfig cfg) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(javaHome() + "/bin/java"));
    cmd.add("-Xmx" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + "m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("streams");
    cmd.add("--no-rollup");
    cmd.add("--metrics-port=-1");
    Map<String, Object> values = new TreeMap<>(cfg.originals());
    values.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    return new ProcessBuilder(cmd);
  }

  private static String javaHome() {
    return System.getProperty("java.home");
  }
}
