package io.gpuward.engine.domain;

import io.gpuward.avro.NodeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GPU Operator operands judged by what runs. The {@code nvidia.com/gpu.deploy.<operand>} labels say
 * what the operator WANTS on a node: {@code true} wanted, {@code false} an admin's opt-out (never a
 * fault). The watcher's OPERAND_STATUS events say what runs. A wanted operand is a fault when its
 * pod crash-loops (at once: the kubelet has already restarted it several times), or has no running
 * pod for longer than the grace. Until a node's first operand status arrives (a watcher without pod
 * access), the labels alone decide: a required operand's label absent for the grace.
 */
final class OperandRule {
  /** The GPU Feature Discovery label saying MPS is enabled on the node's GPUs. */
  static final String MPS_CAPABLE = "nvidia.com/mps.capable";

  static final String CRASH_LOOP = "CrashLoopBackOff";
  static final String RUNNING = "Running";
  static final String MISSING = "Missing";

  /**
   * What the operands of one node come to.
   *
   * @param faults one line per faulty operand, naming its pod where there is one
   * @param pending whether any wanted operand is not running yet (inside its grace or beyond)
   */
  record Judgement(List<String> faults, boolean pending) {}

  private final RuleParams.GpuOperator op;
  private final Duration grace;

  OperandRule(RuleParams.GpuOperator op, Duration grace) {
    this.op = op;
    this.grace = grace;
  }

  /** Remembers an OPERAND_STATUS event's pod state on {@code s}. */
  static void onStatus(NodeState s, NodeEvent e, String operand) {
    NodeState.OperandPod last = s.operandPods.get(operand);
    String state = e.getReason() == null ? MISSING : e.getReason();
    long at = e.getEventTime().toEpochMilli();
    long since = last != null && last.state().equals(state) ? last.since() : at;
    String pod = e.getPod() != null ? e.getPod() : last != null ? last.pod() : null;
    String ns =
        e.getNamespace() != null ? e.getNamespace() : last != null ? last.namespace() : null;
    s.operandPods.put(
        operand, new NodeState.OperandPod(state, ns, pod, e.getMessage(), Math.min(since, at)));
  }

  /** The operand an OPERAND_STATUS event is about: its id's third part. */
  static String operandOf(NodeEvent e) {
    String[] parts = e.getEventId().split("/", -1);
    return parts.length >= 3 ? parts[2] : "";
  }

  /** Judges the node's wanted operands at {@code ms}; updates the missing-since times. */
  Judgement judge(NodeState s, long ms) {
    return s.operandPods.isEmpty() ? byLabels(s, ms) : byPods(s, ms);
  }

  private Judgement byLabels(NodeState s, long ms) {
    List<String> faults = new ArrayList<>();
    for (String operand : op.requiredOperands()) {
      if (s.labels.get(op.labelPrefix() + operand) == null) {
        long since = s.operandMissingSince.computeIfAbsent(operand, k -> ms);
        if (ms - since >= grace.toMillis()) {
          faults.add(operand + ": no " + op.labelPrefix() + operand + " label");
        }
      } else {
        s.operandMissingSince.remove(operand);
      }
    }
    return new Judgement(faults, !s.operandMissingSince.isEmpty());
  }

  private Judgement byPods(NodeState s, long ms) {
    List<String> faults = new ArrayList<>();
    boolean pending = false;
    s.operandMissingSince.keySet().removeIf(o -> !wanted(s, o) || s.operandPods.containsKey(o));
    for (Map.Entry<String, NodeState.OperandPod> e : s.operandPods.entrySet()) {
      if (labelled(s, e.getKey()) && CRASH_LOOP.equals(e.getValue().state())) {
        faults.add(describe(e.getValue()));
        pending = true;
      }
    }
    for (String operand : judgedOperands()) {
      NodeState.OperandPod p = s.operandPods.get(operand);
      if (!wanted(s, operand) || (p != null && RUNNING.equals(p.state()))) {
        continue;
      }
      if (p != null && CRASH_LOOP.equals(p.state())) {
        continue; // counted above
      }
      pending = true;
      long since = p != null ? p.since() : s.operandMissingSince.computeIfAbsent(operand, k -> ms);
      if (ms - since >= grace.toMillis()) {
        faults.add(
            p == null ? operand + ": no pod on the node" : describe(p) + " (" + operand + ")");
      }
    }
    return new Judgement(faults, pending);
  }

  /**
   * Allocatable-critical operands not running (or opted out) on a GPU Operator–managed node: an
   * allocatable drop there is the operator's configuration, not the GPUs.
   */
  List<String> allocatableOperandsDown(NodeState s) {
    boolean managed = s.labels.keySet().stream().anyMatch(k -> k.startsWith(op.labelPrefix()));
    List<String> down = new ArrayList<>();
    if (!managed) {
      return down;
    }
    for (String operand : op.allocatableOperands()) {
      String v = s.labels.get(op.labelPrefix() + operand);
      NodeState.OperandPod p = s.operandPods.get(operand);
      boolean notRunning = !s.operandPods.isEmpty() && (p == null || !RUNNING.equals(p.state()));
      if (v == null || v.equals("false") || notRunning) {
        down.add(operand);
      }
    }
    return down;
  }

  private List<String> judgedOperands() {
    List<String> all = new ArrayList<>(op.requiredOperands());
    all.addAll(op.mpsOnlyOperands());
    return all;
  }

  /** Wanted: its deploy label is true; an MPS-only operand also needs MPS enabled. */
  private boolean wanted(NodeState s, String operand) {
    if (op.mpsOnlyOperands().contains(operand)) {
      return "true".equals(s.labels.get(MPS_CAPABLE))
          && !"false".equals(s.labels.get(op.labelPrefix() + operand));
    }
    return "true".equals(s.labels.get(op.labelPrefix() + operand));
  }

  private boolean labelled(NodeState s, String operand) {
    return wanted(s, operand) || "true".equals(s.labels.get(op.labelPrefix() + operand));
  }

  /** {@code gpu-operator/nvidia-device-plugin-daemonset-x7k2p CrashLoopBackOff (restarts 5)}. */
  private static String describe(NodeState.OperandPod p) {
    String what = p.pod() == null ? "" : p.ref() + " ";
    return what + p.state() + (p.message() == null ? "" : " (" + p.message() + ")");
  }
}
