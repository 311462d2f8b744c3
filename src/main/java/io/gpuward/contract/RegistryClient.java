package io.gpuward.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.contract.registry.RegistryErrors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * {@link SchemaRegistry} over the Confluent schema registry REST API, for any Confluent-compatible
 * registry (including gpuward's embedded one). Ids and schemas are cached: a schema registered or
 * fetched once is not asked for again. Thread-safe.
 *
 * <p>A schema id not in the cache is looked up within a budget: an id the registry did not know is
 * not asked again for 30 s, failed lookups take at most 5% of wall time, all at most 20 a second,
 * so garbage with random schema ids cannot spend a consumer's time on the registry. Beyond the
 * budget {@link #schemaById} throws a {@link SchemaRegistryException} with status 429.
 *
 * <p>Errors carry the HTTP status (0 when the registry could not be reached) and the registry's
 * error code; messages name the request and the registry URL.
 */
public final class RegistryClient implements SchemaRegistry {

  /** The registry API's content type; {@code application/json} is accepted too. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  /** Default time to open a connection. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Default time for a whole request. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final String authorization; // never logged
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private final UnknownIds unknownIds = new UnknownIds(UnknownIds.DEFAULT_TTL, System::nanoTime);

  private record SubjectSchema(String subject, Schema schema) {}

  /** A client of the registry at {@code baseUrl} with the default timeouts. */
  public RegistryClient(String baseUrl) {
    this(baseUrl, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
  }

  /** A client of the registry at {@code baseUrl} (e.g. {@code http://127.0.0.1:8081}). */
  public RegistryClient(String baseUrl, Duration connectTimeout, Duration requestTimeout) {
    this(baseUrl, connectTimeout, requestTimeout, null, null);
  }

  /**
   * A client of a secured registry.
   *
   * @param sslContext trust (and key) material for an {@code https} registry; null for the JVM's
   *     default trust store
   * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null
   */
  public RegistryClient(
      String baseUrl,
      Duration connectTimeout,
      Duration requestTimeout,
      SSLContext sslContext,
      String basicAuthUserInfo) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.requestTimeout = requestTimeout;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout);
    if (sslContext != null) {
      b.sslContext(sslContext);
    }
    this.http = b.build();
    this.authorization =
        basicAuthUserInfo == null || basicAuthUserInfo.isEmpty()
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
    URI.create(this.baseUrl); // fail fast on a malformed URL
  }

  /** The registry's base URL. */
  public String url() {
    return baseUrl;
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode answer =
        send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
    int id = answer.path("id").asInt();
    idsBySubjectSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = unknownIds.lookUp(id, () -> send("GET", "/schemas/ids/" + id, null));
    Schema schema = parse(answer.path("schema").asText(), "/schemas/ids/" + id);
    Schema previous = schemasById.putIfAbsent(id, schema);
    return previous != null ? previous : schema;
  }

  @Override
  public Optional<Registered> lookup(String subject, Schema schema) {
    JsonNode answer;
    try {
      answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
    int id = answer.path("id").asInt();
    idsBySubjectSchema.put(new SubjectSchema(subject, schema), id);
    Schema registered =
        answer.hasNonNull("schema")
            ? parse(answer.get("schema").asText(), "/subjects/" + subject)
            : schema;
    schemasById.putIfAbsent(id, registered);
    return Optional.of(new Registered(subject, id, answer.path("version").asInt(), registered));
  }

  /**
   * {@inheritDoc}
   *
   * <p>True when the subject has no versions yet.
   */
  @Override
  public boolean isCompatible(String subject, Schema schema) {
    try {
      JsonNode answer =
          send(
              "POST",
              "/compatibility/subjects/" + encode(subject) + "/versions/latest",
              schemaBody(schema));
      return answer.path("is_compatible").asBoolean(false);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == RegistryErrors.SUBJECT_NOT_FOUND) {
        return true; // older registries: no subject, nothing to be incompatible with
      }
      throw e;
    }
  }

  @Override
  public List<String> subjects() {
    List<String> out = new ArrayList<>();
    send("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
    return out;
  }

  @Override
  public void setCompatibility(String subject, String level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level);
    send("PUT", configPath(subject), body);
  }

  @Override
  public String compatibility(String subject) {
    String path = configPath(subject) + (subject == null ? "" : "?defaultToGlobal=true");
    JsonNode answer = send("GET", path, null);
    JsonNode level =
        answer.hasNonNull("compatibilityLevel")
            ? answer.get("compatibilityLevel")
            : answer.get("compatibility");
    return level == null ? null : level.asText();
  }

  private static String configPath(String subject) {
    return subject == null ? "/config" : "/config/" + encode(subject);
  }

  private static ObjectNode schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).put("schemaType", "AVRO");
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Schema parse(String json, String where) {
    try {
      return new Schema.Parser().parse(json);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(
          200, 0, "schema registry at " + baseUrl + where + " answered an invalid schema: " + e, e);
    }
  }

  private JsonNode send(String method, String path, JsonNode body) {
    String url = baseUrl + path;
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(requestTimeout)
            .header("Accept", CONTENT_TYPE + ", application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()));
    if (body != null) {
      req.header("Content-Type", CONTENT_TYPE);
    }
    if (authorization != null) {
      req.header("Authorization", authorization);
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new SchemaRegistryException(
          0,
          0,
          "schema registry at "
              + baseUrl
              + " did not answer "
              + method
              + " "
              + path
              + " in time ("
              + e.getMessage()
              + ")",
          e);
    } catch (IOException e) {
      throw new SchemaRegistryException(
          0,
          0,
          "cannot reach schema registry at "
              + baseUrl
              + " ("
              + method
              + " "
              + path
              + "): "
              + describe(e),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(
          0, 0, "interrupted while calling schema registry at " + url, e);
    }
    JsonNode json = readJson(resp.body());
    int status = resp.statusCode();
    if (status >= 200 && status < 300) {
      if (json == null) {
        throw new SchemaRegistryException(
            status, 0, "schema registry at " + url + " answered non-JSON: " + snippet(resp.body()));
      }
      return json;
    }
    int code = json != null && json.has("error_code") ? json.get("error_code").asInt() : status;
    String message =
        json != null && json.hasNonNull("message")
            ? json.get("message").asText()
            : snippet(resp.body());
    throw new SchemaRegistryException(
        status,
        code,
        message + " (HTTP " + status + ", error " + code + ", " + method + " " + url + ")");
  }

  private static JsonNode readJson(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String describe(Throwable e) {
    String msg = null;
    for (Throwable t = e; t != null && msg == null; t = t.getCause()) {
      msg = t.getMessage();
    }
    if (e instanceof ConnectException && msg == null) {
      msg = "connection refused";
    }
    return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }

  private static String snippet(String body) {
    String s = body == null ? "" : body.replaceAll("\\s+", " ").trim();
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
