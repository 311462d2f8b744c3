package io.gpuward.watch;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Nodes and instances as the Kubernetes API and EC2 describe them, for the watcher's tests. */
final class WatchObjects {
  private WatchObjects() {}

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final String P5_NODE = "ip-10-0-1-23.ec2.internal";
  static final String P5_ID = "i-0abc12345def67890";
  static final String M5_NODE = "ip-10-0-7-7.ec2.internal";
  static final String M5_ID = "i-0fedcba987654321a";
  static final String NVIDIA_IMAGE = "bottlerocket-aws-k8s-1.32-nvidia-x86_64-v1.26.0";

  static Map<String, String> p5Labels() {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("node.kubernetes.io/instance-type", "p5.48xlarge");
    l.put("topology.kubernetes.io/zone", "us-east-1a");
    l.put("eks.amazonaws.com/nodegroup", "p5-train");
    l.put("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
    l.put("nvidia.com/gpu.count", "8");
    l.put("nvidia.com/cuda.driver-version.full", "550.90.07");
    l.put("nvidia.com/mig.capable", "true");
    l.put("nvidia.com/gfd.timestamp", "1740823200");
    l.put("kubernetes.io/os", "linux");
    return l;
  }

  static Node p5Node(String readyStatus, String reason) {
    return node(P5_NODE, P5_ID, p5Labels(), List.of(ready(readyStatus, reason)));
  }

  static Node node(
      String name, String instanceId, Map<String, String> labels, List<NodeCondition> conds) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withUid("uid-" + name)
        .withResourceVersion("1")
        .withCreationTimestamp(T0.toString())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withProviderID("aws:///us-east-1a/" + instanceId)
        .endSpec()
        .withNewStatus()
        .withConditions(conds)
        .addToCapacity("nvidia.com/gpu", new Quantity("8"))
        .addToAllocatable("nvidia.com/gpu", new Quantity("8"))
        .withNewNodeInfo()
        .withBootID("boot-1")
        .withOsImage("Bottlerocket OS 1.26.0 (aws-k8s-1.32-nvidia)")
        .endNodeInfo()
        .endStatus()
        .build();
  }

  static NodeCondition ready(String status, String reason) {
    return new NodeConditionBuilder()
        .withType("Ready")
        .withStatus(status)
        .withReason(reason)
        .withMessage("kubelet says " + reason)
        .withLastTransitionTime(T0.plusSeconds(60).toString())
        .withLastHeartbeatTime(T0.plusSeconds(60).toString())
        .build();
  }

  /** The m5.large with the NVIDIA Bottlerocket image that never registers. */
  static CloudInstance m5Nvidia(String state, String ssm) {
    return new CloudInstance(
        M5_ID,
        "m5.large",
        state,
        M5_NODE,
        "ami-0123456789abcdef0",
        NVIDIA_IMAGE,
        "us-east-1a",
        T0,
        "eks-cache-warm-asg",
        "InService",
        "cache-warm",
        ssm,
        null);
  }

  static CloudInstance p5(String state, String lifecycle) {
    return new CloudInstance(
        P5_ID,
        "p5.48xlarge",
        state,
        P5_NODE,
        "ami-0aaaaaaaaaaaaaaa1",
        "amazon-eks-node-al2023-x86_64-nvidia-1.32",
        "us-east-1a",
        T0.minusSeconds(3600),
        "eks-p5-train-asg",
        lifecycle,
        "p5-train",
        "Online",
        null);
  }
}
