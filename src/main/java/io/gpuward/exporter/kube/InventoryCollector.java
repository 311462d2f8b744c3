package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gpuward.avro.NodeInventory;
import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.TelemetrySink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link NodeInventory} of the node the exporter runs on and publishes it when it starts
 * and whenever a field changes.
 *
 * <h2>Sources, first that has a valid value wins</h2>
 *
 * <ul>
 *   <li>instance id: the Node's {@code spec.providerID} ({@code aws:///us-east-1a/i-0abc...}), then
 *       IMDS;
 *   <li>instance type: label {@code node.kubernetes.io/instance-type}, its beta label, IMDS;
 *   <li>zone: label {@code topology.kubernetes.io/zone}, its beta label, the provider id, IMDS;
 *   <li>node group: {@code eks.amazonaws.com/nodegroup}, {@code karpenter.sh/nodepool}, {@code
 *       alpha.eksctl.io/nodegroup-name};
 *   <li>image: label {@code eks.amazonaws.com/nodegroup-image} unless it is an AMI id (EKS puts the
 *       AMI id there), then {@code status.nodeInfo.osImage} (Bottlerocket names its variant there);
 *   <li>AMI id: IMDS, then the node group image label when it is an AMI id;
 *   <li>ASG: IMDS instance tags ({@code aws:autoscaling:groupName}) only;
 *   <li>driver version: GFD label {@code nvidia.com/cuda.driver-version.full} (older GFD: the
 *       major/minor/rev labels);
 *   <li>expected GPUs, GPU model, MIG: {@link InstanceTypeCatalog} by instance type;
 *   <li>registered: a Node object exists; launchedAt: its creationTimestamp; updatedAt: the clock.
 * </ul>
 *
 * When IMDS names a different instance than the Node's provider id, IMDS is ignored (logged): the
 * record describes the Node. Every identifier from the wire is checked ({@link KubeIds}) before it
 * reaches the record; one that fails is left out, logged and counted in {@link
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
    if (last != null && sameExceptTime(last, inv)) {
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

  private static boolean sameExceptTime(NodeInventory a, NodeInventory b) {
    return NodeInventory.newBuilder(a).setUpdatedAt(b.getUpdatedAt()).build().equals(b);
  }

  /** The inventory from a Node (null: none registered) and the instance metadata read at start. */
  NodeInventory build(Node n) {
    Map<String, String> labels =
        n != null && n.getMetadata().getLabels() != null ? n.getMetadata().getLabels() : Map.of();
    KubeIds.ProviderId provider = providerId(n);
    InstanceMetadata md = metadata;
    String mdInstanceId = null;
    if (md != null) {
      mdInstanceId = valid("instanceId", md.instanceId(), KubeIds::isInstanceId, "IMDS");
      if (provider != null && mdInstanceId != null && !mdInstanceId.equals(provider.instanceId())) {
        if (reported.put("mismatch/" + mdInstanceId, Boolean.TRUE) == null) {
          log.warn(
              "node={} IMDS describes instance {} but the Node's providerID names {}; IMDS"
                  + " ignored",
              node,
              mdInstanceId,
              provider.instanceId());
        }
        md = null;
        mdInstanceId = null;
      }
    }
    String instanceId = first(provider != null ? provider.instanceId() : null, mdInstanceId);
    String instanceType =
        first(
            valid(
                "instanceType",
                labels.get(NodeLabels.INSTANCE_TYPE),
                KubeIds::isInstanceType,
                "label"),
            valid(
                "instanceType",
                labels.get(NodeLabels.INSTANCE_TYPE_BETA),
                KubeIds::isInstanceType,
                "label"),
            md != null
                ? valid("instanceType", md.instanceType(), KubeIds::isInstanceType, "IMDS")
                : null);
    String zone =
        first(
            valid("zone", labels.get(NodeLabels.ZONE), KubeIds::isZone, "label"),
            valid("zone", labels.get(NodeLabels.ZONE_BETA), KubeIds::isZone, "label"),
            provider != null ? provider.zone() : null,
            md != null ? valid("zone", md.zone(), KubeIds::isZone, "IMDS") : null);
    String nodegroup =
        first(
            blankToNull(labels.get(NodeLabels.EKS_NODEGROUP)),
            blankToNull(labels.get(NodeLabels.KARPENTER_NODEPOOL)),
            blankToNull(labels.get(NodeLabels.EKSCTL_NODEGROUP)));
    String groupImage = blankToNull(labels.get(NodeLabels.EKS_NODEGROUP_IMAGE));
    boolean groupImageIsAmi = KubeIds.isAmiId(groupImage);
    String osImage =
        n != null && n.getStatus() != null && n.getStatus().getNodeInfo() != null
            ? blankToNull(n.getStatus().getNodeInfo().getOsImage())
            : null;
    String image = first(groupImageIsAmi ? null : groupImage, osImage);
    String amiId =
        first(
            md != null ? valid("amiId", md.amiId(), KubeIds::isAmiId, "IMDS") : null,
            groupImageIsAmi ? groupImage : null);
    String asgName = md != null ? valid("asgName", md.asgName(), KubeIds::isAsgName, "IMDS") : null;

    InstanceType type = instanceType != null ? catalog.resolve(instanceType) : null;
    Map<String, String> ofInterest = new LinkedHashMap<>(NodeLabels.ofInterest(labels));
    Instant launched = n != null ? KubeTimes.parse(n.getMetadata().getCreationTimestamp()) : null;
    return NodeInventory.newBuilder()
        .setNode(node)
        .setInstanceId(instanceId)
        .setInstanceType(instanceType)
        .setNodegroup(nodegroup)
        .setAsgName(asgName)
        .setZone(zone)
        .setImage(image)
        .setAmiId(amiId)
        .setExpectedGpus(type != null ? type.nvidiaGpus() : 0)
        .setGpuModel(type != null && !type.gpuModel().isEmpty() ? type.gpuModel() : null)
        .setMigCapable(type != null && type.migCapable())
        .setDriverVersion(driverVersion(labels))
        .setRegistered(n != null)
        .setLaunchedAt(launched != null ? launched.truncatedTo(ChronoUnit.MILLIS) : null)
        .setUpdatedAt(now())
        .setLabels(ofInterest)
        .build();
  }

  private KubeIds.ProviderId providerId(Node n) {
    if (n == null || n.getSpec() == null || n.getSpec().getProviderID() == null) {
      return null;
    }
    String pid = n.getSpec().getProviderID();
    Optional<KubeIds.ProviderId> parsed = KubeIds.parseProviderId(pid);
    if (parsed.isEmpty() && pid.startsWith("aws://")) {
      invalid("instanceId", pid, "providerID");
    }
    return parsed.orElse(null);
  }

  private static String driverVersion(Map<String, String> labels) {
    String full = blankToNull(labels.get(NodeLabels.DRIVER_VERSION));
    if (full != null) {
      return full;
    }
    String major = blankToNull(labels.get(NodeLabels.DRIVER_MAJOR));
    String minor = blankToNull(labels.get(NodeLabels.DRIVER_MINOR));
    String rev = blankToNull(labels.get(NodeLabels.DRIVER_REV));
    if (major == null || minor == null) {
      return null;
    }
    return major + "." + minor + (rev != null ? "." + rev : "");
  }

  private String valid(String field, String value, Predicate<String> check, String from) {
    if (value == null) {
      return null;
    }
    if (check.test(value)) {
      return value;
    }
    invalid(field, value, from);
    return null;
  }

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

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
