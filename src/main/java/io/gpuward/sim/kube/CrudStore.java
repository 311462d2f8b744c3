package io.gpuward.sim.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fabric8 CRUD store the API is served from, written in process by the world's projection.
 *
 * <p>Writes go through the CRUD dispatcher's own handlers, so watchers see them as ADDED, MODIFIED
 * and DELETED like any client write. The store remembers which object paths the world wrote: those
 * belong to the simulated cluster, and a client may not change them (see {@link RequestRouter}).
 */
final class CrudStore {

  private static final Logger log = LoggerFactory.getLogger(CrudStore.class);
  private static final String HTTP_1_1 = "HTTP/1.1";

  private final KubernetesCrudDispatcher crud;
  private final KubernetesSerialization json = new KubernetesSerialization();
  private final Set<String> owned = ConcurrentHashMap.newKeySet();

  CrudStore(KubernetesCrudDispatcher crud) {
    this.crud = crud;
  }

  KubernetesSerialization json() {
    return json;
  }

  /** Whether the world wrote the object at {@code path} and still has it. */
  boolean owned(String path) {
    return owned.contains(path);
  }

  /** Creates or replaces the object; the world owns it from now on. */
  synchronized void put(HasMetadata object) {
    String path = ApiPaths.of(object);
    String body = json.asJson(object);
    MockResponse r =
        crud.handleGet(path).code() == 404
            ? crud.handleCreate(request(HttpMethod.POST, ApiPaths.collectionOf(path), body))
            : crud.handleUpdate(request(HttpMethod.PUT, path, body));
    owned.add(path);
    if (r.code() >= 300) {
      log.warn("kube world: cannot write {}: HTTP {} {}", path, r.code(), utf8(r));
    }
  }

  /**
   * Replaces a client's object the world moves on (a Job's status), leaving it the client's: it may
   * still read and delete it.
   */
  synchronized void replace(String path, HasMetadata object) {
    MockResponse r = crud.handleUpdate(request(HttpMethod.PUT, path, json.asJson(object)));
    if (r.code() >= 300) {
      log.warn("kube world: cannot update {}: HTTP {} {}", path, r.code(), utf8(r));
    }
  }

  /** Deletes the object at {@code path}, if there. */
  synchronized void delete(String path) {
    owned.remove(path);
    MockResponse r = crud.handleDelete(path);
    if (r.code() >= 300 && r.code() != 404) {
      log.warn("kube world: cannot delete {}: HTTP {} {}", path, r.code(), utf8(r));
    }
  }

  /** The stored object's JSON, or null when there is none. */
  synchronized String get(String path) {
    MockResponse r = crud.handleGet(path);
    return r.code() == 200 ? utf8(r) : null;
  }

  /** Hands a client request to the CRUD dispatcher (serialised with the world's own writes). */
  synchronized MockResponse dispatch(RecordedRequest request) {
    return crud.dispatch(request);
  }

  private static RecordedRequest request(HttpMethod method, String path, String body) {
    Headers headers = Headers.builder().add("Content-Type", "application/json").build();
    return new RecordedRequest(
        HTTP_1_1, method, path, headers, new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }

  static String utf8(MockResponse r) {
    return r.getBody() == null ? "" : new String(r.getBody().getBytes(), StandardCharsets.UTF_8);
  }
}
