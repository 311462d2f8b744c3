package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.kube.KubeIds;
import io.gpuward.kube.NodeTracker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one node, the one the exporter runs on as a DaemonSet pod, and publishes what changes
 * about it as {@link NodeEvent}s to a {@link TelemetrySink}.
 *
 * <h2>Watches</h2>
 *
 * <ul>
 *   <li>its Node object ({@code metadata.name=<node>});
 *   <li>Events about it ({@code involvedObject.kind=Node,involvedObject.name=<node>});
 *   <li>Pods on it ({@code spec.nodeName=<node>});
 *   <li>Pod Events of the start-failure reasons ({@code involvedObject.kind=Pod,reason=<r>}, one
 *       watch per reason), kept when the kubelet of this node reported them ({@code source.host})
 *       or they name a pod seen on this node. Pod Events carry no node field to select on; a
 *       per-reason selector keeps each exporter's share of the cluster's Events small.
 * </ul>
 *
 * Every selector is checked again on the client, so a server (or a test double) that ignores
 * selectors changes nothing.
 *
 * <h2>What it publishes</h2>
 *
 * NODE_REGISTERED on first sight of the Node, CONDITION_CHANGED for every condition type whose
 * status or reason changes (all types; polarity is the engine's business), NODE_REBOOTED when the
 * boot id changes or a {@code Rebooted} Event arrives (once per boot id, whichever comes first),
 * RESOURCE_SNAPSHOT when capacity or allocatable {@code nvidia.com/gpu} changes, LABELS_SNAPSHOT
 * when the labels of interest change, KUBE_EVENT for other Node Events, CONTAINER_START_FAILURE for
 * start failures in pod status or Pod Events, NODE_REMOVED when the Node is deleted. State already
 * published is not published again: resyncs, relists and reconnects add nothing.
 *
 * <h2>Threads and errors</h2>
 *
 * Each watch is a fabric8 informer (no resync by default; fabric8 reconnects and relists). Their
 * notifications are handled one at a time under one lock, so the sink and the {@link NodeListener}s
 * see one ordered stream. A failure is logged with the node and the object, counted in {@link
 * KubeMetrics#ERRORS}, and never stops the watcher; a watch that fails is retried with fabric8's
 * backoff, also before it first connected.
 */
public final class NodeWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeWatcher.class);

  /** Seconds the other watches wait for the Node watch's first listing before starting anyway. */
  static final long NODE_FIRST_SECONDS = 10;

  /**
   * Tuning of the watches.
   *
   * @param resync informer resync period; {@link Duration#ZERO} (the default) turns resync off
   * @param watchPods whether to watch pods and Pod Events for start failures
   * @param podEventReasons Pod Event reasons watched (a subset of {@code FailedCreatePodSandBox},
   *     {@code Failed}, {@code UnexpectedAdmissionError}); empty for none
   */
  public record Options(Duration resync, boolean watchPods, Set<String> podEventReasons) {

    /** Validates and copies. */
    public Options {
      Objects.requireNonNull(resync, "resync");
      if (resync.isNegative()) {
        throw new IllegalArgumentException("resync must not be negative: " + resync);
      }
      podEventReasons = Set.copyOf(Objects.requireNonNull(podEventReasons, "podEventReasons"));
      for (String r : podEventReasons) {
        if (!StartFailures.EVENT_REASONS.contains(r)) {
          throw new IllegalArgumentException(
              "pod event reason '"
                  + KubeIds.printable(r)
                  + "' is not one of "
                  + new TreeSet<>(StartFailures.EVENT_REASONS));
        }
      }
    }

    /** Resync off, pods and all start-failure Pod Event reasons watched. */
    public static Options defaults() {
      return new Options(Duration.ZERO, true, StartFailures.EVENT_REASONS);
    }

    /** The same options with another resync period. */
    public Options withResync(Duration d) {
      return new Options(d, watchPods, podEventReasons);
    }
  }

  private final KubernetesClient client;
  private final String node;
  private final TelemetrySink sink;
  private final Options options;
  private final MeterRegistry meters;

  private final Object lock = new Object();
  private final NodeTracker nodeState;
  private final PodFailureTracker pods;
  private final List<NodeListener> listeners = new CopyOnWriteArrayList<>();
  private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong handled = new AtomicLong();
  private volatile boolean started;
  private volatile boolean closed;

  /** A watcher with {@link Options#defaults()} and no meter registry of its own. */
  public NodeWatcher(KubernetesClient client, String node, TelemetrySink sink, Clock clock) {
    this(client, node, sink, clock, Options.defaults(), new SimpleMeterRegistry());
  }

  /**
   * A watcher for {@code node}; nothing is watched before {@link #start()}.
   *
   * @param client the Kubernetes client (not closed by the watcher)
   * @param node the node's name (from the downward API's {@code spec.nodeName})
   * @param sink where NodeEvents go, in order
   * @param clock event time when the object carries none
   * @param options watch tuning
   * @param meters registry for {@link KubeMetrics}
   * @throws IllegalArgumentException when {@code node} is not a DNS-1123 subdomain
   */
  public NodeWatcher(
      KubernetesClient client,
      String node,
      TelemetrySink sink,
      Clock clock,
      Options options,
      MeterRegistry meters) {
    this.client = Objects.requireNonNull(client, "client");
    this.node = KubeIds.requireNodeName(node);
    this.sink = Objects.requireNonNull(sink, "sink");
    this.options = Objects.requireNonNull(options, "options");
    this.meters = Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(clock, "clock");
    this.nodeState = new NodeTracker(node, clock);
    this.pods = new PodFailureTracker(node, clock, nodeState);
  }

  /**
   * Adds a listener told about every version of the Node (see {@link NodeListener}); call before
   * {@link #start()}.
   */
  public NodeWatcher addNodeListener(NodeListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** The watched node's name. */
  public String node() {
    return node;
  }

  /**
   * Starts the watches: the Node first, the others once it has listed (or after 10 s). Returns at
   * once; the future completes when every watch has listed once. Errors do not fail it (they are
   * retried); closing the watcher first may. Wait on it with a timeout.
   *
   * @throws IllegalStateException when already started or closed
   */
  public CompletableFuture<Void> start() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException("node watcher for " + node + " already started or closed");
      }
      started = true;
      log.info(
          "node={} watching Node, its Events{} (resync {})",
          node,
          options.watchPods()
              ? ", its Pods and Pod Events " + new TreeSet<>(options.podEventReasons())
              : "",
          options.resync().isZero() ? "off" : options.resync());
      return startInformers();
    }
  }

  private CompletableFuture<Void> startInformers() {
    long resyncMs = options.resync().toMillis();
    SharedIndexInformer<Node> nodeInformer =
        client.nodes().withName(node).runnableInformer(resyncMs);
    nodeInformer.addEventHandler(handler("node", this::onNode, this::onNodeDeleted));
    CompletableFuture<Void> nodeListed = start(nodeInformer, "node");
    CompletableFuture<Void> rest =
        nodeListed
            .copy()
            .exceptionally(t -> null)
            .completeOnTimeout(null, NODE_FIRST_SECONDS, TimeUnit.SECONDS)
            .thenCompose(v -> startOthers(resyncMs));
    return CompletableFuture.allOf(nodeListed, rest);
  }

  private CompletableFuture<Void> startOthers(long resyncMs) {
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.completedFuture(null);
      }
      List<CompletableFuture<Void>> listed = new ArrayList<>();
      SharedIndexInformer<Event> nodeEvents =
          client
              .v1()
              .events()
              .inAnyNamespace()
              .withField("involvedObject.kind", "Node")
              .withField("involvedObject.name", node)
              .runnableInformer(resyncMs);
      nodeEvents.addEventHandler(handler("node-event", this::onNodeEvent, nodeState::eventDeleted));
      listed.add(start(nodeEvents, "node-event"));
      if (options.watchPods()) {
        SharedIndexInformer<Pod> podInformer =
            client
                .pods()
                .inAnyNamespace()
                .withField("spec.nodeName", node)
                .runnableInformer(resyncMs);
        podInformer.addEventHandler(handler("pod", this::onPod, this::onPodDeleted));
        listed.add(start(podInformer, "pod"));
        for (String reason : new TreeSet<>(options.podEventReasons())) {
          SharedIndexInformer<Event> podEvents =
              client
                  .v1()
                  .events()
                  .inAnyNamespace()
                  .withField("involvedObject.kind", "Pod")
                  .withField("reason", reason)
                  .runnableInformer(resyncMs);
          podEvents.addEventHandler(
              handler("pod-event", e -> onPodEvent(reason, e), pods::eventDeleted));
          listed.add(start(podEvents, "pod-event"));
        }
      }
      return CompletableFuture.allOf(listed.toArray(CompletableFuture[]::new));
    }
  }

  private CompletableFuture<Void> start(SharedIndexInformer<?> informer, String stage) {
    informer.exceptionHandler(
        (isStarted, t) -> {
          if (closed) {
            return false;
          }
          error(stage);
          log.warn(
              "node={} {} watch failed ({}): {}; retrying",
              node,
              stage,
              isStarted ? "was watching" : "before first listing",
              t.toString());
          return true;
        });
    informers.add(informer);
    return informer.start().toCompletableFuture();
  }

  /**
   * Stops and starts every watch again, keeping what was published: the new watches list every
   * object afresh, as after a lost watch. Tests use it; so can an operator hook.
   */
  CompletableFuture<Void> relist() {
    List<SharedIndexInformer<?>> old;
    synchronized (lock) {
      if (!started || closed) {
        throw new IllegalStateException("node watcher for " + node + " not running");
      }
      old = takeInformers();
    }
    stop(old);
    synchronized (lock) {
      return startInformers();
    }
  }

  /** Whether every watch is connected. */
  public boolean isWatching() {
    return started
        && !closed
        && !informers.isEmpty()
        && informers.stream().allMatch(SharedIndexInformer::isWatching);
  }

  /** NodeEvents handed to the sink so far. */
  public long published() {
    return published.get();
  }

  /** Failures so far (handling, sink, listener, watch). */
  public long errors() {
    return errors.get();
  }

  /** Watch notifications handled so far, including those that published nothing. */
  long handled() {
    return handled.get();
  }

  /** Stops every watch. Idempotent; the client stays open. */
  @Override
  public void close() {
    List<SharedIndexInformer<?>> old;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      old = takeInformers();
    }
    // Outside the lock: a notification thread may be waiting for it while the informer stops.
    stop(old);
    log.info("node={} watcher closed after {} events, {} errors", node, published(), errors());
  }

  private List<SharedIndexInformer<?>> takeInformers() {
    List<SharedIndexInformer<?>> old = new ArrayList<>(informers);
    informers.clear();
    return old;
  }

  private void stop(List<SharedIndexInformer<?>> old) {
    for (SharedIndexInformer<?> i : old) {
      try {
        i.close();
      } catch (RuntimeException e) {
        log.debug("node={} stopping a watch: {}", node, e.toString());
      }
    }
  }

  // ------------------------------------------------------------------ fed by shared watches

  // A watcher that is never started can be fed by watches shared among many nodes' watchers
  // (SharedNodeWatches): the same parsing, state and publishing, under the same lock, as when its
  // own informers call it.

  void feedNode(Node n) {
    handle("node", n, this::onNode);
  }

  void feedNodeDeleted(Node n) {
    handle("node", n, this::onNodeDeleted);
  }

  void feedNodeEvent(Event e) {
    handle("node-event", e, this::onNodeEvent);
  }

  void feedNodeEventDeleted(Event e) {
    handle("node-event", e, nodeState::eventDeleted);
  }

  void feedPod(Pod p) {
    handle("pod", p, this::onPod);
  }

  void feedPodDeleted(Pod p) {
    handle("pod", p, this::onPodDeleted);
  }

  /** A Pod Event of one of the watched start-failure reasons; others are ignored. */
  void feedPodEvent(Event e) {
    if (options.watchPods() && options.podEventReasons().contains(e.getReason())) {
      handle("pod-event", e, ev -> onPodEvent(ev.getReason(), ev));
    }
  }

  void feedPodEventDeleted(Event e) {
    handle("pod-event", e, pods::eventDeleted);
  }

  // ------------------------------------------------------------------ notifications

  private <T extends HasMetadata> ResourceEventHandler<T> handler(
      String stage, Consumer<T> upsert, Consumer<T> delete) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        handle(stage, obj, upsert);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        handle(stage, newObj, upsert);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        handle(stage, obj, delete);
      }
    };
  }

  private <T extends HasMetadata> void handle(String stage, T obj, Consumer<T> action) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      handled.incrementAndGet();
      try {
        action.accept(obj);
      } catch (RuntimeException e) {
        error(stage);
        log.warn(
            "node={} {} {}: handling failed, skipped: {}",
            node,
            stage,
            describe(obj),
            e.toString(),
            e);
      }
    }
  }

  private void onNode(Node n) {
    if (n.getMetadata() == null || !node.equals(n.getMetadata().getName())) {
      return;
    }
    publish(nodeState.observe(n));
    for (NodeListener l : listeners) {
      try {
        l.onNode(n);
      } catch (RuntimeException e) {
        error("listener");
        log.warn("node={} listener {} failed on a Node update: {}", node, l, e.toString(), e);
      }
    }
  }

  private void onNodeDeleted(Node n) {
    if (n.getMetadata() == null || !node.equals(n.getMetadata().getName())) {
      return;
    }
    publish(nodeState.removed(n));
    for (NodeListener l : listeners) {
      try {
        l.onNodeRemoved(node);
      } catch (RuntimeException e) {
        error("listener");
        log.warn("node={} listener {} failed on the Node's removal: {}", node, l, e.toString(), e);
      }
    }
  }

  private void onNodeEvent(Event e) {
    if (nodeState.concerns(e)) {
      publish(nodeState.nodeEvent(e));
    }
  }

  private void onPod(Pod p) {
    if (p.getMetadata() != null && pods.onThisNode(p)) {
      publish(pods.observe(p));
    }
  }

  private void onPodDeleted(Pod p) {
    if (p.getMetadata() != null && pods.onThisNode(p)) {
      pods.podDeleted(p);
    }
  }

  private void onPodEvent(String reason, Event e) {
    if (reason.equals(e.getReason()) && pods.concerns(e)) {
      publish(pods.podEvent(e));
    }
  }

  private void publish(List<NodeEvent> events) {
    for (NodeEvent e : events) {
      try {
        sink.nodeEvent(e);
      } catch (RuntimeException ex) {
        error("sink");
        log.warn(
            "node={} kind={} event {} not published: {}",
            node,
            e.getKind(),
            e.getEventId(),
            ex.toString());
        continue;
      }
      published.incrementAndGet();
      meters.counter(KubeMetrics.PUBLISHED, "kind", e.getKind().name()).increment();
      if (e.getKind() == NodeEventKind.NODE_REGISTERED
          || e.getKind() == NodeEventKind.NODE_REMOVED
          || e.getKind() == NodeEventKind.NODE_REBOOTED) {
        log.info(
            "node={} kind={} id={} {}",
            node,
            e.getKind(),
            e.getEventId(),
            KubeIds.printable(e.getMessage(), 300));
      } else if (log.isDebugEnabled()) {
        log.debug(
            "node={} kind={} id={} reason={} pod={}",
            node,
            e.getKind(),
            e.getEventId(),
            e.getReason(),
            e.getPod());
      }
    }
  }

  private void error(String stage) {
    errors.incrementAndGet();
    meters.counter(KubeMetrics.ERRORS, "stage", stage).increment();
  }

  private static String describe(HasMetadata obj) {
    if (obj == null || obj.getMetadata() == null) {
      return "(no metadata)";
    }
    String ns = obj.getMetadata().getNamespace();
    return obj.getKind() + " " + (ns != null ? ns + "/" : "") + obj.getMetadata().getName();
  }
}
