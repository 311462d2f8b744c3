package io.gpuward.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What was done to the simulated world, served read-only over HTTP on loopback: {@code GET
 * /world/actions} answers every call the {@link SimulatedCluster} received (cordons, evictions,
 * drains, GPU resets, reboots, replacements, uncordons), oldest first, as a JSON array of {@code
 * {"at", "atMs", "action", "target", "token", "outcome", "detail"}} (see {@link ClusterAction}).
 *
 * <p>Why it exists: when the world runs in its own process, the actuators reach it only through the
 * Kubernetes and AWS APIs, and a test or an operator in another process still needs to count what
 * the world did, for example that a remediator killed mid-action repeated nothing.
 */
public final class WorldActionsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorldActionsServer.class);

  /** The path of the action log. */
  public static final String ACTIONS_PATH = "/world/actions";

  private final SimulatedCluster cluster;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpServer server;

  private WorldActionsServer(SimulatedCluster cluster, int port) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the world's action log on 127.0.0.1:" + port, e);
    }
    server.createContext(ACTIONS_PATH, this::handle);
    server.start();
  }

  /** Serves {@code cluster}'s action log on 127.0.0.1:{@code port} (0 for a free port). */
  public static WorldActionsServer start(SimulatedCluster cluster, int port) {
    WorldActionsServer s = new WorldActionsServer(cluster, port);
    log.info("world action log at {}", s.actionsUrl());
    return s;
  }

  /** The action log's URL, e.g. {@code http://127.0.0.1:41234/world/actions}. */
  public URI actionsUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + ACTIONS_PATH);
  }

  /** The action log as the endpoint serves it. */
  public String actionsJson() throws IOException {
    return json.writeValueAsString(toJson(cluster.actions()));
  }

  private ArrayNode toJson(List<ClusterAction> actions) {
    ArrayNode out = json.createArrayNode();
    for (ClusterAction a : actions) {
      ObjectNode o = out.addObject();
      o.put("at", a.at().toString());
      o.put("atMs", a.at().toEpochMilli());
      o.put("action", a.action());
      o.put("target", a.target());
      o.put("token", a.operationId());
      o.put("outcome", a.outcome());
      o.put("detail", a.detail());
    }
    return out;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      boolean get = ex.getRequestMethod().equals("GET");
      boolean exact = ex.getRequestURI().getPath().equals(ACTIONS_PATH);
      int status = !exact ? 404 : get ? 200 : 405;
      byte[] body =
          (status == 200 ? actionsJson() : "{\"error\":\"GET " + ACTIONS_PATH + " only\"}")
              .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      if (status == 405) {
        ex.getResponseHeaders().set("Allow", "GET");
      }
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
