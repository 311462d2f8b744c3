package io.gpuward.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.contract.registry.InMemorySchemaStore;
import io.gpuward.contract.registry.RegistryApi;
import io.gpuward.contract.registry.RegistryCore;
import io.gpuward.contract.registry.SchemaStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry on 127.0.0.1 and a free port, speaking the REST API of
 * {@link RegistryApi} (subjects, versions, ids, schemas, lookup, soft and permanent deletes,
 * compatibility, config, mode, contexts) over real HTTP. Its state is kept in memory, or in a
 * compacted Kafka topic so it survives a restart with the same ids.
 *
 * <p>Errors answer {@code {"error_code": int, "message": str}} with Confluent's status and codes; a
 * failing handler answers 500 and the server keeps serving.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

  private static final String NO_DELAY = "sun.net.httpserver.nodelay";

  static {
    answerWithoutDelay();
  }

  /**
   * Makes the JDK's HTTP server send small replies at once. It writes headers and body apart with
   * Nagle's algorithm on, so the body waits for the client's delayed ACK: 42 ms per lookup on a
   * kept-alive connection, 3 ms with TCP_NODELAY (measured on loopback). A consumer decoding
   * records with ids the registry does not know asks once per new id, so the delay decided how fast
   * a restarted engine got through garbage. The JDK reads the property once, when its first HTTP
   * server starts: the CLI calls this first thing, and so does this class when it loads.
   */
  public static void answerWithoutDelay() {
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
  }

  /** Default topic of {@link #startOnKafka}. */
  public static final String DEFAULT_TOPIC = "_gpuward_schemas";

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final List<String> ACCEPTED_TYPES =
      List.of(
          "application/vnd.schemaregistry.v1+json",
          "application/vnd.schemaregistry+json",
          "application/json",
          "application/octet-stream");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final SchemaStore store;
  private final RegistryCore core;
  private final RegistryApi api;
  private final String url;

  private EmbeddedSchemaRegistry(SchemaStore store) {
    this.store = store;
    this.core = new RegistryCore(store);
    this.api = new RegistryApi(core);
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "schema-registry-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      this.server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("cannot bind the embedded schema registry on 127.0.0.1", e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
    this.url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Starts a registry whose state lives in memory only. */
  public static EmbeddedSchemaRegistry startInMemory() {
    return start(new InMemorySchemaStore());
  }

  /** Starts a registry on {@code store}, rebuilt from it; the registry closes the store. */
  public static EmbeddedSchemaRegistry start(SchemaStore store) {
    EmbeddedSchemaRegistry r = new EmbeddedSchemaRegistry(store);
    log.info("embedded schema registry at {} on {}", r.url, store.getClass().getSimpleName());
    return r;
  }

  /**
   * Starts a registry whose state lives in the compacted Kafka topic {@code topic} (created when
   * missing; {@link #DEFAULT_TOPIC} by convention), rebuilt from it before the first request.
   */
  public static EmbeddedSchemaRegistry startOnKafka(String bootstrapServers, String topic) {
    long t0 = System.nanoTime();
    KafkaSchemaStore store = KafkaSchemaStore.open(bootstrapServers, topic);
    try {
      EmbeddedSchemaRegistry r = new EmbeddedSchemaRegistry(store);
      log.info(
          "embedded schema registry at {} on topic {} ({} subjects) started in {} ms",
          r.url,
          topic,
          r.core.subjects().size(),
          (System.nanoTime() - t0) / 1_000_000);
      return r;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Base URL for clients, e.g. {@code http://127.0.0.1:43123}. */
  public String url() {
    return url;
  }

  /** Stops serving and releases the store. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
    log.info("embedded schema registry at {} stopped", url);
  }

  private void handle(HttpExchange ex) {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    try (ex) {
      int status = 200;
      JsonNode answer;
      try {
        answer = api.handle(request(ex, segments(path)));
      } catch (SchemaRegistryException e) {
        status = e.httpStatus();
        answer = error(e.errorCode(), e.getMessage());
      } catch (RuntimeException e) {
        log.error("schema registry: {} {} failed", method, path, e);
        status = 500;
        answer = error(500, "Internal error: " + e);
      }
      reply(ex, status, answer);
    } catch (IOException | RuntimeException e) {
      log.warn("schema registry: cannot answer {} {}: {}", method, path, e.toString());
    }
  }

  private static ObjectNode error(int code, String message) {
    return JSON.createObjectNode().put("error_code", code).put("message", message);
  }

  /** The request as {@link RegistryApi} reads it; the body is read at most once, on demand. */
  private static RegistryApi.Request request(HttpExchange ex, List<String> path) {
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    return new RegistryApi.Request() {
      private JsonNode body;

      @Override
      public String method() {
        return ex.getRequestMethod().toUpperCase(Locale.ROOT);
      }

      @Override
      public List<String> path() {
        return path;
      }

      @Override
      public String query(String name) {
        return query.get(name);
      }

      @Override
      public JsonNode body() throws IOException {
        if (body == null) {
          body = EmbeddedSchemaRegistry.body(ex);
        }
        return body;
      }
    };
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.putIfAbsent(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new SchemaRegistryException(
            400, 400, "Bad request: malformed query parameter " + pair, e);
      }
    }
    return out;
  }

  private static JsonNode body(HttpExchange ex) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type != null) {
      String base = type.split(";")[0].trim().toLowerCase(Locale.ROOT);
      if (!ACCEPTED_TYPES.contains(base)) {
        throw new SchemaRegistryException(
            415, 415, "HTTP 415 Unsupported Media Type: " + type + "; use " + CONTENT_TYPE);
      }
    }
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readAllBytes();
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new SchemaRegistryException(422, 422, "Unprocessable entity: expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new SchemaRegistryException(
          422, 422, "Unprocessable entity: malformed JSON: " + e.getOriginalMessage());
    }
  }

  private static List<String> segments(String rawPath) {
    try {
      return Arrays.stream(rawPath.split("/"))
          .filter(s -> !s.isEmpty())
          .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8))
          .toList();
    } catch (IllegalArgumentException e) {
      throw new SchemaRegistryException(400, 400, "Bad request: malformed path " + rawPath);
    }
  }

  private static void reply(HttpExchange ex, int status, JsonNode answer) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(answer);
    ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
