package io.gpuward.remediation;

import io.gpuward.remediation.port.LiveNode;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which nodes gpuward may touch: a node matches one of {@code selectors} (label selectors on the
 * live Node object), or, with {@code gpuInstanceTypes}, its {@code
 * node.kubernetes.io/instance-type} label names an instance type with NVIDIA GPUs. The instance
 * type counts because a node with the EKS accelerated AMI and only the device plugin carries no GPU
 * Feature Discovery label; the selectors count because GPU Feature Discovery labels GPU nodes
 * whatever their instance type. A verdict about any other node (a CPU node, a control-plane node, a
 * name that a forged verdict made up) is refused. Pure.
 *
 * @param isGpuInstanceType whether the instance-type table lists a type with NVIDIA GPUs
 */
public record NodeAllowList(
    List<LabelSelector> selectors, boolean gpuInstanceTypes, Predicate<String> isGpuInstanceType) {

  public static final String INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";

  /** Every node is allowed (tests, or a cluster that runs nothing but GPU nodes). */
  public static final NodeAllowList ANY =
      new NodeAllowList(List.of(new LabelSelector("(any node)", List.of())), false, t -> false);

  public NodeAllowList {
    selectors = List.copyOf(selectors);
    if (selectors.isEmpty() && !gpuInstanceTypes) {
      throw new IllegalArgumentException(
          "an allow-list needs a selector or gpuInstanceTypes: true, else no node is ever touched");
    }
  }

  /** Empty when gpuward may touch {@code node}, else why not. */
  public Optional<String> refusal(LiveNode node) {
    for (LabelSelector s : selectors) {
      if (s.matches(node.labels())) {
        return Optional.empty();
      }
    }
    String type = node.labels().get(INSTANCE_TYPE_LABEL);
    if (gpuInstanceTypes && type != null && isGpuInstanceType.test(type)) {
      return Optional.empty();
    }
    return Optional.of(
        "node "
            + node.name()
            + " is outside the nodes gpuward may touch (labels match none of "
            + selectors
            + (gpuInstanceTypes
                ? "; instance type " + (type == null ? "unknown" : type) + " has no NVIDIA GPU"
                : "")
            + ")");
  }
}
