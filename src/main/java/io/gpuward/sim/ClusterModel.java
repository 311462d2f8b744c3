package io.gpuward.sim;

import io.gpuward.remediation.port.HealthMark;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated cluster's objects (Auto Scaling groups, instances, Nodes, pods) and the maps that
 * hold them. The parts of {@link SimulatedCluster} each change one aspect of these objects; keeping
 * the objects in one place lets every part see the same instance, node and pod without the parts
 * holding each other's state. Not thread-safe: the facade's lock guards every access.
 */
final class ClusterModel {

  /** An EC2 instance's state as the cluster tracks it. */
  enum State {
    PENDING,
    RUNNING,
    REBOOTING,
    TERMINATED
  }

  /** An Auto Scaling group (one per node group), with its PodDisruptionBudget and launch image. */
  static final class Asg {
    final String name;
    final String nodegroup;
    final int gpus;
    final boolean migCapable;
    final long seed;
    int nextIndex;
    boolean registers;
    final Pdb pdb;
    final String rsHash;
    String image;
    String amiId;
    boolean imageBoots = true;

    /** GPUs allocated through DRA: the API serves a ResourceSlice per node of the group. */
    boolean dra;

    /** The labels every node of the group carries (node group, zone, instance type, GPU). */
    final Map<String, String> labels = new TreeMap<>();

    Asg(String name, String nodegroup, int gpus, boolean migCapable, long seed, int nextIndex) {
      this.name = name;
      this.nodegroup = nodegroup;
      this.gpus = gpus;
      this.migCapable = migCapable;
      this.seed = seed;
      this.nextIndex = nextIndex;
      this.pdb = new Pdb(nodegroup + "-worker-pdb");
      this.rsHash = SimIds.podSuffix(SimIds.hash(seed, "rs", nodegroup), 10);
      labels.put("eks.amazonaws.com/nodegroup", nodegroup);
      if (gpus > 0) {
        labels.put("nvidia.com/gpu.present", "true");
      }
    }
  }

  /** A node group's PodDisruptionBudget: disruptions count until the pod runs elsewhere. */
  static final class Pdb {
    final String name;
    final List<Instant> disruptedUntil = new ArrayList<>();

    Pdb(String name) {
      this.name = name;
    }

    int unavailable(Instant now) {
      disruptedUntil.removeIf(t -> !t.isAfter(now));
      return disruptedUntil.size();
    }
  }

  /** An EC2 instance of a group; its Node is registered under the same name. */
  static final class Instance {
    final String id;
    final String node;
    final Asg asg;
    final Instant launchedAt;
    State state;
    int boot;
    String bootId;
    boolean ssmNeverRegisters;

    Instance(String id, String node, Asg asg, Instant launchedAt, State state) {
      this.id = id;
      this.node = node;
      this.asg = asg;
      this.launchedAt = launchedAt;
      this.state = state;
      this.bootId = SimIds.bootId(asg.seed, id, 0);
    }
  }

  /**
   * A pod of the cluster model.
   *
   * @param crashLoopSince when its container began to crash-loop, null while it runs
   */
  record Pod(
      String namespace,
      String name,
      String owner,
      boolean daemonSet,
      int gpuIndex,
      Instant crashLoopSince) {
    Pod(String namespace, String name, String owner, boolean daemonSet, int gpuIndex) {
      this(namespace, name, owner, daemonSet, gpuIndex, null);
    }

    PodView view(String node, Instant now) {
      if (crashLoopSince == null) {
        return new PodView(namespace, name, node, owner, daemonSet, gpuIndex);
      }
      return new PodView(
          namespace,
          name,
          node,
          owner,
          daemonSet,
          gpuIndex,
          SimulatedCluster.CRASH_LOOP_BACK_OFF,
          restarts(crashLoopSince, now));
    }
  }

  /**
   * Restarts of a container crash-looping since {@code since}: it fails at once, and the kubelet
   * restarts it after 10 s, then twice as long each time up to 5 min.
   */
  static int restarts(Instant since, Instant now) {
    long left = Math.max(0, Duration.between(since, now).toSeconds());
    int restarts = 1;
    long delay = 10;
    while (left >= delay) {
      left -= delay;
      restarts++;
      delay = Math.min(delay * 2, 300);
    }
    return restarts;
  }

  /** A registered Node object: kubelet status, cordon, allocatable GPUs and the pods bound. */
  static final class Node {
    final String name;
    final Instance instance;
    boolean unschedulable;
    String cordonedBy;

    /** gpuward's health label, on a node gpuward cordoned; null otherwise. */
    HealthMark health;

    boolean kubeletReady = true;

    /** Bumped when the kubelet stops posting status; a stale grace timer sees another value. */
    int hangs;

    boolean kubeletSilent;
    boolean statusUnknown;
    int[] allocatableGpus;

    /** GPU index to the DeviceTaintRule that keeps new pods off it (DRA groups only). */
    final Map<Integer, String> taintedGpus = new TreeMap<>();

    final List<Pod> pods = new ArrayList<>();
    boolean refillPending;
    int podGeneration;

    /** Labels the node's agents set (GPU Feature Discovery, the GPU Operator's deploy labels). */
    Map<String, String> agentLabels = Map.of();

    Node(String name, Instance instance, int gpus) {
      this.name = name;
      this.instance = instance;
      this.allocatableGpus = new int[gpus];
      for (int i = 0; i < gpus; i++) {
        allocatableGpus[i] = i;
      }
    }

    boolean ready() {
      return kubeletReady && !statusUnknown && instance.state == State.RUNNING;
    }
  }

  final Map<String, Asg> asgs = new LinkedHashMap<>();
  final Map<String, Instance> instances = new LinkedHashMap<>();
  final Map<String, Node> nodes = new LinkedHashMap<>();

  /** The node's instance that is not terminated (the last launched under that name), or null. */
  Instance current(String node) {
    Instance found = null;
    for (Instance i : instances.values()) {
      if (i.node.equals(node) && i.state != State.TERMINATED) {
        found = i;
      }
    }
    return found;
  }
}
