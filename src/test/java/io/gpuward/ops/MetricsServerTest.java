package io.gpuward.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.testing.PrometheusText;
import io.gpuward.testing.Promtool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServePrometheusTextWithJvmMetersRoleTagAndOwnMeters() throws Exception {
    var registry = MetricsServer.registry("test", MeterHelp.NONE);
    registry.counter("gpuward.test.things", "kind", "a").increment(3);
    try (MetricsServer server =
        MetricsServer.start("127.0.0.1", 0, registry, HealthCheck.ALWAYS_UP)) {
      var r = get(server.port(), "/metrics");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsServer.CONTENT_TYPE);
      var samples = PrometheusText.parse(r.body());
      assertThat(samples).containsEntry("gpuward_test_things_total{kind=\"a\",role=\"test\"}", 3.0);
      assertThat(samples.keySet())
          .anyMatch(s -> s.startsWith("jvm_memory_used_bytes{"))
          .anyMatch(s -> s.startsWith("jvm_threads_live_threads{"))
          .anyMatch(s -> s.startsWith("process_uptime_seconds{"));
      var promtool = Promtool.find();
      if (promtool.isPresent()) {
        var check = Promtool.run(promtool.get(), r.body(), "check", "metrics");
        assertThat(check.exitCode()).as(check.output()).isZero();
      }
    }
  }

  @Test
  void shouldAnswerHealthz200WhenUpAnd503WithTheReasonWhenDown() throws Exception {
    AtomicReference<Health> health = new AtomicReference<>(Health.UP);
    try (MetricsServer server =
        MetricsServer.start(
            "127.0.0.1", 0, MetricsServer.registry("test", MeterHelp.NONE), health::get)) {
      var up = get(server.port(), "/healthz");
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body()).isEqualTo("ok\n");

      health.set(Health.down("engine state ERROR"));
      var down = get(server.port(), "/healthz");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).isEqualTo("engine state ERROR\n");
    }
  }

  @Test
  void shouldReportAThrowingCheckAsDown() throws Exception {
    HealthCheck broken =
        () -> {
          throw new IllegalStateException("boom");
        };
    try (MetricsServer server =
        MetricsServer.start(
            "127.0.0.1", 0, MetricsServer.registry("test", MeterHelp.NONE), broken)) {
      var r = get(server.port(), "/healthz");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("IllegalStateException");
    }
  }

  @Test
  void shouldRefuseOtherMethodsAndRunScrapeHooks() throws Exception {
    var registry = MetricsServer.registry("test", MeterHelp.NONE);
    var refreshed = new java.util.concurrent.atomic.AtomicInteger();
    try (MetricsServer server =
        MetricsServer.start("127.0.0.1", 0, registry, HealthCheck.ALWAYS_UP)
            .beforeScrape(refreshed::incrementAndGet)) {
      var post =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      get(server.port(), "/metrics");
      assertThat(refreshed.get()).isEqualTo(1);
    }
  }

  @Test
  void shouldRejectAnOutOfRangePortAndABusyOne() throws Exception {
    assertThatThrownBy(
            () ->
                MetricsServer.start(
                    "127.0.0.1", 70_000, MetricsServer.registry("t", MeterHelp.NONE), null))
        .isInstanceOf(IllegalArgumentException.class);
    try (MetricsServer first =
        MetricsServer.start(
            "127.0.0.1", 0, MetricsServer.registry("t", MeterHelp.NONE), HealthCheck.ALWAYS_UP)) {
      assertThatThrownBy(
              () ->
                  MetricsServer.start(
                      "127.0.0.1", first.port(), MetricsServer.registry("t", MeterHelp.NONE), null))
          .isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + first.port());
    }
  }
}
