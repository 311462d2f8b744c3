package io.gpuward.sim;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the control plane says about a simulated node: the kubelet's and the node controller's
 * {@link NodeEvent}s (conditions, registration, reboot, removal, container start failures), its
 * capacity and allocatable GPUs, the labels GPU Feature Discovery and the GPU Operator set, and the
 * inventory record. Publishes a snapshot only when it changed, and tells the cluster model the
 * allocatable GPUs and agent labels, so the served Node and the records agree. Simulator thread
 * only.
 */
final class NodePublisher {

  private final CountingSink sink;
  private final ClusterControls cluster;

  NodePublisher(CountingSink sink, ClusterControls cluster) {
    this.sink = sink;
    this.cluster = cluster;
  }

  /** An event with a reason and a message only (registration, reboot, scheduling, removal). */
  void reasonEvent(
      NodeSim n, NodeEventKind kind, Instant at, String source, String reason, String message) {
    publish(n, kind, at, source, null, null, reason, message, null, null, null);
  }

  /** The kubelet reporting the node Ready (registration, return from a reboot, recovery). */
  void ready(NodeSim n, Instant at) {
    readyCondition(n, at, "True", "KubeletReady", "kubelet is posting ready status");
  }

  /** The kubelet reporting the node NotReady (a reboot beginning, a not-ready fault). */
  void notReady(NodeSim n, Instant at, String message) {
    readyCondition(n, at, "False", "KubeletNotReady", message);
  }

  private void readyCondition(NodeSim n, Instant at, String status, String reason, String message) {
    publish(
        n,
        NodeEventKind.CONDITION_CHANGED,
        at,
        "kubelet",
        "Ready",
        status,
        reason,
        message,
        null,
        null,
        null);
  }

  /** The node controller removing the node from the cluster. */
  void removed(NodeSim n, Instant at) {
    String message = "Node " + n.name + " event: Removing Node " + n.name + " from Controller";
    reasonEvent(n, NodeEventKind.NODE_REMOVED, at, "node-controller", "RemovingNode", message);
  }

  /** A pod's container that failed to start ({@code container} null for a sandbox failure). */
  void containerStartFailure(
      NodeSim n, Instant at, String reason, String message, String[] pod, String container) {
    publish(
        n,
        NodeEventKind.CONTAINER_START_FAILURE,
        at,
        "kubelet",
        null,
        null,
        reason,
        message,
        null,
        null,
        new String[] {pod[0], pod[1], container});
  }

  /** A node registering: the registration, Ready, and its resources and labels in full. */
  void registration(NodeSim n, Instant at) {
    String message = "Node " + n.name + " event: Registered Node " + n.name + " in Controller";
    reasonEvent(n, NodeEventKind.NODE_REGISTERED, at, "kubelet", "RegisteredNode", message);
    ready(n, at);
    republish(n, at);
  }

  /** Resources and labels again even if unchanged (after registration or a reboot). */
  void republish(NodeSim n, Instant at) {
    n.lastCapacity = -1;
    updateResources(n, at);
    n.lastLabels = null;
    updateLabels(n, at);
  }

  private int allocatable(NodeSim n) {
    if (n.devicePluginGone) {
      return 0;
    }
    int healthy = 0;
    for (GpuSim g : n.gpus) {
      if (g.allocatable()) {
        healthy++;
      }
    }
    if (n.allocatableOverride != null) {
      healthy = Math.min(healthy, n.allocatableOverride);
    }
    return healthy;
  }

  /** Emits a RESOURCE_SNAPSHOT when capacity or allocatable changed; tells the cluster. */
  void updateResources(NodeSim n, Instant at) {
    if (n.terminated) {
      return;
    }
    int capacity = n.gpus.length;
    int alloc = allocatable(n);
    int[] idx = new int[alloc];
    int k = 0;
    for (GpuSim g : n.gpus) {
      if (k < alloc && g.allocatable()) {
        idx[k++] = g.index;
      }
    }
    cluster.setAllocatableGpus(n.name, idx, at);
    if (!n.registered || n.rebooting) {
      return;
    }
    if (capacity == n.lastCapacity && alloc == n.lastAllocatable) {
      return;
    }
    n.lastCapacity = capacity;
    n.lastAllocatable = alloc;
    publish(
        n,
        NodeEventKind.RESOURCE_SNAPSHOT,
        at,
        "kubelet",
        null,
        null,
        null,
        null,
        new int[] {capacity, alloc},
        null,
        null);
  }

  /** The labels GPU Feature Discovery and the GPU Operator put on the Node. */
  private static Map<String, String> agentLabels(Map<String, String> labels) {
    TreeMap<String, String> out = new TreeMap<>();
    labels.forEach(
        (k, v) -> {
          if (k.startsWith("nvidia.com/") || k.startsWith("feature.node.kubernetes.io/")) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** Emits a LABELS_SNAPSHOT when the node's labels changed; tells the cluster. */
  void updateLabels(NodeSim n, Instant at) {
    if (!n.registered || n.terminated) {
      return;
    }
    TreeMap<String, String> labels = labels(n, true);
    if (labels.equals(n.lastLabels)) {
      return;
    }
    n.lastLabels = labels;
    cluster.setAgentLabels(n.name, agentLabels(labels));
    publish(
        n,
        NodeEventKind.LABELS_SNAPSHOT,
        at,
        "kubelet",
        null,
        null,
        null,
        null,
        null,
        labels,
        null);
  }

  private static TreeMap<String, String> labels(NodeSim n, boolean registered) {
    GroupSim g = n.group;
    TreeMap<String, String> l = new TreeMap<>();
    l.put("eks.amazonaws.com/nodegroup", g.spec.name());
    l.put("topology.kubernetes.io/zone", g.spec.zone());
    l.put("node.kubernetes.io/instance-type", g.spec.instanceType());
    if (!registered || g.profile == null) {
      return l;
    }
    l.put("kubernetes.io/hostname", n.name);
    l.put("feature.node.kubernetes.io/pci-10de.present", "true");
    l.put("nvidia.com/gpu.present", "true");
    l.put("nvidia.com/gpu.count", Integer.toString(g.gpus()));
    l.put("nvidia.com/gpu.product", g.profile.productLabel());
    l.put("nvidia.com/gpu.memory", Long.toString(g.profile.fbTotalMiB()));
    l.put("nvidia.com/mig.capable", Boolean.toString(g.type.migCapable()));
    l.put("nvidia.com/mig.strategy", "single");
    l.put("nvidia.com/cuda.driver-version.full", g.spec.driverVersion());
    l.put("nvidia.com/gpu.deploy.driver", "pre-installed");
    for (String op :
        List.of(
            "container-toolkit",
            "device-plugin",
            "gpu-feature-discovery",
            "dcgm",
            "dcgm-exporter",
            "operator-validator")) {
      l.put("nvidia.com/gpu.deploy." + op, "true");
    }
    if (g.type.migCapable()) {
      l.put("nvidia.com/gpu.deploy.mig-manager", "true");
    }
    // A missing operand keeps its label: the operator still wants it, its pod is what is gone.
    for (Map.Entry<String, Injection.OperandMissing> e : n.activeOperandFaults().entrySet()) {
      if (n.unexpected(e.getValue())) {
        l.put("nvidia.com/gpu.deploy." + e.getKey(), "true");
      }
    }
    n.optOuts.forEach(op -> l.put("nvidia.com/gpu.deploy." + op, "false"));
    return l;
  }

  /** The node's inventory record (instance, group, image, GPUs, registered, labels). */
  void inventory(NodeSim n, Instant at) {
    GroupSim g = n.group;
    NodeInventory inv =
        new NodeInventory(
            n.name,
            n.instanceId,
            g.spec.instanceType(),
            g.spec.name(),
            g.spec.asgName(),
            g.spec.zone(),
            g.spec.image(),
            g.amiId,
            g.gpus(),
            g.type.gpuModel().isEmpty() ? null : g.type.gpuModel(),
            g.type.migCapable(),
            g.type.hasNvidiaGpu() || g.spec.nvidiaImage() ? g.spec.driverVersion() : null,
            n.registered,
            n.launchedAt,
            at,
            labels(n, n.registered),
            null,
            null);
    sink.inventory(inv);
  }

  /** The node left the fleet: a tombstone on the inventory topic. */
  void inventoryRemoved(NodeSim n) {
    sink.inventoryRemoved(n.name);
  }

  /**
   * One NodeEvent; {@code resources} is capacity and allocatable, {@code pod} namespace, pod and
   * container, each null when the event has none.
   */
  private void publish(
      NodeSim n,
      NodeEventKind kind,
      Instant at,
      String source,
      String conditionType,
      String conditionStatus,
      String reason,
      String message,
      int[] resources,
      Map<String, String> labels,
      String[] pod) {
    NodeEvent e =
        new NodeEvent(
            n.name + "/" + kind.name().toLowerCase(Locale.ROOT) + "/" + (++n.eventSeq),
            n.name,
            kind,
            at,
            source,
            conditionType,
            conditionStatus,
            reason,
            message,
            n.bootId,
            resources == null ? null : resources[0],
            resources == null ? null : resources[1],
            labels == null ? Map.of() : labels,
            n.unschedulable,
            pod == null ? null : pod[0],
            pod == null ? null : pod[1],
            pod == null ? null : pod[2],
            null,
            null,
            null);
    sink.nodeEvent(e);
  }
}
