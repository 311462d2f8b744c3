package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gpuward.avro.NodeInventory;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.InstanceMetadata;
import io.gpuward.kube.KubeEvents;
import io.gpuward.kube.KubeIds;
import io.gpuward.kube.NodeInventories;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link NodeInventory} of the node the exporter runs on and publishes it when it starts
 * and whenever a field changes.
 *
 * <p>The mapping from the Node and IMDS is {@link NodeInventories}, shared with the watcher.
 *
 * <p>When IMDS names a different instance than the Node's provider id, IMDS is ignored (logged):
 * the record describes the Node. Every identifier from the wire is checked ({@link KubeIds}) before
 * it reaches the record; one that fails is left out, logged and counted in {@link
 * KubeMetrics#INVALID_IDS}.
 *
 * <h2>The seam with {@link NodeWatcher}</h2>
 *
 * It is a {@link NodeListener}: register it with {@link NodeWatcher#addNodeListener}, and every
 * Node version the watcher sees is offered to it; only a change of some field (other than {@code
 * updatedAt}) publishes. Thread-safe.
 */
public final class InventoryCollector implements NodeListener {
  private static final Logger log = LoggerFactory.getLogger(InventoryCollector.class);

  private final KubernetesClient client;
  private final String node;
  private final TelemetrySink sink;
  private final Clock clock;
  private final InstanceTypeCatalog catalog;
  private final Ec2Metadata imds;
  private final MeterRegistry meters;

  private final Map<String, Boolean> reported = KubeEvents.bounded(256);
  private InstanceMetadata metadata;
  private NodeInventory last;
  private long published;

  /** A collector without a meter registry of its own. */
  public InventoryCollector(
      KubernetesClient client,
      String node,
      TelemetrySink sink,
      Clock clock,
      InstanceTypeCatalog catalog,
      Ec2Metadata imds) {
    this(client, node, sink, clock, catalog, imds, new SimpleMeterRegistry());
  }

  /**
   * A collector for {@code node}.
   *
   * @param client reads the Node at start (not closed here)
   * @param node the node's name
   * @param sink where inventory records go
   * @param clock updatedAt
   * @param catalog expected GPUs by instance type
   * @param imds the instance metadata service, or null not to ask it
   * @param meters registry for {@link KubeMetrics}
   * @throws IllegalArgumentException when {@code node} is not a DNS-1123 subdomain
   */
  public InventoryCollector(
      KubernetesClient client,
      String node,
      TelemetrySink sink,
      Clock clock,
      InstanceTypeCatalog catalog,
      Ec2Metadata imds,
      MeterRegistry meters) {
    this.client = Objects.requireNonNull(client, "client");
    this.node = KubeIds.requireNodeName(node);
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.imds = imds;
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  /**
   * Reads instance metadata (once; up to a few timeouts when not on EC2) and the Node, and
   * publishes the inventory. A Node that does not exist gives {@code registered=false}; when the
   * API cannot be read nothing is published now, and the first Node the watcher offers publishes.
   */
  public void start() {
    InstanceMetadata md = imds != null ? imds.fetch().orElse(null) : null;
    Node n;
    try {
      n = client.nodes().withName(node).get();
    } catch (KubernetesClientException e) {
      synchronized (this) {
        metadata = md;
      }
      meters.counter(KubeMetrics.ERRORS, "stage", "inventory").increment();
      log.warn(
          "node={} cannot read the Node object (HTTP {}): {}; inventory waits for the watcher",
          node,
          e.getCode(),
          e.getMessage());
      return;
    }
    synchronized (this) {
      metadata = md;
      if (n == null) {
        log.info("node={} has no Node object yet; inventory from instance metadata", node);
      }
      publishIfChanged(build(n));
    }
  }

  @Override
  public synchronized void onNode(Node n) {
    if (n == null || n.getMetadata() == null || !node.equals(n.getMetadata().getName())) {
      return;
    }
    publishIfChanged(build(n));
  }

  @Override
  public synchronized void onNodeRemoved(String removed) {
    if (!node.equals(removed) || last == null || !Boolean.TRUE.equals(last.getRegistered())) {
      return;
    }
    publishIfChanged(
        NodeInventory.newBuilder(last).setRegistered(false).setUpdatedAt(now()).build());
  }

  /** The last inventory published. */
  public synchronized Optional<NodeInventory> current() {
    return Optional.ofNullable(last);
  }

  /** Inventory records published so far. */
  public synchronized long published() {
    return published;
  }

  private void publishIfChanged(NodeInventory inv) {
    if (last != null && NodeInventories.sameExceptTime(last, inv)) {
      return;
    }
    try {
      sink.inventory(inv);
    } catch (RuntimeException e) {
      meters.counter(KubeMetrics.ERRORS, "stage", "inventory").increment();
      log.warn("node={} inventory not published: {}", node, e.toString());
      return;
    }
    last = inv;
    published++;
    meters.counter(KubeMetrics.INVENTORY_PUBLISHED).increment();
    log.info(
        "node={} inventory: instance {} type {} group {} zone {} image {} expected GPUs {} ({})"
            + " driver {} registered {}",
        node,
        inv.getInstanceId(),
        inv.getInstanceType(),
        inv.getNodegroup(),
        inv.getZone(),
        inv.getImage(),
        inv.getExpectedGpus(),
        inv.getGpuModel(),
        inv.getDriverVersion(),
        inv.getRegistered());
  }

  /** The inventory from a Node (null: none registered) and the instance metadata read at start. */
  NodeInventory build(Node n) {
    return NodeInventories.fromNode(node, n, metadata, "IMDS", catalog, now(), problems);
  }

  private final NodeInventories.Problems problems =
      new NodeInventories.Problems() {
        @Override
        public void invalid(String field, String value, String from) {
          InventoryCollector.this.invalid(field, value, from);
        }

        @Override
        public void mismatch(String cloudId, String nodeId) {
          if (reported.put("mismatch/" + cloudId, Boolean.TRUE) == null) {
            log.warn(
                "node={} IMDS describes instance {} but the Node's providerID names {}; IMDS"
                    + " ignored",
                node,
                cloudId,
                nodeId);
          }
        }
      };

  private void invalid(String field, String value, String from) {
    if (reported.put(field + "/" + from + "/" + value, Boolean.TRUE) != null) {
      return; // reported already: every Node update would repeat it
    }
    meters.counter(KubeMetrics.INVALID_IDS, "field", field).increment();
    log.warn(
        "node={} {} '{}' from {} is not valid; left out of the inventory",
        node,
        field,
        KubeIds.printable(value),
        from);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
