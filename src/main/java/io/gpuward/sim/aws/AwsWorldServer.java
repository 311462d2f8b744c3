package io.gpuward.sim.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated cloud served over the AWS protocols on loopback, so that gpuward's production AWS
 * code (the remediator's {@code AwsCloudActuator}, the watcher's {@code AwsCloud}) runs unchanged
 * against the simulated world: point {@code AwsClients.create} at {@link #endpoint()} with any
 * credentials (signatures are not checked).
 *
 * <p>One endpoint serves four services, told apart as AWS's own front ends do: SSM by its {@code
 * X-Amz-Target} header, EKS by its REST path, EC2 and Auto Scaling by the Query {@code Action} and
 * {@code Version}. Every answer comes from the {@link CloudWorld} at the time of the request;
 * mutations go through it. A request the server cannot serve gets the service's own error shape
 * with HTTP 400; a bug is a 500 and logged.
 */
public final class AwsWorldServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AwsWorldServer.class);

  /** The account that owns everything in the simulated cloud. */
  public static final String ACCOUNT = "123456789012";

  private static final Pattern EKS_NAME = Pattern.compile("[0-9A-Za-z][A-Za-z0-9_-]{0,99}");
  private static final String QUERY_CONTENT = "text/xml";
  private static final String JSON_11 = "application/x-amz-json-1.1";

  /**
   * What the server serves.
   *
   * @param port TCP port on 127.0.0.1, 0 for a free one
   * @param clusterName the EKS cluster the instances belong to (their {@code eks:cluster-name} and
   *     {@code kubernetes.io/cluster/<name>} tags, the EKS API's only cluster)
   * @param region the region named in ARNs
   * @param maxPage the largest page any list returns, below each service's own maximum (small
   *     values make clients paginate)
   * @param ssmDocument the GPU-reset SSM document's name, one of the two documents SendCommand runs
   * @param diagDocument the diagnostics SSM document's name, the other
   */
  public record Settings(
      int port,
      String clusterName,
      String region,
      int maxPage,
      String ssmDocument,
      String diagDocument) {

    /** A free port, cluster {@code gpuward-sim}, us-east-1, services' own page sizes. */
    public static final Settings DEFAULTS =
        new Settings(0, "gpuward-sim", "us-east-1", 1000, "gpuward-gpu-reset", "gpuward-gpu-diag");

    public Settings {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      if (clusterName == null || !EKS_NAME.matcher(clusterName).matches()) {
        throw new IllegalArgumentException(
            "clusterName is not an EKS cluster name: " + clusterName);
      }
      Objects.requireNonNull(region, "region");
      if (maxPage < 1) {
        throw new IllegalArgumentException("maxPage must be at least 1, was " + maxPage);
      }
      Objects.requireNonNull(ssmDocument, "ssmDocument");
      Objects.requireNonNull(diagDocument, "diagDocument");
    }

    /** A copy with another page cap. */
    public Settings withMaxPage(int n) {
      return new Settings(port, clusterName, region, n, ssmDocument, diagDocument);
    }

    /** A copy with another cluster name. */
    public Settings withClusterName(String name) {
      return new Settings(port, name, region, maxPage, ssmDocument, diagDocument);
    }
  }

  private record Reply(int status, String contentType, String body, String errorType) {}

  private final Settings settings;
  private final ObjectMapper json = new ObjectMapper();
  private final Ec2Api ec2;
  private final AutoScalingApi autoScaling;
  private final SsmApi ssm;
  private final EksApi eks;
  private final ExecutorService executor;
  private final HttpServer server;
  private final AtomicLong requests = new AtomicLong();
  private final URI endpoint;

  private AwsWorldServer(CloudWorld world, Settings settings) {
    this.settings = settings;
    this.ec2 = new Ec2Api(world, settings);
    this.autoScaling = new AutoScalingApi(world, settings);
    this.ssm = new SsmApi(json, world, settings);
    this.eks = new EksApi(json, world, settings);
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "aws-world-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      this.server =
          HttpServer.create(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 0);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException(
          "cannot bind the simulated AWS endpoint on 127.0.0.1:" + settings.port(), e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
    this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Starts serving {@code world}. */
  public static AwsWorldServer start(CloudWorld world, Settings settings) {
    AwsWorldServer s =
        new AwsWorldServer(
            Objects.requireNonNull(world, "world"), Objects.requireNonNull(settings, "settings"));
    log.info(
        "simulated AWS (EC2, Auto Scaling, SSM, EKS) for cluster {} at {}",
        settings.clusterName(),
        s.endpoint());
    return s;
  }

  /** The one endpoint of all four services, e.g. {@code http://127.0.0.1:43123}. */
  public URI endpoint() {
    return endpoint;
  }

  /** The settings served. */
  public Settings settings() {
    return settings;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String body;
      try (InputStream in = ex.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      String requestId = "sim-" + requests.incrementAndGet();
      Reply reply = dispatch(ex, body, requestId);
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", reply.contentType());
      ex.getResponseHeaders().set("x-amzn-RequestId", requestId);
      if (reply.errorType() != null) {
        ex.getResponseHeaders().set("x-amzn-ErrorType", reply.errorType());
      }
      ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private Reply dispatch(HttpExchange ex, String body, String requestId) {
    String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
    String path = ex.getRequestURI().getRawPath();
    Protocol protocol = Protocol.QUERY_EC2;
    String operation = "?";
    try {
      if (target != null) {
        protocol = Protocol.JSON;
        operation =
            target.startsWith(SsmApi.TARGET_PREFIX)
                ? target.substring(SsmApi.TARGET_PREFIX.length())
                : target;
        return ok(protocol, json.writeValueAsString(ssmOrRefuse(target, operation, body)));
      }
      if (EksApi.serves(path)) {
        protocol = Protocol.REST_JSON;
        operation = ex.getRequestMethod() + " " + path;
        return ok(protocol, json.writeValueAsString(eks.handle(ex.getRequestMethod(), path)));
      }
      QueryParams q = QueryParams.parse(query(ex, body));
      operation = q.get("Action") == null ? "?" : q.get("Action");
      protocol =
          AutoScalingApi.VERSION.equals(q.get("Version")) ? Protocol.QUERY_ASG : Protocol.QUERY_EC2;
      String action = q.required("Action", "MissingAction");
      String xml =
          protocol == Protocol.QUERY_ASG
              ? autoScaling.handle(action, q, requestId)
              : ec2.handle(action, q, requestId);
      return ok(protocol, xml);
    } catch (AwsError e) {
      log.info(
          "simulated AWS refused {} ({}): {} {}", operation, requestId, e.code(), e.getMessage());
      return error(protocol, e.status(), e.code(), e.getMessage(), requestId);
    } catch (IOException | RuntimeException e) {
      log.error("simulated AWS failed on {} ({})", operation, requestId, e);
      return error(protocol, 500, "InternalFailure", String.valueOf(e.getMessage()), requestId);
    }
  }

  private JsonNode ssmOrRefuse(String target, String operation, String body) {
    if (!target.startsWith(SsmApi.TARGET_PREFIX)) {
      throw AwsError.badRequest("UnknownOperationException", "Unknown target " + target);
    }
    return ssm.handle(operation, body);
  }

  /** The Query parameters: the form body of a POST, the query string of a GET. */
  private static String query(HttpExchange ex, String body) {
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return body;
    }
    return body.isEmpty() ? raw : raw + "&" + body;
  }

  private enum Protocol {
    QUERY_EC2,
    QUERY_ASG,
    JSON,
    REST_JSON
  }

  private static Reply ok(Protocol p, String body) {
    return new Reply(
        200,
        p == Protocol.JSON ? JSON_11 : p == Protocol.REST_JSON ? "application/json" : QUERY_CONTENT,
        body,
        null);
  }

  private Reply error(Protocol p, int status, String code, String message, String requestId) {
    return switch (p) {
      case QUERY_EC2 ->
          new Reply(
              status,
              QUERY_CONTENT,
              "<Response><Errors><Error>"
                  + Xml.el("Code", code)
                  + Xml.el("Message", message)
                  + "</Error></Errors>"
                  + Xml.el("RequestID", requestId)
                  + "</Response>",
              null);
      case QUERY_ASG ->
          new Reply(
              status,
              QUERY_CONTENT,
              "<ErrorResponse xmlns=\""
                  + AutoScalingApi.NS
                  + "\"><Error><Type>Sender</Type>"
                  + Xml.el("Code", code)
                  + Xml.el("Message", message)
                  + "</Error>"
                  + Xml.el("RequestId", requestId)
                  + "</ErrorResponse>",
              null);
      case JSON -> new Reply(status, JSON_11, jsonError(code, message, "__type"), null);
      case REST_JSON -> new Reply(status, "application/json", jsonError(null, message, null), code);
    };
  }

  private String jsonError(String code, String message, String typeField) {
    var n = json.createObjectNode();
    if (typeField != null) {
      n.put(typeField, code);
    }
    n.put("message", message);
    return n.toString();
  }

  /** Stops serving. The world is left as it is. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("simulated AWS at {}: request threads still running after 5 s", endpoint());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
