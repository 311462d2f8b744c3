package io.gpuward.remediation.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * fabric8's mock API server in mixed mode: CRUD for nodes and pods, plus a scripted Eviction API
 * (which the CRUD mode does not implement). Every request is recorded.
 *
 * <ul>
 *   <li>{@code POST .../pods/{name}/eviction} answers with the next scripted status for that pod
 *       (default 201). On 201 the pod is deleted from the store, unless {@link #linger} was asked.
 *       A pod that is not in the store answers 404.
 *   <li>Field-selector terms other than {@code metadata.*} are dropped before the CRUD dispatcher
 *       sees them: in fabric8 8.0.0 CRUD mode such a term matches nothing. The actuator filters on
 *       {@code spec.nodeName} client-side too, which is what the tests exercise.
 *   <li>{@link #failNext} scripts errors for any other method and path prefix.
 * </ul>
 */
public final class ClusterMock implements AutoCloseable {

  private static final Pattern EVICTION =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction");

  /** One request as the server saw it. */
  public record Request(String method, String path, String body) {}

  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Integer>> evictionScript = new ConcurrentHashMap<>();
  private final Map<String, Boolean> lingering = new ConcurrentHashMap<>();
  private final List<Failure> failures = new CopyOnWriteArrayList<>();

  private record Failure(String method, String pathPrefix, int code, int[] remaining) {}

  public ClusterMock() {
    Dispatcher dispatcher =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest r) {
            return handle(r);
          }
        };
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(server.url("/"))
            .withTrustCerts(true)
            .withNamespace("default")
            .withHttp2Disable(true)
            .build();
    client = KubernetesClients.create(config, Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  public KubernetesClient client() {
    return client;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(String method, String pathPart) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.path().contains(pathPart))
        .collect(Collectors.toList());
  }

  List<Request> evictions() {
    return requests.stream()
        .filter(r -> r.method().equals("POST") && EVICTION.matcher(r.path()).find())
        .collect(Collectors.toList());
  }

  /** The next eviction requests for {@code namespace/pod} answer these statuses, in order. */
  void scriptEviction(String namespace, String pod, Integer... codes) {
    evictionScript
        .computeIfAbsent(namespace + "/" + pod, k -> new ArrayDeque<>())
        .addAll(Arrays.asList(codes));
  }

  /** After a successful eviction the pod stays (still terminating). */
  void linger(String namespace, String pod) {
    lingering.put(namespace + "/" + pod, true);
  }

  /** The next {@code times} requests of {@code method} whose path starts with the prefix fail. */
  void failNext(String method, String pathPrefix, int code, int times) {
    failures.add(new Failure(method, pathPrefix, code, new int[] {times}));
  }

  private synchronized MockResponse handle(RecordedRequest r) {
    byte[] body = r.getBody() == null ? new byte[0] : r.getBody().getBytes();
    String path = r.getPath();
    requests.add(new Request(r.getMethod(), path, new String(body, StandardCharsets.UTF_8)));
    for (Failure f : failures) {
      if (f.method().equals(r.getMethod())
          && path.startsWith(f.pathPrefix())
          && f.remaining()[0] > 0) {
        f.remaining()[0]--;
        return status(f.code(), "scripted failure");
      }
    }
    Matcher m = EVICTION.matcher(path);
    if (r.getMethod().equals("POST") && m.find()) {
      return evict(m.group(1), m.group(2));
    }
    String stripped = stripUnsupportedFieldSelectors(path);
    return crud.dispatch(
        new RecordedRequest(
            r.getHttpVersion(), r.method(), stripped, r.getHeaders(), new Buffer(body)));
  }

  private MockResponse evict(String namespace, String pod) {
    String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + pod;
    if (crud.handleGet(podPath).code() == 404) {
      return status(404, "pods \"" + pod + "\" not found");
    }
    Deque<Integer> script = evictionScript.get(namespace + "/" + pod);
    Integer code = script == null || script.isEmpty() ? 201 : script.poll();
    if (code == 201 && !lingering.containsKey(namespace + "/" + pod)) {
      crud.handleDelete(podPath);
    }
    if (code == 429) {
      return status(429, "Cannot evict pod as it would violate the pod's disruption budget.");
    }
    return status(code, code == 201 ? "" : "scripted eviction failure");
  }

  private static MockResponse status(int code, String message) {
    String ok = code < 300 ? "Success" : "Failure";
    String json =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\""
            + ok
            + "\",\"message\":\""
            + message.replace("\"", "\\\"")
            + "\",\"code\":"
            + code
            + "}";
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(json);
  }

  private static String stripUnsupportedFieldSelectors(String path) {
    int q = path.indexOf('?');
    if (q < 0) {
      return path;
    }
    List<String> params = new ArrayList<>();
    for (String p : path.substring(q + 1).split("&")) {
      if (!p.startsWith("fieldSelector=")) {
        params.add(p);
        continue;
      }
      String selector =
          URLDecoder.decode(p.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
      String kept =
          Arrays.stream(selector.split(","))
              .filter(t -> t.startsWith("metadata."))
              .collect(Collectors.joining(","));
      if (!kept.isEmpty()) {
        params.add("fieldSelector=" + URLEncoder.encode(kept, StandardCharsets.UTF_8));
      }
    }
    return path.substring(0, q) + (params.isEmpty() ? "" : "?" + String.join("&", params));
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
