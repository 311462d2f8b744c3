package io.gpuward.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/** Mutable state of one simulated node (simulator thread only). */
final class NodeSim {
  final String name;
  final GroupSim group;
  final int ordinal;
  final String instanceId;
  final Instant launchedAt;
  final SplittableRandom rng;
  final GpuSim[] gpus;

  String bootId;

  /** When the current boot began: a kernel log stamp counts microseconds from it. */
  Instant bootTime;

  boolean registered;
  boolean terminated;

  /** XIDs of a broken GPU that come back after every reboot (scenario {@code survives: reboot}). */
  final List<Injection.Xid> survivingXids = new ArrayList<>();

  boolean rebooting;
  boolean unschedulable;

  /** Node-level no-registration (fault index), -1 none. */
  int noRegistrationFault = -1;

  /** Kubelet NotReady fault (fault index), -1 none. */
  int notReadyFault = -1;

  /** Hang fault (fault index), -1 none: kubelet and exporter silent. */
  int hangFault = -1;

  Instant silenceUntil;
  int silenceFault = -1;

  Integer allocatableOverride;
  int allocatableFault = -1;

  /** Operand faults on this node by operand (node-level ones). */
  final TreeMap<String, Injection.OperandMissing> operandFaults = new TreeMap<>();

  final TreeMap<String, Integer> operandFaultIndex = new TreeMap<>();

  /** Operands whose pod crash-loops, by operand: the fault index that started it. */
  final TreeMap<String, Integer> crashLoops = new TreeMap<>();

  /** Operands an admin opted this node out of (deploy label false, no pod). */
  final TreeSet<String> optOuts = new TreeSet<>();

  /** The device plugin has been gone longer than its grace: allocatable 0. */
  boolean devicePluginGone;

  Injection.ContainerError containerError;
  int containerErrorFault = -1;

  /** Workload pod (namespace/name) per GPU; null where none. */
  String[] podByGpu;

  /** Whether a container start retry loop runs for the pod on GPU i. */
  boolean[] crashLoop;

  long eventSeq;
  long kmsgSeq;

  int lastCapacity = -1;
  int lastAllocatable = -1;
  TreeMap<String, String> lastLabels;

  NodeSim(
      String name,
      GroupSim group,
      int ordinal,
      String instanceId,
      String bootId,
      Instant launchedAt,
      SplittableRandom rng,
      GpuSim[] gpus) {
    this.name = name;
    this.group = group;
    this.ordinal = ordinal;
    this.instanceId = instanceId;
    this.bootId = bootId;
    this.launchedAt = launchedAt;
    this.bootTime = launchedAt;
    this.rng = rng;
    this.gpus = gpus;
    this.podByGpu = new String[gpus.length];
    this.crashLoop = new boolean[gpus.length];
  }

  /** The node's exporter runs and reports (registered, up, not silenced, has GPUs). */
  boolean exporterUp(Instant now) {
    return registered
        && !terminated
        && !rebooting
        && hangFault < 0
        && gpus.length > 0
        && (silenceUntil == null || !now.isBefore(silenceUntil));
  }

  /** Effective container start failure: node-level, else node-group-wide. */
  Injection.ContainerError activeContainerError() {
    return containerError != null ? containerError : group.containerError;
  }

  /** Effective operand faults: node-group-wide, overridden by node-level. */
  TreeMap<String, Injection.OperandMissing> activeOperandFaults() {
    TreeMap<String, Injection.OperandMissing> m = new TreeMap<>(group.operandFaults);
    m.putAll(operandFaults);
    return m;
  }

  /** Whether an operand is missing (not merely unexpected) on this node. */
  boolean operandMissing(String operand) {
    Injection.OperandMissing f = activeOperandFaults().get(operand);
    return f != null && !unexpected(f);
  }

  /** Whether an operand does not serve the node: missing, crash-looping or opted out. */
  boolean operandDown(String operand) {
    return operandMissing(operand) || crashLoops.containsKey(operand) || optOuts.contains(operand);
  }

  /** Whether the fault adds the operand ({@code unexpected}) rather than removing it. */
  boolean unexpected(Injection.OperandMissing f) {
    return f.unexpected();
  }
}
