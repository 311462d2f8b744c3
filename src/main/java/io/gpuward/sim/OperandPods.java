package io.gpuward.sim;

import io.gpuward.sim.ClusterModel.Node;
import io.gpuward.sim.ClusterModel.Pod;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The DaemonSet pods of a node: the ones every node runs (aws-node, kube-proxy, and on a GPU node
 * the exporter and the GPU Operator's operands), an operand's pod coming and going, and its crash
 * loop. Apart from the workload pods because a drain skips them and their names follow the
 * DaemonSet controller: a pod created again after a deletion gets a new name (and uid), which the
 * watcher reports as a new fact. Not thread-safe: the facade's lock guards every access.
 */
final class OperandPods {

  private final ClusterModel model;

  /** DaemonSet pods created per node and DaemonSet: a re-created pod gets a new name. */
  private final Map<String, Integer> dsPodsCreated = new HashMap<>();

  OperandPods(ClusterModel model) {
    this.model = model;
  }

  /** Adds the DaemonSet pods a newly registered node runs. */
  void addDefaults(Node n) {
    n.pods.add(dsPod(n, "kube-system", "aws-node"));
    n.pods.add(dsPod(n, "kube-system", "kube-proxy"));
    if (n.instance.asg.gpus > 0) {
      n.pods.add(dsPod(n, "gpuward", "gpuward-exporter"));
      n.pods.add(dsPod(n, "gpu-operator", "nvidia-container-toolkit-daemonset"));
      n.pods.add(dsPod(n, "gpu-operator", "nvidia-device-plugin-daemonset"));
      n.pods.add(dsPod(n, "gpu-operator", "nvidia-dcgm-exporter"));
      n.pods.add(dsPod(n, "gpu-operator", "gpu-feature-discovery"));
      n.pods.add(dsPod(n, "gpu-operator", "nvidia-operator-validator"));
      if (n.instance.asg.migCapable) {
        n.pods.add(dsPod(n, "gpu-operator", "nvidia-mig-manager"));
      }
    }
  }

  /** Adds or removes an operand's DaemonSet pod on the node. */
  void setPresent(String node, String operand, boolean present) {
    Node n = model.nodes.get(node);
    if (n == null) {
      return;
    }
    String owner = operandDaemonSet(operand);
    boolean has = n.pods.stream().anyMatch(p -> p.owner().equals(owner));
    if (present && !has) {
      n.pods.add(dsPod(n, "gpu-operator", owner));
    } else if (!present && has) {
      n.pods.removeIf(p -> p.owner().equals(owner));
    }
  }

  /** Starts or ends a crash loop of an operand's DaemonSet pod on the node (if it has one). */
  void setCrashLoop(String node, String operand, boolean crashing, Instant at) {
    Node n = model.nodes.get(node);
    if (n == null) {
      return;
    }
    String owner = operandDaemonSet(operand);
    n.pods.replaceAll(
        p -> {
          if (!p.owner().equals(owner) || crashing == (p.crashLoopSince() != null)) {
            return p;
          }
          return new Pod(
              p.namespace(),
              p.name(),
              p.owner(),
              p.daemonSet(),
              p.gpuIndex(),
              crashing ? at : null);
        });
  }

  private static String operandDaemonSet(String operand) {
    return switch (operand) {
      case "driver" -> "nvidia-driver-daemonset";
      case "container-toolkit" -> "nvidia-container-toolkit-daemonset";
      case "device-plugin" -> "nvidia-device-plugin-daemonset";
      case "gpu-feature-discovery" -> "gpu-feature-discovery";
      case "dcgm" -> "nvidia-dcgm";
      case "dcgm-exporter" -> "nvidia-dcgm-exporter";
      case "operator-validator" -> "nvidia-operator-validator";
      case "mig-manager" -> "nvidia-mig-manager";
      default -> "nvidia-" + operand;
    };
  }

  /**
   * A DaemonSet's pod on the node; one created again after a deletion is a new pod with a new name
   * (and uid), as the DaemonSet controller makes it.
   */
  private Pod dsPod(Node n, String namespace, String daemonSet) {
    int generation = dsPodsCreated.merge(n.name + "/" + daemonSet, 1, Integer::sum);
    long h =
        generation == 1
            ? SimIds.hash(n.instance.asg.seed, "ds", n.name, daemonSet)
            : SimIds.hash(n.instance.asg.seed, "ds", n.name, daemonSet, generation);
    String suffix = SimIds.podSuffix(h, 5);
    return new Pod(namespace, daemonSet + "-" + suffix, daemonSet, true, -1);
  }
}
