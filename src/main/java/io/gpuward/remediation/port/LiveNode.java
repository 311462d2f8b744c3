package io.gpuward.remediation.port;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster says about a node right now; the remediator checks a verdict against it before
 * acting (freshness: node gone, boot id changed, cordoned by someone else) and takes the node's
 * node group and zone from its labels, never from the verdict.
 *
 * @param name Kubernetes node name
 * @param bootId status.nodeInfo.bootID
 * @param ready Ready condition is True
 * @param unschedulable spec.unschedulable (cordoned)
 * @param cordonedBy operation id gpuward recorded when it cordoned the node (annotation), empty
 *     when gpuward did not cordon it
 * @param instanceId EC2 instance id from spec.providerID
 * @param asgName Auto Scaling group of the instance, when known
 * @param labels the Node object's labels (empty when unknown)
 * @param osImage status.nodeInfo.osImage, e.g. {@code Bottlerocket OS 1.20.3 (aws-k8s-1.29-nvidia)}
 *     ("" when unknown): how a GPU can be reset on it depends on the image family
 * @param gpus its {@code nvidia.com/gpu} capacity and allocatable: whether the device plugin took a
 *     bad GPU out of what the scheduler may place pods on
 * @param draDevices the devices a DRA driver publishes for the node in ResourceSlices (the
 *     configured driver's only); empty when its GPUs are not allocated through DRA, or unknown
 */
public record LiveNode(
    String name,
    String bootId,
    boolean ready,
    boolean unschedulable,
    Optional<String> cordonedBy,
    String instanceId,
    String asgName,
    Map<String, String> labels,
    String osImage,
    GpuCount gpus,
    List<DraDevice> draDevices) {

  /** Node group labels, most specific first: EKS managed node groups, Karpenter, eksctl. */
  public static final String[] NODEGROUP_LABELS = {
    "eks.amazonaws.com/nodegroup", "karpenter.sh/nodepool", "alpha.eksctl.io/nodegroup-name"
  };

  /** Zone labels: the GA one, then the deprecated beta one. */
  public static final String[] ZONE_LABELS = {
    "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"
  };

  public LiveNode {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    osImage = osImage == null ? "" : osImage;
    gpus = gpus == null ? GpuCount.UNKNOWN : gpus;
    draDevices = draDevices == null ? List.of() : List.copyOf(draDevices);
  }

  /** This node with the DRA devices published for it. */
  public LiveNode withDraDevices(List<DraDevice> devices) {
    return toBuilder().draDevices(devices).build();
  }

  /** A node called {@code name}; every other part unknown until set. */
  public static Builder named(String name) {
    return new Builder(name);
  }

  /** A builder holding this node's parts. */
  public Builder toBuilder() {
    return named(name)
        .bootId(bootId)
        .ready(ready)
        .unschedulable(unschedulable)
        .cordonedBy(cordonedBy)
        .instanceId(instanceId)
        .asgName(asgName)
        .labels(labels)
        .osImage(osImage)
        .gpus(gpus)
        .draDevices(draDevices);
  }

  /**
   * Builds a {@link LiveNode} part by part (the record has eleven): not Ready, schedulable, not
   * cordoned by gpuward, no ids, labels, OS image or DRA devices, GPU counts unknown, until set.
   */
  public static final class Builder {
    private final String name;
    private String bootId;
    private boolean ready;
    private boolean unschedulable;
    private Optional<String> cordonedBy = Optional.empty();
    private String instanceId;
    private String asgName;
    private Map<String, String> labels = Map.of();
    private String osImage = "";
    private GpuCount gpus = GpuCount.UNKNOWN;
    private List<DraDevice> draDevices = List.of();

    private Builder(String name) {
      this.name = name;
    }

    public Builder bootId(String v) {
      bootId = v;
      return this;
    }

    public Builder ready(boolean v) {
      ready = v;
      return this;
    }

    public Builder unschedulable(boolean v) {
      unschedulable = v;
      return this;
    }

    public Builder cordonedBy(Optional<String> v) {
      cordonedBy = v;
      return this;
    }

    public Builder instanceId(String v) {
      instanceId = v;
      return this;
    }

    public Builder asgName(String v) {
      asgName = v;
      return this;
    }

    public Builder labels(Map<String, String> v) {
      labels = v;
      return this;
    }

    public Builder osImage(String v) {
      osImage = v;
      return this;
    }

    public Builder gpus(GpuCount v) {
      gpus = v;
      return this;
    }

    public Builder draDevices(List<DraDevice> v) {
      draDevices = v;
      return this;
    }

    public LiveNode build() {
      return new LiveNode(
          name,
          bootId,
          ready,
          unschedulable,
          cordonedBy,
          instanceId,
          asgName,
          labels,
          osImage,
          gpus,
          draDevices);
    }
  }

  /**
   * A node's {@code nvidia.com/gpu} in status.capacity and status.allocatable; -1 where the API did
   * not say. The device plugin advertises a GPU it found unhealthy (an XID, for the NVIDIA plugin)
   * in capacity only, so allocatable below capacity means the scheduler places no pod on it.
   */
  public record GpuCount(int capacity, int allocatable) {
    public static final GpuCount UNKNOWN = new GpuCount(-1, -1);

    /** Both numbers known. */
    public boolean known() {
      return capacity >= 0 && allocatable >= 0;
    }

    /** GPUs in capacity the scheduler may not use, 0 when unknown. */
    public int withheld() {
      return known() ? Math.max(0, capacity - allocatable) : 0;
    }
  }

  /** True when the node is cordoned and gpuward is not the one that cordoned it. */
  public boolean cordonedBySomeoneElse() {
    return unschedulable && cordonedBy.isEmpty();
  }

  /**
   * True when gpuward marked the node {@link HealthMark#DEGRADED} without cordoning it: a GPU of it
   * is out of service while the node stays schedulable. The label key is gpuward's own, so its
   * value is the mark of ownership that a cordon's annotation is for a cordoned node.
   */
  public boolean degraded() {
    return HealthMark.DEGRADED.value().equals(labels.get(HealthMark.LABEL));
  }

  /** The node group its labels name, if any. */
  public Optional<String> nodegroup() {
    return firstLabel(NODEGROUP_LABELS);
  }

  /** The availability zone its labels name, if any. */
  public Optional<String> zone() {
    return firstLabel(ZONE_LABELS);
  }

  private Optional<String> firstLabel(String[] keys) {
    for (String k : keys) {
      String v = labels.get(k);
      if (v != null && !v.isBlank()) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
