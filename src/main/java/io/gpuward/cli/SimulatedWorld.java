package io.gpuward.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.aws.AwsClients;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.contract.Topics;
import io.gpuward.exporter.kube.SharedNodeWatches;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.aws.AwsCloudActuator;
import io.gpuward.remediation.k8s.KubernetesActuatorSettings;
import io.gpuward.remediation.k8s.KubernetesClients;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.aws.AwsWorldServer;
import io.gpuward.sim.kube.KubeWorldServer;
import io.gpuward.watch.AwsCloud;
import io.gpuward.watch.KafkaWatchSink;
import io.gpuward.watch.WatchService;
import io.gpuward.watch.WatchSettings;
import io.gpuward.watch.WatchSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The demo's world and the production components that face it. The simulated cluster is served as a
 * Kubernetes API ({@link KubeWorldServer}) and as EC2, Auto Scaling, SSM and EKS ({@link
 * AwsWorldServer}); gpuward's own parts talk to those servers exactly as they talk to EKS: the
 * remediator through {@link KubernetesClusterActuator} and {@link AwsCloudActuator}, the watcher
 * ({@link WatchService}) through fabric8 informers and {@link AwsCloud}, publishing the inventory.
 * Nothing here calls the simulated cluster directly.
 */
final class SimulatedWorld implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedWorld.class);

  /**
   * Evictions a PodDisruptionBudget refused are retried every 2 s at most, as {@code kubectl drain}
   * retries every 5 s, instead of the production backoff up to 10 s: a demo of minutes shows a
   * whole ladder, and the simulated pods reschedule in seconds.
   */
  private static final KubernetesActuatorSettings DRAIN_SETTINGS =
      new KubernetesActuatorSettings(
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          Duration.ofSeconds(1),
          3,
          500,
          "gpuward.io/asg");

  /** The cluster name the simulated cloud tags its instances with. */
  static final String CLUSTER = AwsWorldServer.Settings.DEFAULTS.clusterName();

  private final Deque<AutoCloseable> closing = new ArrayDeque<>();
  private final KubernetesClusterActuator clusterActuator;
  private final AwsCloudActuator cloudActuator;
  private final WatchService watcher;
  private final KubeWorldServer kube;
  private final SimClock clock;
  private final MeterRegistry meters;
  private final Published published = new Published();

  /** The nodes whose inventory the watcher has sent. */
  private static final class Published {
    private final Set<String> nodes = ConcurrentHashMap.newKeySet();

    WatchSink counting(WatchSink downstream) {
      return new WatchSink() {
        @Override
        public void inventory(NodeInventory inventory) {
          downstream.inventory(inventory);
          nodes.add(inventory.getNode());
        }

        @Override
        public void inventoryRemoved(String node) {
          downstream.inventoryRemoved(node);
        }

        @Override
        public void nodeEvent(NodeEvent event) {
          downstream.nodeEvent(event);
        }
      };
    }
  }

  private SimulatedWorld(
      SimulatedCluster cluster,
      SimClock clock,
      Map<String, Object> kafkaProps,
      Topics topics,
      InstanceTypeCatalog types,
      MeterRegistry meters) {
    this.clock = clock;
    this.meters = meters;
    kube = push(KubeWorldServer.start(cluster));
    AwsWorldServer aws = push(AwsWorldServer.start(cluster, AwsWorldServer.Settings.DEFAULTS));
    KubernetesClient actuatorClient = push(KubernetesClients.create(kube.clientConfig()));
    AwsClients awsClients = push(awsClients(aws));
    clusterActuator =
        new KubernetesClusterActuator(
            actuatorClient, clock, d -> Thread.sleep(wallMillis(d, clock)), DRAIN_SETTINGS);
    cloudActuator =
        new AwsCloudActuator(
            awsClients,
            AwsCloudActuator.Settings.DEFAULTS,
            clock,
            d -> Thread.sleep(wallMillis(d, clock)),
            CLUSTER);
    KubernetesClient watchClient = push(KubernetesClients.create(kube.clientConfig()));
    AwsCloud cloud = push(new AwsCloud(awsClients(aws), CLUSTER));
    KafkaWatchSink sink = push(new KafkaWatchSink(kafkaProps, topics, "gpuward-demo-watch"));
    watcher =
        push(
            new WatchService(
                watchClient,
                cloud,
                published.counting(sink),
                clock,
                watchSettings(),
                types,
                meters));
  }

  /**
   * Starts the servers and the actuators' clients; closes what it started if any of it fails. The
   * watcher starts with {@link #startWatcher}, once the world has its nodes.
   */
  static SimulatedWorld start(
      SimulatedCluster cluster,
      SimClock clock,
      Map<String, Object> kafkaProps,
      Topics topics,
      InstanceTypeCatalog types,
      MeterRegistry meters) {
    SimulatedWorld world = null;
    try {
      world = new SimulatedWorld(cluster, clock, kafkaProps, topics, types, meters);
      return world;
    } catch (RuntimeException e) {
      if (world != null) {
        world.close();
      }
      throw e;
    }
  }

  /**
   * Starts the watcher on the world as it is now (its nodes served) and waits until it leads and
   * has sent the inventory of {@code nodes}, as a watcher that has run for a while has: telemetry
   * of a node the engine has no inventory for is dead-lettered after a grace.
   */
  void startWatcher(Collection<String> nodes, Duration timeout) {
    kube.sync();
    watcher.start();
    await(watcher::isLeader, timeout, () -> "the watcher did not take its lease");
    await(
        () -> published.nodes.containsAll(nodes),
        timeout,
        () -> {
          Set<String> missing = new TreeSet<>(nodes);
          missing.removeAll(published.nodes);
          return "the watcher sent no inventory for " + missing;
        });
  }

  /**
   * Wraps the simulator's sink: what its kubelets and controllers report (Events, conditions,
   * labels) appears in the simulated Kubernetes API, and every record still reaches {@code
   * downstream}.
   */
  TelemetrySink kubeletFeed(TelemetrySink downstream) {
    return kube.kubeletFeed(downstream);
  }

  /**
   * Starts the Kubernetes side of every node's exporter, the exporter DaemonSet's {@code
   * NodeWatcher}, publishing to {@code sink}: one per Node while it exists in the API, on shared
   * watches and their own client.
   */
  void startExporterWatches(TelemetrySink sink) {
    KubernetesClient client = push(KubernetesClients.create(kube.clientConfig()));
    SharedNodeWatches watches = push(new SharedNodeWatches(client, sink, clock, meters));
    watches
        .start()
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                log.warn(
                    "exporter kube watches not listed yet (they keep retrying): {}", e.toString());
              }
            });
  }

  private static void await(BooleanSupplier done, Duration timeout, Supplier<String> failure) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(failure.get() + " in " + timeout);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the watcher", e);
      }
    }
  }

  KubernetesClusterActuator clusterActuator() {
    return clusterActuator;
  }

  AwsCloudActuator cloudActuator() {
    return cloudActuator;
  }

  boolean watcherLeads() {
    return watcher.isLeader();
  }

  /**
   * The watcher's timings for a run of minutes: the cloud is polled every wall-clock second, the
   * lease is short so that the demo's only replica leads at once.
   */
  private static WatchSettings watchSettings() {
    return new WatchSettings(
        CLUSTER,
        Duration.ofSeconds(1),
        Duration.ofMinutes(5),
        Duration.ofSeconds(30),
        "gpuward-watch",
        "default",
        "gpuward-demo",
        Duration.ofSeconds(15));
  }

  private static AwsClients awsClients(AwsWorldServer aws) {
    return AwsClients.create(
        Region.of(aws.settings().region()),
        aws.endpoint(),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("demo", "demo")));
  }

  /** Waits of the actuators are simulated time: a 10 s poll at 10x speed waits 1 s of wall. */
  private static long wallMillis(Duration simulated, SimClock clock) {
    return Math.max(1, clock.wallTimeFor(simulated).toMillis());
  }

  private <T extends AutoCloseable> T push(T closeable) {
    closing.push(closeable);
    return closeable;
  }

  @Override
  public void close() {
    while (!closing.isEmpty()) {
      AutoCloseable c = closing.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing {} of the simulated world failed: {}", c.getClass().getSimpleName(), e);
      }
    }
  }
}
