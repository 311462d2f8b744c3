package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Kubernetes objects as an EKS GPU node and its kubelet would write them. */
final class KubeObjects {
  private KubeObjects() {}

  static final String NODE = "ip-10-0-1-23.ec2.internal";
  static final String OTHER_NODE = "ip-10-0-9-99.ec2.internal";
  static final String INSTANCE_ID = "i-0abc12345def67890";
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  static final String LIBNVML =
      "failed to create containerd task: failed to create shim task: OCI runtime create failed:"
          + " runc create failed: unable to start container process: error during container init:"
          + " error running hook #0: error running hook: exit status 1, stdout: , stderr:"
          + " Auto-detected mode as 'legacy'\n"
          + "nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1:"
          + " cannot open shared object file: no such file or directory: unknown";

  static final String NO_NVIDIA_RUNTIME =
      "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox"
          + " runtime: no runtime for \"nvidia\" is configured";

  static Map<String, String> p5Labels() {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("kubernetes.io/hostname", NODE);
    l.put("kubernetes.io/os", "linux");
    l.put("node.kubernetes.io/instance-type", "p5.48xlarge");
    l.put("topology.kubernetes.io/zone", "us-east-1a");
    l.put("eks.amazonaws.com/nodegroup", "p5-train");
    l.put("eks.amazonaws.com/nodegroup-image", "ami-0123456789abcdef0");
    l.put("feature.node.kubernetes.io/pci-10de.present", "true");
    l.put("nvidia.com/gpu.present", "true");
    l.put("nvidia.com/gpu.count", "8");
    l.put("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
    l.put("nvidia.com/mig.capable", "true");
    l.put("nvidia.com/cuda.driver-version.full", "570.133.20");
    l.put("nvidia.com/gpu.deploy.device-plugin", "true");
    l.put("nvidia.com/gpu.deploy.dcgm-exporter", "true");
    l.put("nvidia.com/gfd.timestamp", "1740823200");
    return l;
  }

  static NodeCondition condition(
      String type, String status, String reason, String message, Instant transition) {
    return new NodeConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(transition.toString())
        .withLastHeartbeatTime(transition.toString())
        .build();
  }

  static Node gpuNode(String name, String bootId, int capacity, int allocatable) {
    Map<String, Quantity> cap = new HashMap<>();
    cap.put("cpu", new Quantity("192"));
    cap.put("nvidia.com/gpu", new Quantity(Integer.toString(capacity)));
    Map<String, Quantity> alloc = new HashMap<>();
    alloc.put("cpu", new Quantity("191450m"));
    alloc.put("nvidia.com/gpu", new Quantity(Integer.toString(allocatable)));
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(p5Labels())
        .endMetadata()
        .withNewSpec()
        .withProviderID("aws:///us-east-1a/" + INSTANCE_ID)
        .endSpec()
        .withNewStatus()
        .withNewNodeInfo()
        .withBootID(bootId)
        .withOsImage("Bottlerocket OS 1.32.0 (aws-k8s-1.32-nvidia)")
        .endNodeInfo()
        .withCapacity(cap)
        .withAllocatable(alloc)
        .withConditions(
            condition(
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
                T0),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", T0),
            condition(
                "AcceleratedHardwareReady",
                "True",
                "NvidiaGPUIsReady",
                "Monitoring for the Nvidia GPU system is active",
                T0))
        .endStatus()
        .build();
  }

  static Event nodeEvent(
      String name, String node, String type, String reason, String message, int count, Instant at) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewInvolvedObject()
        .withKind("Node")
        .withName(node)
        .withUid(node)
        .endInvolvedObject()
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withCount(count)
        .withFirstTimestamp(at.toString())
        .withLastTimestamp(at.toString())
        .withNewSource()
        .withComponent("kubelet")
        .withHost(node)
        .endSource()
        .build();
  }

  static Event podEvent(
      String name,
      String namespace,
      String pod,
      String container,
      String host,
      String reason,
      String message,
      Instant at) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewInvolvedObject()
        .withKind("Pod")
        .withNamespace(namespace)
        .withName(pod)
        .withFieldPath(container != null ? "spec.containers{" + container + "}" : null)
        .endInvolvedObject()
        .withType("Warning")
        .withReason(reason)
        .withMessage(message)
        .withCount(1)
        .withFirstTimestamp(at.toString())
        .withLastTimestamp(at.toString())
        .withNewSource()
        .withComponent("kubelet")
        .withHost(host)
        .endSource()
        .build();
  }

  /** A pod whose container failed to start and is backing off: StartError in lastState. */
  static Pod startErrorPod(String namespace, String name, String node, String message, Instant at) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("cuda")
        .withImage("nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewContainerStatus()
        .withName("cuda")
        .withRestartCount(1)
        .withNewState()
        .withNewWaiting()
        .withReason("CrashLoopBackOff")
        .withMessage("back-off 10s restarting failed container=cuda pod=" + name)
        .endWaiting()
        .endState()
        .withNewLastState()
        .withNewTerminated()
        .withReason("StartError")
        .withExitCode(128)
        .withMessage(message)
        .withContainerID("containerd://4f1c0d2e")
        .withStartedAt("1970-01-01T00:00:00Z")
        .withFinishedAt(at.toString())
        .endTerminated()
        .endLastState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  /** A pod that is running fine. */
  static Pod runningPod(String namespace, String name, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("app")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewContainerStatus()
        .withName("app")
        .withNewState()
        .withNewRunning()
        .withStartedAt(T0.toString())
        .endRunning()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }
}
