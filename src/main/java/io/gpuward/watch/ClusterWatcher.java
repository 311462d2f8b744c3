package io.gpuward.watch;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.gpuward.avro.CloudScheduledEvent;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.kube.KubeEvents;
import io.gpuward.kube.KubeIds;
import io.gpuward.kube.NodeInventories;
import io.gpuward.kube.NodeTracker;
import io.gpuward.watch.FleetReconciler.Desired;
import io.gpuward.watch.FleetReconciler.Publish;
import io.gpuward.watch.FleetReconciler.Tombstone;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leadership term of the watcher: an informer on every Node, a periodic cloud read, and what
 * both say published to a {@link WatchSink}. Node changes publish at once (their {@link
 * NodeTracker} events, then the node's inventory when it changed); every {@code poll} the cloud is
 * read and the whole fleet reconciled; every {@code republish} every inventory is sent again,
 * changed or not. A term starts from nothing, so a new leader publishes the current state once
 * (node events under the same deterministic ids as before, which consumers drop as repeats).
 *
 * <p>With an operand namespace set, a second informer watches the GPU Operator's pods there and
 * publishes each node's operand states ({@link OperandTracker}); a watcher without access to pods
 * logs it once and runs on without them (the engine then judges operands by their labels).
 *
 * <p>Every poll also reads the EC2 scheduled events of the instances it read; they travel in each
 * node's inventory (the topic only the watcher may write), so a changed listing republishes it.
 * When they cannot be read, each instance keeps the events of the last listing.
 *
 * <p>Everything runs under one lock: informer notifications and the poller see one state.
 */
final class ClusterWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterWatcher.class);

  /** {@code NodeEvent.source} of what the watcher itself observes (a Node's removal). */
  static final String SOURCE = "watcher";

  private static final int MAX_TOMBSTONED = 65_536;
  private static final Duration FORGET_DELETED = Duration.ofDays(1);

  private final KubernetesClient client;
  private final CloudPort cloud;
  private final WatchSink sink;
  private final Clock clock;
  private final WatchSettings settings;
  private final FleetReconciler reconciler;
  private final MeterRegistry meters;
  private final WatchService.Gauges gauges;
  private final Object lock = new Object();

  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, NodeTracker> trackers = new HashMap<>();
  private final Map<String, Instant> goneAt = new HashMap<>();
  private final Map<String, String> knownNames = new HashMap<>();
  private final Map<String, NodeInventory> published = new HashMap<>();
  private final Map<String, Boolean> tombstoned = KubeEvents.bounded(MAX_TOMBSTONED);
  private List<CloudInstance> instances;
  private Instant lastRepublish;
  private SharedIndexInformer<Node> informer;
  private SharedIndexInformer<Pod> podInformer;
  private final OperandTracker operands;
  private ScheduledExecutorService poller;
  private volatile boolean closed;

  /**
   * @param cloud the cloud, or null to watch Kubernetes alone (deleted Nodes are then tombstoned at
   *     once, and nothing is known of instances that never registered)
   */
  ClusterWatcher(
      KubernetesClient client,
      CloudPort cloud,
      WatchSink sink,
      Clock clock,
      WatchSettings settings,
      FleetReconciler reconciler,
      MeterRegistry meters,
      WatchService.Gauges gauges) {
    this.client = Objects.requireNonNull(client, "client");
    this.cloud = cloud;
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.gauges = Objects.requireNonNull(gauges, "gauges");
    this.instances = cloud == null ? List.of() : null;
    this.operands = new OperandTracker(clock);
  }

  /** Starts the Node informer and the poller; the future completes when Nodes have listed. */
  CompletableFuture<Void> start() {
    synchronized (lock) {
      informer = client.nodes().runnableInformer(0);
      informer.addEventHandler(handler());
      informer.exceptionHandler(
          (started, t) -> {
            if (closed) {
              return false;
            }
            error("watch");
            log.warn(
                "Node watch failed ({}); retrying: {}",
                started ? "was watching" : "",
                t.toString());
            return true;
          });
      poller = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "gpuward-watch-poll"));
      if (settings.watchesOperands()) {
        podInformer = operandInformer();
      }
    }
    CompletableFuture<Void> listed = informer.start().toCompletableFuture();
    if (podInformer != null) {
      podInformer.start();
    }
    long every = settings.poll().toMillis();
    poller.scheduleWithFixedDelay(this::pollSafely, 0, every, TimeUnit.MILLISECONDS);
    return listed;
  }

  private SharedIndexInformer<Pod> operandInformer() {
    String ns = settings.operandNamespace();
    SharedIndexInformer<Pod> i = client.pods().inNamespace(ns).runnableInformer(0);
    i.addEventHandler(operandHandler());
    i.exceptionHandler(
        (started, t) -> {
          if (closed) {
            return false;
          }
          error("operand-watch");
          if (t instanceof KubernetesClientException k && k.getCode() == 403) {
            log.warn(
                "namespace={} pods cannot be listed ({}); operands are judged by their labels"
                    + " alone",
                ns,
                k.getMessage());
            return false;
          }
          log.warn("namespace={} operand pod watch failed; retrying: {}", ns, t.toString());
          return true;
        });
    return i;
  }

  private ResourceEventHandler<Pod> operandHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod p) {
        onOperand(() -> operands.observe(p));
      }

      @Override
      public void onUpdate(Pod oldPod, Pod p) {
        onOperand(() -> operands.observe(p));
      }

      @Override
      public void onDelete(Pod p, boolean finalStateUnknown) {
        onOperand(() -> operands.removed(p));
      }
    };
  }

  private void onOperand(Supplier<Optional<NodeEvent>> change) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      try {
        change.get().ifPresent(e -> publishEvents(List.of(e)));
      } catch (RuntimeException e) {
        error("operand");
        log.warn("operand pod update not handled: {}", e.toString(), e);
      }
    }
  }

  /** Whether the Node watch is connected. */
  boolean isWatching() {
    SharedIndexInformer<Node> i = informer;
    return !closed && i != null && i.isWatching();
  }

  private ResourceEventHandler<Node> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node n) {
        onNode(n);
      }

      @Override
      public void onUpdate(Node oldNode, Node n) {
        onNode(n);
      }

      @Override
      public void onDelete(Node n, boolean finalStateUnknown) {
        onNodeDeleted(n);
      }
    };
  }

  private void onNode(Node n) {
    String name = n.getMetadata() != null ? n.getMetadata().getName() : null;
    if (!KubeIds.isNodeName(name)) {
      meters.counter(WatchMetrics.INVALID_IDS, "field", "node").increment();
      return;
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      try {
        NodeTracker t = trackers.computeIfAbsent(name, k -> new NodeTracker(k, clock, SOURCE));
        publishEvents(t.observe(n));
        nodes.put(name, n);
        gauges.nodes().set(nodes.size());
        goneAt.remove(name);
        KubeIds.parseProviderId(n.getSpec() != null ? n.getSpec().getProviderID() : null)
            .ifPresent(p -> knownNames.put(p.instanceId(), name));
        reconcileOne(name);
      } catch (RuntimeException e) {
        error("node");
        log.warn("node={} update not handled: {}", name, e.toString(), e);
      }
    }
  }

  private void onNodeDeleted(Node n) {
    String name = n.getMetadata() != null ? n.getMetadata().getName() : null;
    synchronized (lock) {
      if (closed || name == null || nodes.remove(name) == null) {
        return;
      }
      gauges.nodes().set(nodes.size());
      try {
        NodeTracker t = trackers.remove(name);
        operands.forget(name);
        if (t != null) {
          publishEvents(t.removed(n));
        }
        goneAt.put(name, clock.instant());
        reconcileOne(name);
      } catch (RuntimeException e) {
        error("node");
        log.warn("node={} removal not handled: {}", name, e.toString(), e);
      }
    }
  }

  private void reconcileOne(String name) {
    Node n = nodes.get(name);
    Instant gone = goneAt.get(name);
    var view =
        new FleetReconciler.View(
            n != null ? Map.of(name, n) : Map.of(),
            instances,
            gone != null ? Map.of(name, gone) : Map.of(),
            knownNames);
    Desired d = reconciler.reconcile(view, clock.instant()).get(name);
    if (d != null) {
      apply(d, false);
    }
  }

  private void pollSafely() {
    try {
      poll();
    } catch (RuntimeException e) {
      error("cloud");
      log.warn("watch poll failed; next in {}: {}", settings.poll(), e.toString(), e);
    }
  }

  /** Reads the cloud (keeping the last view when it cannot), then reconciles every node. */
  void poll() {
    List<CloudInstance> read = readCloud();
    List<ScheduledEvent> events = read == null ? null : readEvents(read);
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (read != null) {
        instances = withEvents(read, events, instances);
      }
      Instant now = clock.instant();
      goneAt.values().removeIf(at -> at.plus(FORGET_DELETED).isBefore(now));
      boolean republish =
          lastRepublish == null || !now.isBefore(lastRepublish.plus(settings.republish()));
      var view = new FleetReconciler.View(nodes, instances, goneAt, knownNames);
      reconciler.reconcile(view, now).values().forEach(d -> apply(d, republish));
      if (republish) {
        lastRepublish = now;
      }
    }
  }

  /**
   * The instances read, each with its scheduled events: from {@code events}, or when they could not
   * be read (null) from the last view of the same instance.
   */
  static List<CloudInstance> withEvents(
      List<CloudInstance> read, List<ScheduledEvent> events, List<CloudInstance> last) {
    Map<String, List<ScheduledEvent>> byId = new HashMap<>();
    if (events != null) {
      read.forEach(i -> byId.put(i.instanceId(), new ArrayList<>()));
      events.stream()
          .filter(e -> byId.containsKey(e.instanceId()))
          .forEach(e -> byId.get(e.instanceId()).add(e));
    } else if (last != null) {
      last.stream()
          .filter(i -> i.scheduledEvents() != null)
          .forEach(i -> byId.put(i.instanceId(), i.scheduledEvents()));
    }
    return read.stream().map(i -> i.withScheduledEvents(byId.get(i.instanceId()))).toList();
  }

  private List<ScheduledEvent> readEvents(List<CloudInstance> read) {
    try {
      return cloud.scheduledEvents(read.stream().map(CloudInstance::instanceId).toList());
    } catch (CloudPort.CloudUnavailableException e) {
      if (closed) {
        return null; // the stop interrupted the read: nothing failed
      }
      error("cloud-events");
      log.warn(
          "cluster={} scheduled events not read; next poll in {}: {}",
          settings.cluster(),
          settings.poll(),
          e.getMessage());
      return null;
    }
  }

  private List<CloudInstance> readCloud() {
    if (cloud == null) {
      return null;
    }
    try {
      List<CloudInstance> read = cloud.instances();
      gauges.instances().set(read.size());
      return read;
    } catch (CloudPort.CloudUnavailableException e) {
      if (closed) {
        return null; // the stop interrupted the read: nothing failed
      }
      error("cloud");
      log.warn(
          "cluster={} cloud not read; keeping the last view: {}",
          settings.cluster(),
          e.getMessage());
      return null;
    }
  }

  private void apply(Desired d, boolean republish) {
    if (d instanceof Publish p) {
      NodeInventory inv = p.inventory();
      NodeInventory last = published.get(inv.getNode());
      if (!republish && last != null && NodeInventories.sameExceptTime(last, inv)) {
        return;
      }
      if (send(() -> sink.inventory(inv), inv.getNode())) {
        logScheduled(last, inv);
        published.put(inv.getNode(), inv);
        tombstoned.remove(inv.getNode());
        count(inv.getRegistered() ? "inventory" : "unregistered");
        if (!inv.getRegistered() && (last == null || last.getRegistered())) {
          log.warn(
              "node={} instance {} ({}, image {}) has run without a Node since {}; SSM {}",
              inv.getNode(),
              inv.getInstanceId(),
              inv.getInstanceType(),
              inv.getImage(),
              inv.getLaunchedAt(),
              inv.getSsmPingStatus());
        }
      }
    } else if (d instanceof Tombstone t && !tombstoned.containsKey(t.node())) {
      if (send(() -> sink.inventoryRemoved(t.node()), t.node())) {
        tombstoned.put(t.node(), Boolean.TRUE);
        published.remove(t.node());
        count("tombstone");
        log.info("node={} inventory removed: {}", t.node(), t.why());
      }
    }
  }

  /** Logs and counts each scheduled event {@code inv} lists that {@code last} did not. */
  private void logScheduled(NodeInventory last, NodeInventory inv) {
    if (inv.getScheduledEvents() == null) {
      return;
    }
    List<CloudScheduledEvent> before =
        last == null || last.getScheduledEvents() == null ? List.of() : last.getScheduledEvents();
    for (CloudScheduledEvent e : inv.getScheduledEvents()) {
      if (!before.contains(e)) {
        count("scheduled-event");
        log.info(
            "node={} EC2 scheduled event {} {} {} not before {}: {}",
            inv.getNode(),
            e.getEventId(),
            e.getCode(),
            e.getState(),
            e.getNotBefore(),
            e.getDescription());
      }
    }
  }

  private void publishEvents(List<NodeEvent> events) {
    for (NodeEvent e : events) {
      if (send(() -> sink.nodeEvent(e), e.getNode())) {
        count("node-event");
      }
    }
  }

  private boolean send(Runnable r, String node) {
    try {
      r.run();
      return true;
    } catch (RuntimeException e) {
      error("sink");
      log.warn("node={} record not published: {}", node, e.toString());
      return false;
    }
  }

  private void count(String record) {
    meters.counter(WatchMetrics.PUBLISHED, "record", record).increment();
  }

  private void error(String stage) {
    meters.counter(WatchMetrics.ERRORS, "stage", stage).increment();
  }

  /** Nodes seen (tests, health). */
  int nodeCount() {
    synchronized (lock) {
      return nodes.size();
    }
  }

  /** Stops the informer and the poller; the client and cloud stay open. */
  @Override
  public void close() {
    SharedIndexInformer<Node> i;
    SharedIndexInformer<Pod> pods;
    ScheduledExecutorService p;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      i = informer;
      pods = podInformer;
      p = poller;
    }
    if (pods != null) {
      pods.close();
    }
    if (p != null) {
      p.shutdownNow();
    }
    if (i != null) {
      i.close();
    }
  }
}
