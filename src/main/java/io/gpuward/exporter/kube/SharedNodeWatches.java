package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.kube.KubeEvents;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exporter's Kubernetes side for every node of a cluster in one process, as the exporter
 * DaemonSet runs it on each node: one {@link NodeWatcher} per Node while the Node exists (created
 * when it appears, closed after its deletion), each parsing and publishing exactly what its own
 * watches would make it publish. The watchers share three cluster-wide watches (Nodes, Events,
 * Pods) on one client, which route each object to the watcher of the node it names.
 *
 * <p>Why shared: a {@link NodeWatcher} runs six watches, one long-lived connection each; a fleet of
 * 24 simulated nodes would hold 144 of them against one in-process API server which, ignoring field
 * selectors, would stream every Event and Pod of the cluster to each. Sharing keeps the cost at
 * three watches whatever the fleet's size, and routing is a map lookup.
 *
 * <p>A watcher created after the shared watches delivered objects about its node (a Pod scheduled,
 * an Event written before the Node showed up in this process) is first fed what the watches hold
 * for it. Notifications are routed under one lock, so a watcher sees one ordered stream.
 */
public final class SharedNodeWatches implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedNodeWatches.class);

  private static final String BY_NODE = "spec.nodeName";

  private final KubernetesClient client;
  private final TelemetrySink sink;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Object lock = new Object();
  private final Map<String, NodeWatcher> watchers = new HashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Event> events;
  private boolean started;
  private volatile boolean closed;

  /**
   * @param client the Kubernetes client (not closed here)
   * @param sink where every node's NodeEvents go
   * @param clock event time when an object carries none
   * @param meters registry for {@link KubeMetrics}, summed over the nodes
   */
  public SharedNodeWatches(
      KubernetesClient client, TelemetrySink sink, Clock clock, MeterRegistry meters) {
    this.client = Objects.requireNonNull(client, "client");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  /**
   * Starts the three watches; returns at once. The future completes when each has listed once;
   * failures are retried, not reported through it.
   */
  public CompletableFuture<Void> start() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException("shared node watches already started or closed");
      }
      started = true;
      pods = client.pods().inAnyNamespace().runnableInformer(0);
      pods.addIndexers(Map.of(BY_NODE, p -> List.of(String.valueOf(nodeName(p)))));
      pods.addEventHandler(handler(this::onPod, this::onPodDeleted));
      events = client.v1().events().inAnyNamespace().runnableInformer(0);
      events.addEventHandler(handler(this::onEvent, this::onEventDeleted));
      SharedIndexInformer<Node> nodes = client.nodes().runnableInformer(0);
      nodes.addEventHandler(handler(this::onNode, this::onNodeDeleted));
      log.info("exporter kube watches for every node: Nodes, Events and Pods (3 watches)");
      return CompletableFuture.allOf(
          start(pods, "pod"), start(events, "node-event"), start(nodes, "node"));
    }
  }

  private CompletableFuture<Void> start(SharedIndexInformer<?> informer, String stage) {
    informer.exceptionHandler(
        (isStarted, t) -> {
          if (closed) {
            return false;
          }
          meters.counter(KubeMetrics.ERRORS, "stage", "watch").increment();
          log.warn("shared {} watch failed: {}; retrying", stage, t.toString());
          return true;
        });
    informers.add(informer);
    return informer.start().toCompletableFuture();
  }

  /** The nodes that have a watcher now. */
  public Set<String> nodes() {
    synchronized (lock) {
      return new TreeSet<>(watchers.keySet());
    }
  }

  /** NodeEvents handed to the sink so far, by all watchers alive now. */
  public long published() {
    synchronized (lock) {
      return watchers.values().stream().mapToLong(NodeWatcher::published).sum();
    }
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(
      Consumer<T> upsert, Consumer<T> delete) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        route(obj, upsert);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        route(newObj, upsert);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        route(obj, delete);
      }
    };
  }

  private <T> void route(T obj, Consumer<T> action) {
    synchronized (lock) {
      if (!closed && obj != null) {
        action.accept(obj);
      }
    }
  }

  private void onNode(Node n) {
    String name = n.getMetadata() == null ? null : n.getMetadata().getName();
    if (name == null) {
      return;
    }
    NodeWatcher w = watchers.get(name);
    if (w != null) {
      w.feedNode(n);
      return;
    }
    w = new NodeWatcher(client, name, sink, clock, NodeWatcher.Options.defaults(), meters);
    watchers.put(name, w);
    log.info("node={} joined: its exporter's kube watcher starts", name);
    w.feedNode(n);
    catchUp(name, w);
  }

  /** What the shared watches delivered about the node before it had a watcher. */
  private void catchUp(String node, NodeWatcher w) {
    for (Pod p : pods.getIndexer().byIndex(BY_NODE, node)) {
      w.feedPod(p);
    }
    for (Event e : events.getStore().list()) {
      if (concerns(e, node)) {
        feedEvent(w, e);
      }
    }
  }

  private static boolean concerns(Event e, String node) {
    if (e.getInvolvedObject() == null) {
      return false;
    }
    String host = KubeEvents.host(e);
    return "Node".equals(e.getInvolvedObject().getKind())
        ? node.equals(e.getInvolvedObject().getName())
        : host == null || node.equals(host);
  }

  private void onNodeDeleted(Node n) {
    String name = n.getMetadata() == null ? null : n.getMetadata().getName();
    NodeWatcher w = name == null ? null : watchers.remove(name);
    if (w != null) {
      w.feedNodeDeleted(n);
      w.close();
      log.info("node={} left: its exporter's kube watcher stopped", name);
    }
  }

  private void onPod(Pod p) {
    NodeWatcher w = watchers.get(nodeName(p));
    if (w != null) {
      w.feedPod(p);
    }
  }

  private void onPodDeleted(Pod p) {
    NodeWatcher w = watchers.get(nodeName(p));
    if (w != null) {
      w.feedPodDeleted(p);
    }
  }

  private void onEvent(Event e) {
    for (NodeWatcher w : watchersFor(e)) {
      feedEvent(w, e);
    }
  }

  private static void feedEvent(NodeWatcher w, Event e) {
    if ("Node".equals(e.getInvolvedObject().getKind())) {
      w.feedNodeEvent(e);
    } else if ("Pod".equals(e.getInvolvedObject().getKind())) {
      w.feedPodEvent(e);
    }
  }

  private void onEventDeleted(Event e) {
    for (NodeWatcher w : watchersFor(e)) {
      if ("Node".equals(e.getInvolvedObject().getKind())) {
        w.feedNodeEventDeleted(e);
      } else {
        w.feedPodEventDeleted(e);
      }
    }
  }

  /**
   * The watchers an Event may concern: the Node's for a Node Event; for a Pod Event the watcher of
   * the kubelet that reported it, or, naming no host, every watcher (each checks its own pods).
   */
  private List<NodeWatcher> watchersFor(Event e) {
    if (e.getInvolvedObject() == null) {
      return List.of();
    }
    String kind = e.getInvolvedObject().getKind();
    String named =
        "Node".equals(kind)
            ? e.getInvolvedObject().getName()
            : "Pod".equals(kind) ? KubeEvents.host(e) : null;
    if (named != null) {
      NodeWatcher w = watchers.get(named);
      return w == null ? List.of() : List.of(w);
    }
    return "Pod".equals(kind) ? List.copyOf(watchers.values()) : List.of();
  }

  private static String nodeName(Pod p) {
    return p.getSpec() == null ? null : p.getSpec().getNodeName();
  }

  /** Stops the watches and every node's watcher. Idempotent; the client stays open. */
  @Override
  public void close() {
    List<SharedIndexInformer<?>> old;
    List<NodeWatcher> open;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      old = new ArrayList<>(informers);
      informers.clear();
      open = new ArrayList<>(watchers.values());
      watchers.clear();
    }
    // Outside the lock: a notification thread may be waiting for it while its informer stops.
    for (SharedIndexInformer<?> i : old) {
      try {
        i.close();
      } catch (RuntimeException e) {
        log.debug("stopping a shared kube watch: {}", e.toString());
      }
    }
    open.forEach(NodeWatcher::close);
  }
}
