package io.gpuward.remediation.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gpuward.aws.AwsClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * A loopback HTTP server that speaks just enough of four AWS protocols for the actuator tests and
 * records every request: EC2 and Auto Scaling Query ({@code Action=...} form bodies, XML replies),
 * SSM JSON 1.1 ({@code X-Amz-Target: AmazonSSM.<Op>}) and EKS REST-JSON ({@code GET
 * /clusters/{c}/node-groups/{ng}}). Replies are scripted per operation; the last scripted reply of
 * an operation repeats.
 */
public final class AwsStub implements AutoCloseable {

  public static final String EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
  static final String ASG_NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

  /** One recorded request. */
  public record Request(
      String method,
      String path,
      Map<String, String> headers,
      String body,
      Map<String, String> form,
      String operation) {

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** One scripted reply. */
  public record Reply(
      int status, String contentType, String body, Map<String, String> headers, long delayMillis) {

    Reply(int status, String contentType, String body, Map<String, String> headers) {
      this(status, contentType, body, headers, 0);
    }

    /** The same reply, sent only after {@code millis} (to trip the client's attempt timeout). */
    Reply delayed(long millis) {
      return new Reply(status, contentType, body, headers, millis);
    }

    public static Reply xml(String body) {
      return new Reply(200, "text/xml", body, Map.of());
    }

    static Reply json(String body) {
      return new Reply(200, "application/x-amz-json-1.1", body, Map.of());
    }

    static Reply restJson(String body) {
      return new Reply(200, "application/json", body, Map.of());
    }

    /** An EC2 Query error (Response/Errors/Error). */
    static Reply ec2Error(int status, String code, String message) {
      return new Reply(
          status,
          "text/xml",
          "<Response><Errors><Error><Code>"
              + code
              + "</Code><Message>"
              + message
              + "</Message></Error></Errors><RequestID>req-err-1</RequestID></Response>",
          Map.of());
    }

    /** An Auto Scaling (awsQuery) error (ErrorResponse/Error). */
    static Reply asgError(int status, String code, String message) {
      return new Reply(
          status,
          "text/xml",
          "<ErrorResponse xmlns=\""
              + ASG_NS
              + "\"><Error><Type>Sender</Type><Code>"
              + code
              + "</Code><Message>"
              + message
              + "</Message></Error><RequestId>req-err-2</RequestId></ErrorResponse>",
          Map.of());
    }

    /** A JSON 1.1 error ({@code __type}, {@code message}). */
    static Reply jsonError(int status, String type, String message) {
      return new Reply(
          status,
          "application/x-amz-json-1.1",
          "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}",
          Map.of());
    }

    /** A REST-JSON error (x-amzn-ErrorType header). */
    static Reply restJsonError(int status, String type, String message) {
      return new Reply(
          status,
          "application/json",
          "{\"message\":\"" + message + "\"}",
          Map.of("x-amzn-ErrorType", type));
    }

    /** A bare 5xx with no AWS error body. */
    static Reply status(int status) {
      return new Reply(status, "text/plain", "oops", Map.of());
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Reply>> script = new ConcurrentHashMap<>();

  public AwsStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Clients against this stub: us-east-1, static credentials, 3 attempts, 1 ms backoff. */
  AwsClients clients() {
    return clients(3);
  }

  AwsClients clients(int maxAttempts) {
    return clients(maxAttempts, Duration.ofSeconds(2));
  }

  AwsClients clients(int maxAttempts, Duration attemptTimeout) {
    return AwsClients.create(
        Region.US_EAST_1,
        endpoint(),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")),
        AwsClients.Settings.DEFAULTS
            .withMaxAttempts(maxAttempts)
            .withBackoff(Duration.ofMillis(1))
            .withApiTimeouts(attemptTimeout, Duration.ofSeconds(5)));
  }

  /** Scripts the replies of {@code operation} (a Query Action, an SSM op, or EKS op), in order. */
  public AwsStub on(String operation, Reply... replies) {
    script.computeIfAbsent(operation, k -> new ArrayDeque<>()).addAll(List.of(replies));
    return this;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Request> requests(String operation) {
    return requests.stream().filter(r -> operation.equals(r.operation())).toList();
  }

  public List<String> operations() {
    return requests.stream().map(Request::operation).toList();
  }

  private void handle(HttpExchange ex) throws IOException {
    String body;
    try (InputStream in = ex.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    ex.getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
    String path = ex.getRequestURI().getRawPath();
    Map<String, String> form = Map.of();
    String operation;
    String target = headers.get("x-amz-target");
    if (target != null) {
      operation = target.substring(target.indexOf('.') + 1);
    } else if (path.startsWith("/clusters/") && path.contains("/node-groups/")) {
      operation = "DescribeNodegroup";
    } else {
      form = parseForm(body);
      operation = form.getOrDefault("Action", "?");
    }
    requests.add(new Request(ex.getRequestMethod(), path, headers, body, form, operation));
    Reply reply = next(operation);
    if (reply.delayMillis() > 0) {
      try {
        Thread.sleep(reply.delayMillis()); // the stub's own thread: stands for a slow AWS
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", reply.contentType());
    ex.getResponseHeaders().set("x-amzn-RequestId", "req-" + requests.size());
    reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private Reply next(String operation) {
    Deque<Reply> q = script.get(operation);
    if (q == null || q.isEmpty()) {
      return new Reply(
          400,
          "text/xml",
          "<Response><Errors><Error><Code>NotScripted</Code><Message>"
              + operation
              + "</Message></Error></Errors><RequestID>x</RequestID></Response>",
          Map.of());
    }
    synchronized (q) {
      return q.size() > 1 ? q.poll() : q.peek();
    }
  }

  private static Map<String, String> parseForm(String body) {
    Map<String, String> form = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return form;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      form.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return form;
  }

  List<String> formKeys(Request r) {
    return new ArrayList<>(r.form().keySet());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
