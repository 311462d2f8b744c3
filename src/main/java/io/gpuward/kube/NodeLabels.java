package io.gpuward.kube;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Node label keys gpuward reads, and the subset of a node's labels that it reports. */
public final class NodeLabels {
  private NodeLabels() {}

  public static final String INSTANCE_TYPE = "node.kubernetes.io/instance-type";
  public static final String INSTANCE_TYPE_BETA = "beta.kubernetes.io/instance-type";
  public static final String ZONE = "topology.kubernetes.io/zone";
  public static final String ZONE_BETA = "failure-domain.beta.kubernetes.io/zone";
  public static final String EKS_NODEGROUP = "eks.amazonaws.com/nodegroup";
  public static final String EKS_NODEGROUP_IMAGE = "eks.amazonaws.com/nodegroup-image";
  public static final String KARPENTER_NODEPOOL = "karpenter.sh/nodepool";
  public static final String EKSCTL_NODEGROUP = "alpha.eksctl.io/nodegroup-name";
  public static final String DRIVER_VERSION = "nvidia.com/cuda.driver-version.full";
  public static final String DRIVER_MAJOR = "nvidia.com/cuda.driver.major";
  public static final String DRIVER_MINOR = "nvidia.com/cuda.driver.minor";
  public static final String DRIVER_REV = "nvidia.com/cuda.driver.rev";

  /** Every label under this prefix is of interest (GFD, GPU Operator deploy/state labels). */
  public static final String NVIDIA_PREFIX = "nvidia.com/";

  /** Labels of interest outside {@link #NVIDIA_PREFIX}. */
  public static final Set<String> OF_INTEREST =
      Set.of(
          "feature.node.kubernetes.io/pci-10de.present",
          "feature.node.kubernetes.io/pci-0302_10de.present",
          "feature.node.kubernetes.io/pci-0300_10de.present",
          EKS_NODEGROUP,
          KARPENTER_NODEPOOL,
          EKSCTL_NODEGROUP,
          INSTANCE_TYPE,
          ZONE);

  /**
   * NVIDIA labels that change without the node changing: GFD rewrites its timestamp label on every
   * pass (60 s by default), which would make every pass a new snapshot.
   */
  public static final Set<String> VOLATILE = Set.of("nvidia.com/gfd.timestamp");

  /** The labels of interest among {@code labels}, sorted by key (empty when none). */
  public static SortedMap<String, String> ofInterest(Map<String, String> labels) {
    TreeMap<String, String> out = new TreeMap<>();
    if (labels == null) {
      return out;
    }
    labels.forEach(
        (k, v) -> {
          if (k == null || v == null || VOLATILE.contains(k)) {
            return;
          }
          if (k.startsWith(NVIDIA_PREFIX) || OF_INTEREST.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
