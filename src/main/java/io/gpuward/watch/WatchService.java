package io.gpuward.watch;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.KubeIds;
import io.gpuward.kube.NodeInventories;
import io.gpuward.ops.Health;
import io.gpuward.ops.HealthCheck;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gpuward watch}: competes for a coordination.k8s.io Lease with the other replicas and,
 * while it holds it, runs a {@link ClusterWatcher} term, the only writer of inventory. Losing the
 * lease stops the term at once; winning it again starts a fresh one.
 *
 * <p>Health ({@link #health()}): a replica that is not the leader is healthy (it is a warm
 * standby); the leader is unhealthy while its Node watch is down, so Kubernetes restarts a leader
 * that can no longer see the cluster and another replica takes over.
 */
public final class WatchService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WatchService.class);

  /** Gauges shared by the terms: a term ends, its numbers stay registered. */
  record Gauges(AtomicInteger leader, AtomicInteger nodes, AtomicInteger instances) {
    static Gauges register(MeterRegistry meters) {
      Gauges g = new Gauges(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
      meters.gauge(WatchMetrics.LEADER, g.leader());
      meters.gauge(WatchMetrics.NODES, g.nodes());
      meters.gauge(WatchMetrics.INSTANCES, g.instances());
      return g;
    }
  }

  private final KubernetesClient client;
  private final CloudPort cloud;
  private final WatchSink sink;
  private final Clock clock;
  private final WatchSettings settings;
  private final MeterRegistry meters;
  private final Gauges gauges;
  private final FleetReconciler reconciler;
  private final Object lock = new Object();
  private volatile ClusterWatcher term;
  private volatile String leader;
  private CompletableFuture<?> election;
  private boolean closed;

  /**
   * @param client the Kubernetes client (not closed here)
   * @param cloud the cloud, or null for Kubernetes alone (not closed here)
   * @param sink where the leader's records go
   */
  public WatchService(
      KubernetesClient client,
      CloudPort cloud,
      WatchSink sink,
      Clock clock,
      WatchSettings settings,
      InstanceTypeCatalog catalog,
      MeterRegistry meters) {
    this.client = Objects.requireNonNull(client, "client");
    this.cloud = cloud;
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.gauges = Gauges.register(meters);
    this.reconciler = new FleetReconciler(catalog, settings.unregisteredGrace(), problems(meters));
  }

  /** Joins the election; returns at once. */
  public void start() {
    LeaderElectionConfig config =
        new LeaderElectionConfig(
            new LeaseLock(settings.leaseNamespace(), settings.leaseName(), settings.identity()),
            settings.leaseDuration(),
            settings.renewDeadline(),
            settings.retryPeriod(),
            new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader),
            true,
            settings.leaseName());
    LeaderElector elector = client.leaderElector().withConfig(config).build();
    synchronized (lock) {
      election = elector.start();
    }
    log.info(
        "watch {}: competing for lease {}/{} as {}",
        settings.cluster(),
        settings.leaseNamespace(),
        settings.leaseName(),
        settings.identity());
  }

  private void startLeading() {
    synchronized (lock) {
      if (closed || term != null) {
        return;
      }
      gauges.leader().set(1);
      term = new ClusterWatcher(client, cloud, sink, clock, settings, reconciler, meters, gauges);
      log.info("watch {}: {} leads; publishing inventory", settings.cluster(), settings.identity());
      term.start();
    }
  }

  private void stopLeading() {
    ClusterWatcher t;
    boolean leaving;
    synchronized (lock) {
      t = term;
      term = null;
      leaving = closed;
      gauges.leader().set(0);
    }
    if (t == null) {
      return;
    }
    t.close();
    if (leaving) {
      log.info("watch {}: {} stopped; lease released", settings.cluster(), settings.identity());
    } else {
      log.warn(
          "watch {}: {} lost the lease; stopped publishing",
          settings.cluster(),
          settings.identity());
    }
  }

  private void newLeader(String who) {
    leader = who;
    log.info("watch {}: leader is {}", settings.cluster(), who);
  }

  /** Whether this replica leads now. */
  public boolean isLeader() {
    return term != null;
  }

  /** The current leader's identity as last announced, or null. */
  public String leader() {
    return leader;
  }

  /** Not leading: up. Leading: up while the Node watch is connected. */
  public HealthCheck health() {
    return () -> {
      ClusterWatcher t = term;
      if (t == null || t.isWatching()) {
        return Health.UP;
      }
      return Health.down("leader without a Node watch");
    };
  }

  /** The running term (tests). */
  ClusterWatcher term() {
    return term;
  }

  private static NodeInventories.Problems problems(MeterRegistry meters) {
    return new NodeInventories.Problems() {
      @Override
      public void invalid(String field, String value, String from) {
        meters.counter(WatchMetrics.INVALID_IDS, "field", field).increment();
        log.debug("{} '{}' from {} is not valid; left out", field, KubeIds.printable(value), from);
      }

      @Override
      public void mismatch(String cloudId, String nodeId) {
        log.debug("EC2 instance {} is not the Node's provider id {}; EC2 ignored", cloudId, nodeId);
      }
    };
  }

  /** Leaves the election (releasing the lease) and stops the term. */
  @Override
  public void close() {
    CompletableFuture<?> e;
    synchronized (lock) {
      closed = true;
      e = election;
    }
    if (e != null) {
      e.cancel(true);
    }
    stopLeading();
  }
}
