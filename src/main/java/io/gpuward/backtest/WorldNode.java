package io.gpuward.backtest;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.remediation.port.LiveNode;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One node of the replay world: what its Node object would say, changed by the replay's steps. */
final class WorldNode {
  private static final String NODEGROUP = LiveNode.NODEGROUP_LABELS[0];
  private static final String ZONE = LiveNode.ZONE_LABELS[0];
  private static final String INSTANCE_TYPE = "node.kubernetes.io/instance-type";

  final String name;
  boolean exists = true;
  String instanceId;
  private String asg;
  private int boots = 1;
  private String cordonedBy;
  private String osImage = "";
  private final Map<String, String> labels = new HashMap<>();

  WorldNode(String name) {
    this.name = name;
  }

  static WorldNode fromVerdict(FaultVerdict v) {
    WorldNode n = new WorldNode(v.getNode());
    n.instanceId = v.getInstanceId();
    n.label(NODEGROUP, v.getNodegroup());
    n.label(ZONE, v.getZone());
    n.label(
        "nvidia.com/gpu.present", "true"); // a verdict about it: the engine took it for a GPU node
    return n;
  }

  /**
   * A node nothing describes (no inventory record): taken as a registered GPU node, since a verdict
   * about it is asked for, with no placement.
   */
  static WorldNode gpuNode(String name) {
    WorldNode n = new WorldNode(name);
    n.label("nvidia.com/gpu.present", "true");
    return n;
  }

  void place(NodeInventory inv) {
    exists = inv.getRegistered();
    instanceId = inv.getInstanceId();
    asg = inv.getAsgName();
    if (inv.getLabels() != null) {
      labels.putAll(inv.getLabels());
    }
    label(NODEGROUP, inv.getNodegroup());
    label(ZONE, inv.getZone());
    label(INSTANCE_TYPE, inv.getInstanceType());
    if (inv.getExpectedGpus() > 0) {
      label("nvidia.com/gpu.present", "true");
    }
    osImage = osImageOf(inv.getImage());
  }

  private void label(String key, String value) {
    if (value != null && !value.isBlank()) {
      labels.putIfAbsent(key, value);
    }
  }

  /**
   * What the kubelet would report for an image the inventory names: only the family matters (how a
   * GPU is reset on it).
   */
  private static String osImageOf(String image) {
    String s = image == null ? "" : image.toLowerCase(Locale.ROOT);
    if (s.startsWith("bottlerocket")) {
      return "Bottlerocket OS (" + image + ")";
    }
    if (s.startsWith("al2023")) {
      return "Amazon Linux 2023";
    }
    if (s.startsWith("al2")) {
      return "Amazon Linux 2";
    }
    return s.startsWith("ubuntu") ? "Ubuntu" : "";
  }

  void cordonedBy(String operationId) {
    cordonedBy = operationId;
  }

  void rebooted() {
    boots++;
  }

  LiveNode live() {
    return LiveNode.named(name)
        .bootId("boot-" + boots)
        .ready(true)
        .unschedulable(cordonedBy != null)
        .cordonedBy(Optional.ofNullable(cordonedBy))
        .instanceId(instanceId == null ? "" : instanceId)
        .asgName(asg)
        .labels(labels)
        .osImage(osImage)
        .build();
  }
}
