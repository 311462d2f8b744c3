package io.gpuward.sim;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The fleet simulator's hands on the cluster: the calls by which it plays what the nodes' agents
 * and the world do on their own (the kubelet's Ready and silence, registration, the device plugin's
 * allocatable GPUs, GPU Feature Discovery's labels, operand pods, an Auto Scaling group's scale-in,
 * an SSM agent that never registers), and the changes it takes back. Kept apart from {@link
 * SimulatedCluster}'s API, which is what the remediator and the API front ends may do, so neither
 * side reaches the other's calls. Each call takes the cluster's lock; none fires timed transitions
 * except {@link #pollChanges}.
 */
final class ClusterControls {

  private final Object lock;
  private final ClusterTimeline timeline;
  private final NodeRegistry registry;
  private final CloudInstances instances;
  private final OperandPods operands;
  private final Diagnostics diagnostics;

  ClusterControls(
      Object lock,
      ClusterTimeline timeline,
      NodeRegistry registry,
      CloudInstances instances,
      OperandPods operands,
      Diagnostics diagnostics) {
    this.lock = lock;
    this.diagnostics = diagnostics;
    this.timeline = timeline;
    this.registry = registry;
    this.instances = instances;
    this.operands = operands;
  }

  private <T> T locked(Supplier<T> call) {
    synchronized (lock) {
      return call.get();
    }
  }

  private void locked(Runnable call) {
    synchronized (lock) {
      call.run();
    }
  }

  /** Declares an Auto Scaling group (node group) before its instances launch. */
  void defineAsg(
      String asgName,
      String nodegroup,
      int gpus,
      boolean migCapable,
      long seed,
      int nextIndex,
      boolean registers) {
    locked(
        () ->
            instances.defineAsg(asgName, nodegroup, gpus, migCapable, seed, nextIndex, registers));
  }

  /**
   * Launches one of the scenario's initial instances, RUNNING and (when the group registers)
   * registered at {@code now}. Returns its instance id and boot id.
   */
  String[] launchInitial(String asgName, String node, Instant launchedAt, boolean registers) {
    return locked(() -> instances.launchInitial(asgName, node, launchedAt, registers));
  }

  /**
   * Adds the labels every node of the group carries, as a real node group's launch template and
   * kubelet set them (zone, instance type).
   */
  void labelAsg(String asgName, Map<String, String> labels) {
    locked(() -> instances.labelAsg(asgName, labels));
  }

  /**
   * The image the group's launch template names, its AMI id, and whether it boots on the group's
   * instance type (an NVIDIA image on a CPU type stops before its SSM agent starts).
   */
  void imageAsg(String asgName, String image, String amiId, boolean boots) {
    locked(() -> instances.imageAsg(asgName, image, amiId, boots));
  }

  /** The group's GPUs are allocated through DRA (a ResourceSlice per node), not the plugin. */
  void draAsg(String asgName) {
    locked(() -> instances.draAsg(asgName));
  }

  /** Whether new instances of the group register (node-group-wide no-registration). */
  void setAsgRegisters(String asgName, boolean registers) {
    locked(() -> instances.setAsgRegisters(asgName, registers));
  }

  /** The kubelet's own Ready verdict (not-ready faults). */
  void setKubeletReady(String node, boolean ready, Instant at) {
    locked(() -> registry.setKubeletReady(node, ready, at));
  }

  /**
   * Deletes or recreates the Node object of a running instance (kubelet stopped for good, or back).
   */
  void setRegistered(String node, boolean registered, Instant at) {
    locked(() -> registry.setRegistered(node, registered, at));
  }

  /** GPU indexes the device plugin advertises (allocatable). */
  void setAllocatableGpus(String node, int[] indexes, Instant at) {
    locked(() -> registry.setAllocatableGpus(node, indexes, at));
  }

  /**
   * The node's kubelet stops posting status (a hang) or posts again. The node lifecycle controller
   * marks a silent node's Ready Unknown after {@link Injection.Hang#NODE_MONITOR_GRACE}.
   */
  void setKubeletPosting(String node, boolean posting, Instant at) {
    locked(() -> registry.setKubeletPosting(node, posting, at));
  }

  /**
   * Scale-in of the node's instance: terminated through its group with the desired capacity
   * decremented, its Node deleted, nothing launched in its place.
   */
  void scaleIn(String node, Instant at) {
    locked(() -> instances.scaleIn(node, at));
  }

  /** EC2 schedules an event ({@code code}) on the node's instance, carried out at notBefore. */
  void scheduleEvent(String node, String code, Instant notBefore) {
    locked(() -> instances.scheduleEvent(node, code, notBefore));
  }

  /** The world's DCGM diagnostics: where {@code diag-fail} arms a node's next run. */
  Diagnostics diagnostics() {
    return diagnostics;
  }

  /** The instance's SSM agent never registers with Systems Manager. */
  void ssmNeverRegisters(String node) {
    locked(() -> instances.ssmNeverRegisters(node));
  }

  /** Adds or removes an operand's DaemonSet pod on the node. */
  void setOperandPod(String node, String operand, boolean present) {
    locked(() -> operands.setPresent(node, operand, present));
  }

  /** Starts or ends a crash loop of an operand's DaemonSet pod on the node (if it has one). */
  void setOperandCrashLoop(String node, String operand, boolean crashing, Instant at) {
    locked(() -> operands.setCrashLoop(node, operand, crashing, at));
  }

  /** Fires due timers and hands over the changes that happened at or before {@code upTo}. */
  List<ClusterChange> pollChanges(Instant upTo) {
    return locked(
        () -> {
          timeline.fire(upTo);
          return timeline.poll(upTo);
        });
  }

  /** Workload pod (namespace/name) per GPU index of a node, for the simulator at start. */
  String[] gpuPods(String node) {
    return locked(() -> registry.gpuPods(node));
  }

  /**
   * Replaces the labels the node's agents set (GPU Feature Discovery, the GPU Operator): the API
   * serves them on the Node, under the group's own labels.
   */
  void setAgentLabels(String node, Map<String, String> labels) {
    locked(() -> registry.setAgentLabels(node, labels));
  }
}
