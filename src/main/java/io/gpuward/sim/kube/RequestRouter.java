package io.gpuward.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.sim.EvictionOutcome;
import io.gpuward.sim.SimulatedCluster;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each client request: an eviction and a cordon or uncordon go to the simulated cluster (the
 * source of truth), other writes to the world's own objects are refused, and everything else
 * (reads, watches, Leases, new Events) is served by the CRUD store.
 */
final class RequestRouter extends Dispatcher {

  private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Resources only the world creates: (group, plural). */
  private static final Set<List<String>> WORLD_KINDS =
      Set.of(
          List.of("", "nodes"),
          List.of("", "pods"),
          List.of("policy", "poddisruptionbudgets"),
          List.of("resource.k8s.io", "resourceslices"));

  private final SimulatedCluster cluster;
  private final CrudStore store;
  private final Runnable sync;
  private final ResetJobRunner jobs;

  /**
   * @param sync projects the cluster model into the store now (after a forwarded write, so the
   *     answer and the next read show it)
   * @param jobs runs the GPU reset Jobs clients create
   */
  RequestRouter(SimulatedCluster cluster, CrudStore store, Runnable sync, ResetJobRunner jobs) {
    this.cluster = cluster;
    this.store = store;
    this.sync = sync;
    this.jobs = jobs;
  }

  @Override
  public MockResponse dispatch(RecordedRequest r) {
    try {
      return route(r);
    } catch (RuntimeException e) {
      log.warn("kube world: {} {} failed: {}", r.getMethod(), r.getPath(), e.toString(), e);
      return Statuses.of(500, "InternalError", e.toString());
    }
  }

  private MockResponse route(RecordedRequest r) {
    String method = r.getMethod();
    Optional<ApiPaths.Target> parsed = ApiPaths.parse(r.getPath());
    if (parsed.isEmpty() || method.equals("GET")) {
      return store.dispatch(withoutUnsupportedFieldSelectors(r));
    }
    ApiPaths.Target t = parsed.get();
    if (method.equals("POST") && t.is("", "pods") && "eviction".equals(t.subresource())) {
      return evict(t.namespace(), t.name());
    }
    if (t.is("", "nodes")
        && t.name() != null
        && t.subresource() == null
        && (method.equals("PATCH") || method.equals("PUT"))) {
      return nodeWrite(t.name(), r);
    }
    if (t.objectPath() != null && store.owned(t.objectPath())) {
      return Statuses.owned(t.resource() + " " + t.name(), method + " refused");
    }
    if (WORLD_KINDS.contains(List.of(t.group(), t.resource()))) {
      return Statuses.owned(t.resource(), "clients cannot " + method + " them");
    }
    if (method.equals("POST") && t.is("batch", "jobs") && t.name() == null) {
      return createJob(t, r);
    }
    if (t.is("resource.k8s.io", "devicetaintrules")) {
      return taintRule(t, r);
    }
    return store.dispatch(r);
  }

  /**
   * Stores a DeviceTaintRule and hands its effect to the cluster model: a created rule keeps new
   * pods off the GPU it selects, a deleted one lets them back. The NVIDIA driver names its pool
   * after the node and a GPU {@code gpu-<minor>}; the world's minor is the GPU index.
   */
  private MockResponse taintRule(ApiPaths.Target t, RecordedRequest r) {
    boolean create = r.getMethod().equals("POST") && t.name() == null;
    boolean delete = r.getMethod().equals("DELETE") && t.name() != null;
    String before = delete ? store.get(t.objectPath()) : null;
    MockResponse answer = store.dispatch(r);
    try {
      if (create && answer.code() == 201) {
        JsonNode rule = JSON.readTree(CrudStore.utf8(answer));
        cluster.taintDevice(pool(rule), gpu(rule), rule.path("metadata").path("name").asText());
      } else if (delete && before != null && answer.code() < 300) {
        JsonNode rule = JSON.readTree(before);
        cluster.untaintDevice(pool(rule), gpu(rule), t.name());
      }
    } catch (IOException e) {
      log.warn("kube world: cannot read DeviceTaintRule {}: {}", t.name(), e.getMessage());
    }
    return answer;
  }

  private static String pool(JsonNode rule) {
    return rule.path("spec").path("deviceSelector").path("pool").asText("");
  }

  /** The GPU index of {@code gpu-<n>}, or -1 for a device the world does not publish. */
  private static int gpu(JsonNode rule) {
    String device = rule.path("spec").path("deviceSelector").path("device").asText("");
    return device.matches("gpu-[0-9]{1,3}") ? Integer.parseInt(device.substring(4)) : -1;
  }

  /** Stores a Job; a gpuward GPU reset Job starts running on its node. */
  private MockResponse createJob(ApiPaths.Target t, RecordedRequest r) {
    MockResponse created = store.dispatch(r);
    if (created.code() != 201) {
      return created; // 409: a Job of that name exists, which is how a restart finds its reset
    }
    String body = CrudStore.utf8(created);
    try {
      String name = JSON.readTree(body).path("metadata").path("name").asText();
      String path = r.getPath().split("\\?")[0] + "/" + name;
      jobs.created(path, body);
      return Statuses.json(201, store.get(path));
    } catch (IOException e) {
      return Statuses.of(500, "InternalError", "cannot read the created Job: " + e.getMessage());
    }
  }

  private MockResponse evict(String namespace, String pod) {
    EvictionOutcome o = cluster.evict(namespace, pod);
    sync.run();
    return switch (o) {
      case EVICTED -> Statuses.of(201, null, null);
      case BLOCKED_BY_PDB ->
          Statuses.of(
              429,
              "TooManyRequests",
              "Cannot evict pod as it would violate the pod's disruption budget.");
      case NOT_FOUND -> Statuses.of(404, "NotFound", "pods \"" + pod + "\" not found");
      case NOT_EVICTABLE -> Statuses.owned("pod " + pod, "a DaemonSet pod is not evicted here");
    };
  }

  private MockResponse nodeWrite(String node, RecordedRequest r) {
    String path = ApiPaths.node(node);
    String current = store.get(path);
    if (current == null) {
      return Statuses.of(404, "NotFound", "nodes \"" + node + "\" not found");
    }
    CordonRequest req;
    String rv;
    try {
      req = parse(r, current);
      rv = JSON.readTree(current).path("metadata").path("resourceVersion").asText();
    } catch (IOException | ClassCastException e) {
      return Statuses.of(400, "BadRequest", "cannot read the request body: " + e.getMessage());
    }
    if (req instanceof CordonRequest.Refused refused) {
      return Statuses.owned("node " + node, "it may not change " + refused.field());
    }
    String wanted =
        req instanceof CordonRequest.Mark m
            ? m.resourceVersion()
            : ((CordonRequest.Cordon) req).resourceVersion();
    if (wanted != null && !wanted.equals(rv)) {
      return Statuses.of(
          409,
          "Conflict",
          "Operation cannot be fulfilled on nodes \""
              + node
              + "\": the object has been modified; please apply your changes to the latest version"
              + " and try again");
    }
    return req instanceof CordonRequest.Mark m
        ? mark(node, m)
        : forward(node, (CordonRequest.Cordon) req);
  }

  /** Hands a health label to the cluster model, which keeps it only on a node gpuward cordoned. */
  private MockResponse mark(String node, CordonRequest.Mark m) {
    if (m.health() == null) {
      return unmark(node);
    }
    var mark =
        Arrays.stream(HealthMark.values()).filter(h -> h.value().equals(m.health())).findFirst();
    if (mark.isEmpty()) {
      return Statuses.owned(
          "node " + node, "it may not set " + HealthMark.LABEL + "=" + m.health());
    }
    cluster.markHealth(node, mark.get());
    sync.run();
    return Statuses.json(200, store.get(ApiPaths.node(node)));
  }

  /** The label taken off a node gpuward marked degraded and never cordoned; refused elsewhere. */
  private MockResponse unmark(String node) {
    boolean degraded =
        cluster.node(node).filter(n -> n.degraded() && n.cordonedBy().isEmpty()).isPresent();
    if (!degraded) {
      return Statuses.owned("node " + node, "it may not remove " + HealthMark.LABEL);
    }
    cluster.uncordon(node, "kube-api");
    sync.run();
    return Statuses.json(200, store.get(ApiPaths.node(node)));
  }

  private static CordonRequest parse(RecordedRequest r, String current) throws IOException {
    String body = r.getUtf8Body();
    if (r.getMethod().equals("PUT")) {
      return CordonRequest.replacement(body, current);
    }
    String type = String.valueOf(r.getHeader("Content-Type"));
    if (type.startsWith("application/json-patch+json")) {
      JsonNode now = JSON.readTree(current);
      JsonNode op =
          now.path("metadata").path("annotations").path(KubernetesClusterActuator.CORDONED_BY);
      return CordonRequest.jsonPatch(
          body,
          now.path("spec").path("unschedulable").asBoolean(false),
          op.isMissingNode() ? null : op.asText());
    }
    return CordonRequest.mergePatch(body, JSON.readTree(current));
  }

  /** Hands a cordon or uncordon to the cluster model, then answers with the projected node. */
  private MockResponse forward(String node, CordonRequest.Cordon c) {
    try {
      if (!c.unschedulable()) {
        cluster.uncordon(node, c.cordonedBy() == null ? "kube-api" : c.cordonedBy());
      } else if (c.cordonedBy() != null) {
        cluster.cordon(node, c.cordonedBy());
      } else {
        cluster.cordonManually(node);
      }
    } catch (ActuatorException e) {
      return Statuses.of(409, "Conflict", e.getMessage());
    }
    sync.run();
    String now = store.get(ApiPaths.node(node));
    return now == null
        ? Statuses.of(404, "NotFound", "nodes \"" + node + "\" not found")
        : Statuses.json(200, now);
  }

  /**
   * The request without field-selector terms other than {@code metadata.*}: fabric8's CRUD store
   * matches any other term against nothing, so a watch on {@code spec.nodeName} would see no pods.
   * Without the term it sees every pod, as from a server that ignores selectors; gpuward's watchers
   * filter on the client too.
   */
  static RecordedRequest withoutUnsupportedFieldSelectors(RecordedRequest r) {
    String path = r.getPath();
    int q = path.indexOf('?');
    if (q < 0 || !path.contains("fieldSelector=")) {
      return r;
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
              .filter(term -> term.startsWith("metadata."))
              .collect(Collectors.joining(","));
      if (!kept.isEmpty()) {
        params.add("fieldSelector=" + URLEncoder.encode(kept, StandardCharsets.UTF_8));
      }
    }
    String stripped =
        path.substring(0, q) + (params.isEmpty() ? "" : "?" + String.join("&", params));
    return new RecordedRequest(
        r.getHttpVersion(),
        r.method(),
        stripped,
        r.getHeaders(),
        r.getBody() == null ? new Buffer() : new Buffer(r.getBody().getBytes()));
  }
}
