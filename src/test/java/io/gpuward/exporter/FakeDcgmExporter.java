package io.gpuward.exporter;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A local dcgm-exporter: serves a text at /metrics, or fails with 500, or hangs. */
public final class FakeDcgmExporter implements AutoCloseable {

  /** What /metrics does. */
  public enum Mode {
    SERVE,
    FAIL_500,
    HANG
  }

  private final HttpServer server;
  private final CountDownLatch stop = new CountDownLatch(1);
  public volatile String body;
  public volatile Mode mode = Mode.SERVE;
  public final AtomicInteger requests = new AtomicInteger();

  public FakeDcgmExporter(String body) {
    this.body = body;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/metrics",
        exchange -> {
          requests.incrementAndGet();
          try (exchange) {
            switch (mode) {
              case FAIL_500 -> exchange.sendResponseHeaders(500, -1);
              case HANG -> {
                try {
                  stop.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              default -> {
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
                exchange.sendResponseHeaders(200, b.length);
                try (OutputStream out = exchange.getResponseBody()) {
                  out.write(b);
                }
              }
            }
          }
        });
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
  }

  @Override
  public void close() {
    stop.countDown();
    server.stop(0);
  }
}
