package io.gpuward.sim.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.sim.SimulatedCluster;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated cluster served as a Kubernetes API: gpuward's production Kubernetes code (the
 * remediator's actuator, the control-plane watcher, the exporter's node watcher) acts on the
 * simulated world through the same HTTP API it uses in production.
 *
 * <p>The {@link SimulatedCluster} stays the source of truth; this server is its front end. Its
 * Nodes, Pods and PodDisruptionBudgets are projected into a fabric8 CRUD store ({@link Projection},
 * every {@link #PROJECTION_PERIOD} and after every forwarded write); a cordon, an uncordon and an
 * eviction are handed to the cluster model ({@link RequestRouter}); other writes to those objects
 * are refused with 403. Everything else a client writes (Leases, Events) lives in the store.
 *
 * <pre>{@code
 * KubeWorldServer world = KubeWorldServer.start(cluster);
 * FleetSimulator sim = new FleetSimulator(scenario, catalog, cluster, world.kubeletFeed(sink));
 * KubernetesClient kube = new KubernetesClientBuilder().withConfig(world.clientConfig()).build();
 * }</pre>
 */
public final class KubeWorldServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KubeWorldServer.class);

  /** Wall time between projections of the cluster model when nothing asks for one. */
  public static final Duration PROJECTION_PERIOD = Duration.ofMillis(50);

  private final CrudStore store;
  private final KubeletFeed feed;
  private final Projection projection;
  private final ResetJobRunner jobs;
  private final KubernetesMockServer server;
  private final ScheduledExecutorService projector;

  private KubeWorldServer(SimulatedCluster cluster) {
    Objects.requireNonNull(cluster, "cluster");
    this.store = new CrudStore(new KubernetesCrudDispatcher());
    this.feed = new KubeletFeed(store::put, this::sync);
    this.projection = new Projection(cluster, store, feed);
    this.jobs = new ResetJobRunner(cluster, store);
    this.server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new RequestRouter(cluster, store, this::sync, jobs),
            false);
    this.projector =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gpuward-kube-world");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Serves {@code cluster} on 127.0.0.1:{@code port} (0 for a free port): projects it once, then
   * keeps projecting it until {@link #close}.
   */
  public static KubeWorldServer start(SimulatedCluster cluster, int port) {
    MockServerLogging.quiet();
    KubeWorldServer w = new KubeWorldServer(cluster);
    w.sync();
    w.server.init(InetAddress.getLoopbackAddress(), port);
    long period = PROJECTION_PERIOD.toMillis();
    w.projector.scheduleWithFixedDelay(w::syncQuietly, period, period, TimeUnit.MILLISECONDS);
    log.info("kube world: serving the simulated cluster at {}", w.url());
    return w;
  }

  /** Serves {@code cluster} on a free loopback port. */
  public static KubeWorldServer start(SimulatedCluster cluster) {
    return start(cluster, 0);
  }

  /** The API server's base URL, e.g. {@code http://127.0.0.1:41234/}. */
  public String url() {
    return server.url("/");
  }

  /** A client configuration for this server: no credentials, HTTP/1.1, namespace default. */
  public Config clientConfig() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withTrustCerts(true)
        .withNamespace("default")
        .withHttp2Disable(true)
        .build();
  }

  /**
   * A kubeconfig for this server, for clients in other processes ({@code KUBECONFIG=file}): one
   * cluster, context and user, all named {@code gpuward-sim}; no credentials, since the server
   * checks none.
   */
  public String kubeconfig() {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: gpuward-sim",
        "  cluster:",
        "    server: " + url(),
        "users:",
        "- name: gpuward-sim",
        "  user: {}",
        "contexts:",
        "- name: gpuward-sim",
        "  context:",
        "    cluster: gpuward-sim",
        "    user: gpuward-sim",
        "    namespace: default",
        "current-context: gpuward-sim",
        "");
  }

  /**
   * Wraps the simulator's sink: Node and Pod Events, extra node conditions and feature-discovery
   * labels the simulator reports appear in the API, and every record still reaches {@code
   * downstream}. Without it the API serves only what the cluster model holds.
   */
  public TelemetrySink kubeletFeed(TelemetrySink downstream) {
    return feed.before(downstream);
  }

  /** Projects the cluster model into the API now; the next read shows its current state. */
  public void sync() {
    projection.sync();
    jobs.sync();
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (RuntimeException e) {
      // Logged and retried at the next period: one bad projection must not stop the API's updates.
      log.warn("kube world: projection failed, retrying in {}: {}", PROJECTION_PERIOD, e, e);
    }
  }

  @Override
  public void close() {
    projector.shutdownNow();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // fabric8's server waits a bounded time for open watch connections; the port is freed anyway.
      log.warn("kube world: {} did not close cleanly: {}", url(), e.toString());
    }
  }
}
