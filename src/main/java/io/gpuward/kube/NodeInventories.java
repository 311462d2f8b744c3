package io.gpuward.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.gpuward.avro.CloudScheduledEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A Node object (and what the cloud says about its instance) as a {@link NodeInventory}: the one
 * mapping the exporter (one node, with IMDS) and the watcher (every node, with EC2) share. Pure: no
 * I/O, the time is given, and problems are handed to a {@link Problems} the caller logs and counts.
 *
 * <h2>Sources, first that has a valid value wins</h2>
 *
 * <ul>
 *   <li>instance id: the Node's {@code spec.providerID} ({@code aws:///us-east-1a/i-0abc...}), then
 *       the cloud;
 *   <li>instance type: label {@code node.kubernetes.io/instance-type}, its beta label, the cloud;
 *   <li>zone: label {@code topology.kubernetes.io/zone}, its beta label, the provider id, the
 *       cloud;
 *   <li>node group: {@code eks.amazonaws.com/nodegroup}, {@code karpenter.sh/nodepool}, {@code
 *       alpha.eksctl.io/nodegroup-name};
 *   <li>image: label {@code eks.amazonaws.com/nodegroup-image} unless it is an AMI id (EKS puts the
 *       AMI id there), then {@code status.nodeInfo.osImage} (Bottlerocket names its variant there);
 *   <li>AMI id: the cloud, then the node group image label when it is an AMI id;
 *   <li>ASG: the cloud only;
 *   <li>driver version: GFD label {@code nvidia.com/cuda.driver-version.full} (older GFD: the
 *       major/minor/rev labels);
 *   <li>expected GPUs, GPU model, MIG: {@link InstanceTypeCatalog} by instance type;
 *   <li>registered: a Node object exists; launchedAt: its creationTimestamp; updatedAt: given.
 * </ul>
 *
 * When the cloud names a different instance than the Node's provider id, the cloud is ignored: the
 * record describes the Node.
 */
public final class NodeInventories {
  private NodeInventories() {}

  /** Told about values that were left out; the caller logs and counts them. */
  public interface Problems {
    /** {@code field}'s {@code value} from {@code from} failed its {@link KubeIds} check. */
    void invalid(String field, String value, String from);

    /** The cloud describes {@code cloudId} but the Node's provider id names {@code nodeId}. */
    void mismatch(String cloudId, String nodeId);

    /** Ignores every problem (tests). */
    Problems IGNORE =
        new Problems() {
          @Override
          public void invalid(String field, String value, String from) {}

          @Override
          public void mismatch(String cloudId, String nodeId) {}
        };
  }

  /**
   * The inventory of {@code node}.
   *
   * @param node the node's name, valid
   * @param n the Node object, or null when none is registered
   * @param cloud what the cloud says about the instance (null: nothing)
   * @param cloudName how {@code cloud} is named in problems ({@code IMDS}, {@code EC2})
   * @param catalog expected GPUs by instance type
   * @param now updatedAt
   * @param problems told about values left out
   */
  public static NodeInventory fromNode(
      String node,
      Node n,
      InstanceMetadata cloud,
      String cloudName,
      InstanceTypeCatalog catalog,
      Instant now,
      Problems problems) {
    Map<String, String> labels =
        n != null && n.getMetadata().getLabels() != null ? n.getMetadata().getLabels() : Map.of();
    KubeIds.ProviderId provider = providerId(n, problems);
    Checked md = Checked.of(cloud, cloudName, problems);
    if (provider != null && md.instanceId() != null) {
      if (!md.instanceId().equals(provider.instanceId())) {
        problems.mismatch(md.instanceId(), provider.instanceId());
        md = Checked.NONE;
      }
    }
    String instanceId = first(provider != null ? provider.instanceId() : null, md.instanceId());
    String instanceType =
        first(
            valid(
                "instanceType",
                labels.get(NodeLabels.INSTANCE_TYPE),
                KubeIds::isInstanceType,
                problems),
            valid(
                "instanceType",
                labels.get(NodeLabels.INSTANCE_TYPE_BETA),
                KubeIds::isInstanceType,
                problems),
            md.instanceType());
    String zone =
        first(
            valid("zone", labels.get(NodeLabels.ZONE), KubeIds::isZone, problems),
            valid("zone", labels.get(NodeLabels.ZONE_BETA), KubeIds::isZone, problems),
            provider != null ? provider.zone() : null,
            md.zone());
    String groupImage = blankToNull(labels.get(NodeLabels.EKS_NODEGROUP_IMAGE));
    boolean groupImageIsAmi = KubeIds.isAmiId(groupImage);
    InstanceType type = instanceType != null ? catalog.resolve(instanceType) : null;
    Instant created = n != null ? KubeTimes.parse(n.getMetadata().getCreationTimestamp()) : null;
    // a creation stamped by an API server whose clock runs ahead is not after the record itself
    Instant launched = created != null && now != null && created.isAfter(now) ? now : created;
    return NodeInventory.newBuilder()
        .setNode(node)
        .setInstanceId(instanceId)
        .setInstanceType(instanceType)
        .setNodegroup(nodegroup(labels))
        .setAsgName(md.asgName())
        .setZone(zone)
        .setImage(first(groupImageIsAmi ? null : groupImage, osImage(n)))
        .setAmiId(first(md.amiId(), groupImageIsAmi ? groupImage : null))
        .setExpectedGpus(type != null ? type.nvidiaGpus() : 0)
        .setGpuModel(type != null && !type.gpuModel().isEmpty() ? type.gpuModel() : null)
        .setMigCapable(type != null && type.migCapable())
        .setDriverVersion(driverVersion(labels))
        .setRegistered(n != null)
        .setLaunchedAt(launched != null ? launched.truncatedTo(ChronoUnit.MILLIS) : null)
        .setUpdatedAt(now.truncatedTo(ChronoUnit.MILLIS))
        .setLabels(new LinkedHashMap<>(NodeLabels.ofInterest(labels)))
        .build();
  }

  /** The node group of a node's labels: EKS, then Karpenter, then eksctl; null when none. */
  public static String nodegroup(Map<String, String> labels) {
    return first(
        blankToNull(labels.get(NodeLabels.EKS_NODEGROUP)),
        blankToNull(labels.get(NodeLabels.KARPENTER_NODEPOOL)),
        blankToNull(labels.get(NodeLabels.EKSCTL_NODEGROUP)));
  }

  /** Whether two inventories differ in anything but {@code updatedAt}. */
  public static boolean sameExceptTime(NodeInventory a, NodeInventory b) {
    NodeInventory left =
        NodeInventory.newBuilder(a).setUpdatedAt(b.getUpdatedAt()).setScheduledEvents(null).build();
    NodeInventory right = NodeInventory.newBuilder(b).setScheduledEvents(null).build();
    return left.equals(right) && sameEvents(a.getScheduledEvents(), b.getScheduledEvents());
  }

  /**
   * Avro compares an array's elements with its global model, which has no logical-type conversions:
   * a scheduled event's nullable {@code notAfter} (an Instant) throws there. Each event compares
   * itself with its own model, which has them.
   */
  private static boolean sameEvents(List<CloudScheduledEvent> x, List<CloudScheduledEvent> y) {
    if (x == null || y == null) {
      return x == y;
    }
    if (x.size() != y.size()) {
      return false;
    }
    for (int i = 0; i < x.size(); i++) {
      if (!x.get(i).equals(y.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The cloud's values, each checked; an invalid or missing one is null. */
  private record Checked(
      String instanceId, String instanceType, String zone, String amiId, String asgName) {
    static final Checked NONE = new Checked(null, null, null, null, null);

    static Checked of(InstanceMetadata md, String from, Problems p) {
      if (md == null) {
        return NONE;
      }
      return new Checked(
          check("instanceId", md.instanceId(), KubeIds::isInstanceId, from, p),
          check("instanceType", md.instanceType(), KubeIds::isInstanceType, from, p),
          check("zone", md.zone(), KubeIds::isZone, from, p),
          check("amiId", md.amiId(), KubeIds::isAmiId, from, p),
          check("asgName", md.asgName(), KubeIds::isAsgName, from, p));
    }
  }

  private static KubeIds.ProviderId providerId(Node n, Problems problems) {
    if (n == null || n.getSpec() == null || n.getSpec().getProviderID() == null) {
      return null;
    }
    String pid = n.getSpec().getProviderID();
    Optional<KubeIds.ProviderId> parsed = KubeIds.parseProviderId(pid);
    if (parsed.isEmpty() && pid.startsWith("aws://")) {
      problems.invalid("instanceId", pid, "providerID");
    }
    return parsed.orElse(null);
  }

  private static String osImage(Node n) {
    return n != null && n.getStatus() != null && n.getStatus().getNodeInfo() != null
        ? blankToNull(n.getStatus().getNodeInfo().getOsImage())
        : null;
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

  private static String valid(
      String field, String value, Predicate<String> check, Problems problems) {
    return check(field, value, check, "label", problems);
  }

  private static String check(
      String field, String value, Predicate<String> check, String from, Problems problems) {
    if (value == null) {
      return null;
    }
    if (check.test(value)) {
      return value;
    }
    problems.invalid(field, value, from);
    return null;
  }

  @SafeVarargs
  static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
