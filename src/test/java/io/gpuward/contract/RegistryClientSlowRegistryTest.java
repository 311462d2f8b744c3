package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gpuward.testing.ProbeSchemas;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's lookups of schema ids not in its cache against a registry that answers slowly or not
 * at all: what bounds them is the time they take, so far fewer requests reach such a registry than
 * the count budget ({@link UnknownIds#LOOKUPS_PER_SECOND}) would allow.
 */
class RegistryClientSlowRegistryTest {

  private static final int KNOWN_ID = 1;
  private static final int GARBAGE_IDS = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicInteger garbageRequests = new AtomicInteger();
  private final CountDownLatch released = new CountDownLatch(1);
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private HttpServer server;

  @AfterEach
  void stop() {
    released.countDown();
    if (server != null) {
      server.stop(0);
    }
    handlers.shutdownNow();
  }

  @Test
  void shouldSendFewLookupsToARegistryThatAnswersNotFoundSlowly() throws IOException {
    RegistryClient client = client(registry(Duration.ofMillis(100), false), Duration.ofSeconds(10));
    assertThat(client.schemaById(KNOWN_ID)).isEqualTo(ProbeSchemas.V1);

    List<Integer> statuses = askGarbage(client);

    // 100 ms and more a lookup against a 250 ms burst at 5%: 2 or 3 lookups (2 measured), a few
    // more only if the loop itself stalled for seconds; the count budget alone allows 20.
    assertThat(garbageRequests.get()).isBetween(1, 5).isLessThan(UnknownIds.LOOKUPS_PER_SECOND);
    assertThat(statuses).startsWith(404).contains(429).containsOnly(404, 429);
    assertThat(statuses.stream().filter(s -> s == 404).count()).isEqualTo(garbageRequests.get());
    assertThat(client.schemaById(KNOWN_ID)).as("a cached id is never refused").isNotNull();
  }

  @Test
  void shouldChargeLookupsThatTimeOutAgainstARegistryThatHangs() throws IOException {
    RegistryClient client = client(registry(null, true), Duration.ofMillis(500));
    assertThat(client.schemaById(KNOWN_ID)).isEqualTo(ProbeSchemas.V1);

    List<Integer> statuses = askGarbage(client);

    // A timeout costs 500 ms, 10 s of wall time at 5%: one reaches the registry, the count
    // budget alone would have let 20 through.
    assertThat(garbageRequests.get()).isEqualTo(1);
    assertThat(statuses).startsWith(0).contains(429).containsOnly(0, 429);
    assertThat(client.schemaById(KNOWN_ID)).as("a cached id is never refused").isNotNull();
  }

  private List<Integer> askGarbage(RegistryClient client) {
    List<Integer> statuses = new ArrayList<>();
    for (int id = 100; id < 100 + GARBAGE_IDS; id++) {
      try {
        client.schemaById(id);
        statuses.add(200);
      } catch (SchemaRegistryException e) {
        statuses.add(e.httpStatus());
      }
    }
    return statuses;
  }

  private RegistryClient client(HttpServer started, Duration requestTimeout) {
    server = started;
    String url = "http://127.0.0.1:" + started.getAddress().getPort();
    // The JVM's first HTTP call loads the HTTP client (over 1 s on a loaded machine), which must
    // not count against the short request timeout of a test client.
    new RegistryClient(url).schemaById(KNOWN_ID);
    return new RegistryClient(url, Duration.ofSeconds(5), requestTimeout);
  }

  /**
   * A registry that knows only {@link #KNOWN_ID} and answers it at once; other ids get a 404 after
   * {@code delay}, or no answer until the test ends when {@code hang}.
   */
  private HttpServer registry(Duration delay, boolean hang) throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(handlers);
    http.createContext(
        "/schemas/ids/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          int id = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
          if (id == KNOWN_ID) {
            reply(ex, 200, Map.of("schema", ProbeSchemas.V1.toString()));
            return;
          }
          garbageRequests.incrementAndGet();
          stall(delay, hang);
          reply(ex, 404, Map.of("error_code", 40403, "message", "Schema " + id + " not found"));
        });
    http.start();
    return http;
  }

  /** Stands for a slow or hung registry, on the server's own handler thread. */
  private void stall(Duration delay, boolean hang) {
    try {
      if (hang) {
        released.await();
      } else {
        Thread.sleep(delay.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void reply(HttpExchange ex, int status, Map<String, Object> body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", RegistryClient.CONTENT_TYPE);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
