package io.gpuward.exporter.kube;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * EC2 instance metadata (IMDSv2) on loopback: {@code PUT /latest/api/token} with a TTL header gives
 * a token, every metadata {@code GET} needs it (401 otherwise), unknown paths are 404 (as instance
 * tags are when not exposed in metadata).
 */
final class ImdsStub implements AutoCloseable {

  static final String TOKEN = "AQAEAOTn2x_stub-token==";

  /** One request as the stub saw it. */
  record Seen(String method, String path, String token, String ttl) {}

  private final HttpServer server;
  private final Map<String, String> values = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile int tokenStatus = 200;

  ImdsStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Serves {@code value} at {@code /latest/meta-data/<path>}. */
  ImdsStub with(String path, String value) {
    values.put("/latest/meta-data/" + path, value);
    return this;
  }

  /** Answers token requests with this status (403: IMDS disabled for tokens). */
  ImdsStub tokenStatus(int status) {
    tokenStatus = status;
    return this;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String token = ex.getRequestHeaders().getFirst(Ec2Metadata.TOKEN_HEADER);
    String ttl = ex.getRequestHeaders().getFirst(Ec2Metadata.TOKEN_TTL_HEADER);
    seen.add(new Seen(ex.getRequestMethod(), path, token, ttl));
    try (ex) {
      if (path.equals("/latest/api/token")) {
        if (!ex.getRequestMethod().equals("PUT") || ttl == null) {
          reply(ex, 400, "");
        } else {
          reply(ex, tokenStatus, tokenStatus == 200 ? TOKEN : "");
        }
        return;
      }
      if (!TOKEN.equals(token)) {
        reply(ex, 401, "");
        return;
      }
      String v = values.get(path);
      reply(ex, v != null ? 200 : 404, v != null ? v : "Not Found");
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
