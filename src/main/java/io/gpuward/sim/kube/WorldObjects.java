package io.gpuward.sim.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.NodeView;
import io.gpuward.sim.PdbView;
import io.gpuward.sim.PodView;
import io.gpuward.sim.SimulatedCluster;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Builds the API objects that present the simulated cluster. Pure: no I/O, no clock. */
final class WorldObjects {

  /** Annotation holding the node's Auto Scaling group, where the actuator looks for it. */
  static final String ASG_ANNOTATION = "gpuward.io/asg";

  /** Label on every object the world writes. */
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  static final String MANAGED_BY_VALUE = "gpuward-sim";

  static final String GPU = "nvidia.com/gpu";
  static final String KUBELET_VERSION = "v1.32.9-eks-113cf36";

  /** The DRA driver whose ResourceSlices the world serves for a DRA node group's nodes. */
  static final String DRA_DRIVER = "gpu.nvidia.com";

  private WorldObjects() {}

  /**
   * The ResourceSlice the NVIDIA DRA driver's kubelet plugin publishes for a DRA node: pool named
   * after the node, one device per GPU named {@code gpu-<minor>} (the minor is the index here) with
   * the {@code type}, {@code uuid}, {@code index} and {@code minor} attributes of driver v25.3
   * (v25.8 dropped {@code index} and {@code minor}; gpuward matches by {@code uuid} first).
   */
  static GenericKubernetesResource resourceSlice(NodeView v) {
    List<Object> devices = new ArrayList<>();
    for (int i = 0; i < v.draGpus().size(); i++) {
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("type", Map.of("string", "gpu"));
      attrs.put("uuid", Map.of("string", v.draGpus().get(i)));
      attrs.put("index", Map.of("int", i));
      attrs.put("minor", Map.of("int", i));
      Map<String, Object> device = new LinkedHashMap<>();
      device.put("name", "gpu-" + i);
      device.put("attributes", attrs);
      devices.add(device);
    }
    Map<String, Object> pool = new LinkedHashMap<>();
    pool.put("name", v.name());
    pool.put("generation", 1);
    pool.put("resourceSliceCount", 1);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("driver", DRA_DRIVER);
    spec.put("nodeName", v.name());
    spec.put("pool", pool);
    spec.put("devices", devices);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("resource.k8s.io/v1")
        .withKind("ResourceSlice")
        .withNewMetadata()
        .withName(sliceName(v.name()))
        .addToLabels(MANAGED_BY, MANAGED_BY_VALUE)
        .endMetadata()
        .addToAdditionalProperties("spec", spec)
        .build();
  }

  static String sliceName(String node) {
    return node + "-" + DRA_DRIVER;
  }

  /**
   * What a node looks like beyond the cluster model: the kubelet's extra conditions and the labels
   * GPU feature discovery puts on it, as the simulator reported them.
   *
   * @param readySince when Ready last changed
   * @param heartbeat the kubelet's last status post
   * @param labels labels reported by the node's agents (the model's own labels win)
   * @param conditions condition types other than Ready, type to status/reason/message/since
   * @param osImage what the kubelet reports as {@code nodeInfo.osImage} for the node group's image
   */
  record NodeExtras(
      Instant readySince,
      Instant heartbeat,
      Map<String, String> labels,
      Map<String, Condition> conditions,
      String osImage) {}

  /** A node condition as its agent reported it. */
  record Condition(String status, String reason, String message, Instant since) {}

  static Node node(NodeView v, NodeExtras x) {
    LiveNode live = v.live();
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName(live.name())
            .withUid(uid("node", live.instanceId()))
            .withCreationTimestamp(time(v.launchedAt()))
            .withLabels(nodeLabels(live, x))
            .withAnnotations(nodeAnnotations(live))
            .endMetadata()
            .withNewSpec()
            .withProviderID("aws:///" + v.zone() + "/" + live.instanceId())
            .withUnschedulable(live.unschedulable() ? Boolean.TRUE : null)
            .endSpec();
    if (live.unschedulable()) {
      // What the node lifecycle controller adds to a cordoned node.
      b.editSpec()
          .addNewTaint()
          .withKey("node.kubernetes.io/unschedulable")
          .withEffect("NoSchedule")
          .endTaint()
          .endSpec();
    }
    if (live.cordonedBy().isPresent()) {
      // What gpuward's cordon writes beside it.
      b.editSpec()
          .addNewTaint()
          .withKey(HealthMark.TAINT_KEY)
          .withEffect("NoSchedule")
          .endTaint()
          .endSpec();
    }
    return b.withNewStatus()
        .withCapacity(gpus(v.gpus()))
        .withAllocatable(gpus(v.allocatableGpus()))
        .withConditions(conditions(v, x))
        .withNewNodeInfo()
        .withBootID(live.bootId())
        .withKubeletVersion(KUBELET_VERSION)
        .withOperatingSystem("linux")
        .withArchitecture("amd64")
        .withOsImage(x.osImage().isEmpty() ? null : x.osImage())
        .withSystemUUID(uid("system", live.instanceId()))
        .endNodeInfo()
        .endStatus()
        .build();
  }

  private static Map<String, String> nodeLabels(LiveNode live, NodeExtras x) {
    Map<String, String> labels = new TreeMap<>(x.labels());
    labels.putAll(live.labels());
    labels.put("kubernetes.io/hostname", live.name());
    labels.put("kubernetes.io/os", "linux");
    labels.put(MANAGED_BY, MANAGED_BY_VALUE);
    return labels;
  }

  private static Map<String, String> nodeAnnotations(LiveNode live) {
    Map<String, String> annotations = new TreeMap<>();
    if (live.asgName() != null) {
      annotations.put(ASG_ANNOTATION, live.asgName());
    }
    live.cordonedBy().ifPresent(op -> annotations.put(KubernetesClusterActuator.CORDONED_BY, op));
    return annotations;
  }

  private static Map<String, Quantity> gpus(int n) {
    Map<String, Quantity> m = new TreeMap<>();
    m.put("pods", new Quantity("110"));
    if (n > 0) {
      m.put(GPU, new Quantity(Integer.toString(n)));
    }
    return m;
  }

  private static List<NodeCondition> conditions(NodeView v, NodeExtras x) {
    List<NodeCondition> out = new ArrayList<>();
    out.add(ready(v, x));
    for (String pressure : List.of("MemoryPressure", "DiskPressure", "PIDPressure")) {
      if (!x.conditions().containsKey(pressure)) {
        out.add(
            condition(
                pressure,
                "False",
                "KubeletHas" + pressure.replace("Pressure", "") + "Pressure",
                "kubelet has no " + pressure,
                v.launchedAt(),
                x.heartbeat()));
      }
    }
    x.conditions()
        .forEach(
            (type, c) ->
                out.add(
                    condition(
                        type, c.status(), c.reason(), c.message(), c.since(), x.heartbeat())));
    return out;
  }

  /**
   * Ready as the kubelet posts it, or as the node lifecycle controller sets it once the kubelet has
   * stopped posting for longer than its grace (Unknown, NodeStatusUnknown).
   */
  private static NodeCondition ready(NodeView v, NodeExtras x) {
    if (v.statusUnknown()) {
      return condition(
          "Ready",
          "Unknown",
          "NodeStatusUnknown",
          "Kubelet stopped posting node status.",
          x.readySince(),
          x.heartbeat());
    }
    boolean ready = v.live().ready();
    return condition(
        "Ready",
        ready ? "True" : "False",
        ready ? "KubeletReady" : "KubeletNotReady",
        ready ? "kubelet is posting ready status" : "node is not ready",
        x.readySince(),
        x.heartbeat());
  }

  private static NodeCondition condition(
      String type, String status, String reason, String message, Instant since, Instant beat) {
    return new NodeConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(time(since))
        .withLastHeartbeatTime(time(beat))
        .build();
  }

  static Pod pod(PodView p, Instant created) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(p.namespace())
        .withName(p.name())
        .withUid(podUid(p.namespace(), p.name()))
        .withCreationTimestamp(time(created))
        .addToLabels("app", p.owner())
        .addToLabels(MANAGED_BY, MANAGED_BY_VALUE)
        .addToOwnerReferences(owner(p))
        .endMetadata()
        .withNewSpec()
        .withNodeName(p.node())
        .withContainers(container(p))
        .endSpec()
        .withStatus(podStatus(p))
        .build();
  }

  /**
   * Running and Ready, or, for a crash-looping pod, Running with its container waiting in
   * CrashLoopBackOff after its last exit with an Error, not Ready.
   */
  private static PodStatus podStatus(PodView p) {
    boolean crashing = p.waitingReason() != null;
    ContainerStatusBuilder c =
        new ContainerStatusBuilder()
            .withName(container(p).getName())
            .withImage(container(p).getImage())
            .withRestartCount(p.restarts())
            .withReady(!crashing);
    if (crashing) {
      c.withNewState()
          .withNewWaiting()
          .withReason(p.waitingReason())
          .withMessage("back-off restarting failed container " + container(p).getName())
          .endWaiting()
          .endState()
          .withNewLastState()
          .withNewTerminated()
          .withReason("Error")
          .withExitCode(1)
          .endTerminated()
          .endLastState();
    } else {
      c.withNewState().withNewRunning().endRunning().endState();
    }
    return new PodStatusBuilder()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(crashing ? "False" : "True")
        .endCondition()
        .addToContainerStatuses(c.build())
        .build();
  }

  /**
   * A DaemonSet for a DaemonSet pod, else the node group's ReplicaSet (its name minus a suffix).
   */
  private static OwnerReference owner(PodView p) {
    String name = p.daemonSet() ? p.owner() : p.name().substring(0, p.name().lastIndexOf('-'));
    return new OwnerReferenceBuilder()
        .withApiVersion("apps/v1")
        .withKind(p.daemonSet() ? "DaemonSet" : "ReplicaSet")
        .withName(name)
        .withUid(uid("owner", p.namespace() + "/" + name))
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static Container container(PodView p) {
    ContainerBuilder c =
        new ContainerBuilder()
            .withName(p.daemonSet() ? p.owner() : SimulatedCluster.WORKLOAD_CONTAINER)
            .withImage(p.daemonSet() ? "public.ecr.aws/sim/" + p.owner() + ":1" : "trainer:1");
    if (!p.daemonSet()) {
      c.withNewResources()
          .addToRequests(GPU, new Quantity("1"))
          .addToLimits(GPU, new Quantity("1"))
          .endResources();
    }
    return c.build();
  }

  static PodDisruptionBudget pdb(PdbView p, int healthy) {
    int expected = healthy + p.unavailable();
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withNamespace(p.namespace())
        .withName(p.name())
        .addToLabels(MANAGED_BY, MANAGED_BY_VALUE)
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(p.maxUnavailable()))
        .withNewSelector()
        .addToMatchLabels("app", p.app())
        .endSelector()
        .endSpec()
        .withNewStatus()
        .withCurrentHealthy(healthy)
        .withDesiredHealthy(Math.max(0, expected - p.maxUnavailable()))
        .withExpectedPods(expected)
        .withDisruptionsAllowed(Math.max(0, p.maxUnavailable() - p.unavailable()))
        .withObservedGeneration(1L)
        .endStatus()
        .build();
  }

  /** The uid a simulated pod always has: the same name is the same pod. */
  static String podUid(String namespace, String name) {
    return uid("pod", namespace + "/" + name);
  }

  static String uid(String kind, String key) {
    return UUID.nameUUIDFromBytes((kind + "/" + key).getBytes(StandardCharsets.UTF_8)).toString();
  }

  static String time(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
