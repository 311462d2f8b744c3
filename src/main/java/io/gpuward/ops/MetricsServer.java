package io.gpuward.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a role's meters as Prometheus text on {@code GET /metrics} and its health on {@code GET
 * /healthz} (200 {@code ok}, or 503 with a one-line reason), over the JDK HTTP server. Every role
 * (streams, remediate, exporter, simulate, demo) uses one of these; {@link #registry(String)} makes
 * the registry with the JVM and process binders and a {@code role} tag.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

  /** Prometheus text exposition format 0.0.4 (what promtool and every scraper read). */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** The {@code --metrics-port} value that turns the endpoint off. */
  public static final int OFF = -1;

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry registry;
  private final HealthCheck health;
  private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

  private MetricsServer(
      HttpServer server,
      ExecutorService executor,
      PrometheusMeterRegistry registry,
      HealthCheck health) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
    this.health = health;
  }

  /**
   * A Prometheus registry for {@code role} with JVM, GC, thread, class, CPU and uptime meters;
   * meters registered without a description get theirs from {@code help}.
   */
  public static PrometheusMeterRegistry registry(String role, MeterHelp help) {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    r.config().commonTags("role", role).meterFilter(new ExpositionFilter(help));
    new ClassLoaderMetrics().bindTo(r);
    new JvmMemoryMetrics().bindTo(r);
    new JvmGcMetrics().bindTo(r); // holds GC listeners for the JVM's life; one per process
    new JvmThreadMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    new FileDescriptorMetrics().bindTo(r);
    return r;
  }

  /**
   * Starts serving on {@code host:port} ({@code port} 0 picks a free one, see {@link #port()}).
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static MetricsServer start(
      String host, int port, PrometheusMeterRegistry registry, HealthCheck health) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("metrics port must be 0..65535, was " + port);
    }
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve metrics on " + host + ":" + port + " (" + e.getMessage() + ")", e);
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "gpuward-metrics-http");
              t.setDaemon(true);
              return t;
            });
    MetricsServer s = new MetricsServer(http, executor, registry, health);
    http.createContext("/metrics", s::metrics);
    http.createContext("/healthz", s::healthz);
    http.setExecutor(executor);
    http.start();
    log.info("metrics on http://{}:{}/metrics, health on /healthz", host, s.port());
    return s;
  }

  /** Runs {@code hook} before each scrape (e.g. to refresh a multi-gauge). */
  public MetricsServer beforeScrape(Runnable hook) {
    beforeScrape.add(hook);
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The health as {@code /healthz} would answer now. */
  public Health health() {
    try {
      return health.check();
    } catch (RuntimeException e) {
      log.warn("health check failed", e);
      return Health.down("health check failed: " + e.getClass().getSimpleName());
    }
  }

  private void metrics(HttpExchange ex) throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        reply(ex, 405, "text/plain; charset=utf-8", "GET only\n");
        return;
      }
      for (Runnable hook : beforeScrape) {
        try {
          hook.run();
        } catch (RuntimeException e) {
          log.warn("metrics refresh failed", e);
        }
      }
      reply(ex, 200, CONTENT_TYPE, registry.scrape(CONTENT_TYPE));
    }
  }

  private void healthz(HttpExchange ex) throws IOException {
    try (ex) {
      Health h = health();
      if (h instanceof Health.Down d) {
        reply(ex, 503, "text/plain; charset=utf-8", d.reason() + "\n");
      } else {
        reply(ex, 200, "text/plain; charset=utf-8", "ok\n");
      }
    }
  }

  private static void reply(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
