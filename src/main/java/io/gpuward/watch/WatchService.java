package io.gpuward.watch;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.KubeIds;
import io.gpuward.kube.LeaseTerms;
import io.gpuward.kube.NodeInventories;
import io.gpuward.ops.Health;
import io.gpuward.ops.HealthCheck;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gpuward watch}: competes for a coordination.k8s.io Lease with the other replicas and,
 * while it holds it, runs a {@link ClusterWatcher} term, the only writer of inventory ({@link
 * LeaseTerms}). Losing the lease stops the term at once; winning it again starts a fresh one.
 *
 * <p>Health ({@link #health()}): a replica that is not the leader is healthy (it is a warm
 * standby); the leader is unhealthy while its Node watch is down, so Kubernetes restarts a leader
 * that can no longer see the cluster and another replica takes over.
 */
public final class WatchService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WatchService.class);

  /** Gauges shared by the terms: a term ends, its numbers stay registered. */
  record Gauges(AtomicInteger nodes, AtomicInteger instances) {
    static Gauges register(MeterRegistry meters) {
      Gauges g = new Gauges(new AtomicInteger(), new AtomicInteger());
      meters.gauge(WatchMetrics.NODES, g.nodes());
      meters.gauge(WatchMetrics.INSTANCES, g.instances());
      return g;
    }
  }

  private final WatchSettings settings;
  private final LeaseTerms<ClusterWatcher> terms;

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
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(meters, "meters");
    Gauges gauges = Gauges.register(meters);
    FleetReconciler reconciler =
        new FleetReconciler(catalog, settings.unregisteredGrace(), problems(meters));
    this.terms =
        new LeaseTerms<>(
            client,
            new LeaseTerms.Settings(
                "watch",
                settings.leaseName(),
                settings.leaseNamespace(),
                settings.identity(),
                settings.leaseDuration()),
            () -> {
              ClusterWatcher t =
                  new ClusterWatcher(
                      client, cloud, sink, clock, settings, reconciler, meters, gauges);
              t.start();
              return t;
            },
            clock,
            meters,
            WatchMetrics.LEADER);
  }

  /** Joins the election; returns at once. */
  public void start() {
    terms.start();
    log.info(
        "watch {}: {} publishes inventory while it leads", settings.cluster(), settings.identity());
  }

  /** Whether this replica leads now, with its term started. */
  public boolean isLeader() {
    return terms.term() != null;
  }

  /** The current leader's identity as last announced, or null. */
  public String leader() {
    return terms.leader();
  }

  /** Not leading: up. Leading: up while the Node watch is connected. */
  public HealthCheck health() {
    return () -> {
      if (terms.termFailed()) {
        return Health.down("leader whose watcher failed to start");
      }
      ClusterWatcher t = terms.term();
      if (t == null || t.isWatching()) {
        return Health.UP;
      }
      return Health.down("leader without a Node watch");
    };
  }

  /** The running term (tests). */
  ClusterWatcher term() {
    return terms.term();
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
    terms.close();
  }
}
