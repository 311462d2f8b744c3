package io.gpuward.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.cli.Main;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.exporter.FakeDcgmExporter;
import io.gpuward.exporter.Fixtures;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.PrometheusText;
import io.gpuward.testing.Promtool;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs streams, remediate, exporter and simulate as the CLI does (one JVM, the shared broker, an
 * in-memory registry), waits for each {@code /healthz} to answer 200, then checks each {@code
 * /metrics} with {@code promtool check metrics} (or the strict text reader when promtool is
 * missing) and for the role's own and Kafka client meters.
 */
class RoleMetricsIT {

  @TempDir Path dir;

  /** One role running on a thread of its own; interrupted to stop. */
  record Role(String name, int port, Thread thread, AtomicInteger exit) {}

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Role start(String name, String... args) throws Exception {
    int port = freePort();
    List<String> all = new ArrayList<>(List.of(name));
    all.addAll(List.of(args));
    all.addAll(List.of("--metrics-port", Integer.toString(port)));
    AtomicInteger exit = new AtomicInteger(-100);
    Thread t = new Thread(() -> exit.set(Main.run(all.toArray(String[]::new))), "it-" + name);
    t.setDaemon(true);
    t.start();
    return new Role(name, port, t, exit);
  }

  @Test
  void everyRoleServesHealthAndLintCleanMetrics() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = TestNames.unique("metrics") + ".";
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startInMemory();
        FakeDcgmExporter dcgm = new FakeDcgmExporter(Fixtures.text("dcgm/h100-8gpu-pods.prom"))) {
      String[] common = {"-b", bootstrap, "-r", registry.url(), "--topic-prefix", prefix};
      Map<String, Role> roles = new LinkedHashMap<>();
      roles.put(
          "streams",
          start(
              "streams",
              concat(
                  common,
                  "--state-dir",
                  dir.resolve("streams").toString(),
                  "--application-id",
                  prefix + "engine")));
      roles.put(
          "remediate",
          start(
              "remediate",
              concat(common, "--actuator", "simulated", "-D", "remediation.group.id=" + prefix)));
      roles.put("simulate", start("simulate", concat(common, "--duration", "10m")));
      roles.put(
          "exporter",
          start(
              "exporter",
              concat(
                  common,
                  "--node",
                  "n1",
                  "--dcgm-url",
                  dcgm.url().toString(),
                  "--kmsg",
                  "none",
                  "--interval",
                  "200ms",
                  "--duration",
                  "5m")));
      try {
        Map<String, String> expected =
            Map.of(
                "streams", "kafka_stream_",
                "remediate", "gpuward_remediation_observe_only{",
                "simulate", "kafka_producer_",
                "exporter", "gpuward_exporter_scrapes_total{");
        for (Role role : roles.values()) {
          Eventually.await(
              Duration.ofSeconds(90),
              () -> {
                assertThat(role.exit().get()).as(role.name() + " exited").isEqualTo(-100);
                HttpResponse<String> h;
                try {
                  h = MetricsServerTest.get(role.port(), "/healthz");
                } catch (java.io.IOException e) {
                  throw new AssertionError(role.name() + " not serving yet: " + e, e);
                }
                assertThat(h.statusCode()).as(role.name() + ": " + h.body()).isEqualTo(200);
              });
          String text = MetricsServerTest.get(role.port(), "/metrics").body();
          Path dump = Path.of("target", "role-metrics", role.name() + ".prom");
          java.nio.file.Files.createDirectories(dump.getParent());
          java.nio.file.Files.writeString(dump, text); // for a look after the run
          Map<String, Double> samples = PrometheusText.parse(text);
          assertThat(samples.keySet())
              .as(role.name())
              .anyMatch(s -> s.startsWith(expected.get(role.name())))
              .anyMatch(s -> s.startsWith("jvm_memory_used_bytes{"))
              .allMatch(s -> s.contains("role=\"" + role.name() + "\""));
          if (!role.name().equals("streams")) {
            assertThat(samples.keySet())
                .as(role.name() + " Kafka client meters")
                .anyMatch(s -> s.startsWith("kafka_producer_") || s.startsWith("kafka_consumer_"));
          }
          switch (role.name()) {
            case "remediate" -> {
              assertThat(samples)
                  .containsEntry("gpuward_remediation_observe_only{role=\"remediate\"}", 0.0)
                  .containsEntry(
                      "gpuward_remediation_budget_in_use{role=\"remediate\",scope=\"global\"}",
                      0.0);
              assertThat(samples.keySet())
                  .anyMatch(s -> s.startsWith("kafka_consumer_fetch_manager_records_lag"));
            }
            case "exporter" ->
                assertThat(samples.get("gpuward_exporter_scrapes_total{role=\"exporter\"}"))
                    .isPositive();
            default -> {}
          }
          var promtool = Promtool.find();
          if (promtool.isPresent()) {
            var check = Promtool.run(promtool.get(), text, "check", "metrics");
            assertThat(check.exitCode()).as(role.name() + ": " + check.output()).isZero();
          }
        }
      } finally {
        for (Role role : roles.values()) {
          role.thread().interrupt();
        }
        for (Role role : roles.values()) {
          role.thread().join(30_000);
        }
      }
    }
  }

  private static String[] concat(String[] a, String... b) {
    List<String> out = new ArrayList<>(List.of(a));
    out.addAll(List.of(b));
    return out.toArray(String[]::new);
  }
}
