package io.gpuward.remediation.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import java.util.UUID;

/** Nodes and pods as an EKS GPU node group and its workloads would have them. */
final class K8sObjects {
  private K8sObjects() {}

  static final String NODE = "ip-10-0-1-23.ec2.internal";
  static final String OTHER_NODE = "ip-10-0-9-99.ec2.internal";
  static final String INSTANCE_ID = "i-0abc12345def67890";
  static final String BOOT_ID = "3f1c9a52-6b0e-4d8a-9d55-0b3e2f7c1a11";

  static Node gpuNode(String name) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(
            Map.of(
                "kubernetes.io/hostname", name,
                "node.kubernetes.io/instance-type", "p5.48xlarge",
                "topology.kubernetes.io/zone", "us-east-1a",
                "eks.amazonaws.com/nodegroup", "p5-train"))
        .withAnnotations(Map.of("node.alpha.kubernetes.io/ttl", "0"))
        .endMetadata()
        .withNewSpec()
        .withProviderID("aws:///us-east-1a/" + INSTANCE_ID)
        .endSpec()
        .withNewStatus()
        .withNewNodeInfo()
        .withBootID(BOOT_ID)
        .withKubeletVersion("v1.32.3-eks-473151a")
        .endNodeInfo()
        .withConditions(
            new NodeConditionBuilder()
                .withType("MemoryPressure")
                .withStatus("False")
                .withReason("KubeletHasSufficientMemory")
                .build(),
            new NodeConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("KubeletReady")
                .withMessage("kubelet is posting ready status")
                .build())
        .endStatus()
        .build();
  }

  static Pod workload(String namespace, String name, String node) {
    return pod(namespace, name, node, "ReplicaSet", name + "-rs", "Running");
  }

  static Pod daemonSetPod(String namespace, String name, String node) {
    return pod(namespace, name, node, "DaemonSet", "nvidia-device-plugin-daemonset", "Running");
  }

  static Pod completed(String namespace, String name, String node) {
    return pod(namespace, name, node, "Job", name + "-job", "Succeeded");
  }

  static Pod mirror(String namespace, String name, String node) {
    Pod p = pod(namespace, name, node, null, null, "Running");
    p.getMetadata()
        .setAnnotations(
            Map.of(
                "kubernetes.io/config.mirror",
                "0c5f2b0e4a7d",
                "kubernetes.io/config.source",
                "file"));
    return p;
  }

  private static Pod pod(
      String namespace, String name, String node, String ownerKind, String owner, String phase) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withUid(UUID.randomUUID().toString())
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("main")
            .withImage("nvcr.io/nvidia/pytorch:25.01-py3")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase(phase)
            .endStatus();
    if (ownerKind != null) {
      b.editMetadata()
          .addNewOwnerReference()
          .withApiVersion(ownerKind.equals("Job") ? "batch/v1" : "apps/v1")
          .withKind(ownerKind)
          .withName(owner)
          .withUid(UUID.randomUUID().toString())
          .withController(true)
          .endOwnerReference()
          .endMetadata();
    }
    return b.build();
  }
}
