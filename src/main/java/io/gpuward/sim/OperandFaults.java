package io.gpuward.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU Operator's operands on a node: missing or unexpected ones (node-level, or node-group-wide
 * and inherited by replacements), crash-looping pods, opt-outs; and what follows, as the cluster
 * would show it: the operand's DaemonSet pod, the deploy labels, and the GPUs the device plugin
 * stops advertising after its grace. Simulator thread only.
 */
final class OperandFaults {

  private static final Logger log = LoggerFactory.getLogger(OperandFaults.class);

  /** How long the kubelet keeps a crash-looping device plugin's GPUs before dropping them. */
  private static final Duration DEVICE_PLUGIN_GRACE = Duration.ofSeconds(30);

  private final ClusterControls cluster;
  private final SimFollowUps followUps;
  private final NodePublisher publisher;

  OperandFaults(ClusterControls cluster, SimFollowUps followUps, NodePublisher publisher) {
    this.cluster = cluster;
    this.followUps = followUps;
    this.publisher = publisher;
  }

  /** An operand fault on the whole node group: replacements inherit it. */
  void applyToGroup(GroupSim g, Injection.OperandMissing om, Instant at) {
    g.operandFaults.put(om.operand(), om);
    followUps.endAfter(
        om.forDuration(),
        at,
        t -> {
          if (g.operandFaults.get(om.operand()) == om) {
            g.operandFaults.remove(om.operand());
          }
        });
  }

  /** Applies an operand fault on the node; false when {@code f} is not one. */
  boolean apply(NodeSim n, Fault f, Instant at) {
    Injection inj = f.injection();
    if (inj instanceof Injection.OperandMissing om) {
      missing(n, f, om, at);
    } else if (inj instanceof Injection.OperandCrashLoop c) {
      crashLoop(n, f.index(), c, at);
    } else if (inj instanceof Injection.OperandOptOut o) {
      n.optOuts.add(o.operand());
      n.crashLoops.remove(o.operand());
      log.info("sim: node={} opted out of operand {}", n.name, o.operand());
      changed(n, at);
    } else {
      return false;
    }
    return true;
  }

  private void missing(NodeSim n, Fault f, Injection.OperandMissing om, Instant at) {
    boolean wholeGroup = f.target() instanceof Target.NodeGroup ng && ng.whole();
    if (!wholeGroup) {
      n.operandFaults.put(om.operand(), om);
      n.operandFaultIndex.put(om.operand(), f.index());
      followUps.endAfter(
          om.forDuration(),
          at,
          t -> {
            Integer idx = n.operandFaultIndex.get(om.operand());
            if (idx != null && idx == f.index()) {
              n.operandFaults.remove(om.operand());
              n.operandFaultIndex.remove(om.operand());
              changed(n, t);
            }
          });
    } else {
      followUps.endAfter(om.forDuration(), at, t -> changed(n, t));
    }
    changed(n, at);
  }

  /** The operand's pod crash-loops until {@code for} has passed, a recover, or a later fault. */
  private void crashLoop(NodeSim n, int fault, Injection.OperandCrashLoop c, Instant at) {
    if (n.terminated || n.gpus.length == 0 || n.optOuts.contains(c.operand())) {
      log.info("sim: node={} runs no {} pod, crash loop skipped", n.name, c.operand());
      return;
    }
    n.crashLoops.put(c.operand(), fault);
    changed(n, at);
    followUps.endAfter(
        c.forDuration(),
        at,
        t -> {
          Integer idx = n.crashLoops.get(c.operand());
          if (idx != null && idx == fault) {
            n.crashLoops.remove(c.operand());
            changed(n, t);
          }
        });
  }

  /**
   * The node's operands changed: its operand pods, their crash loops, the device plugin's grace,
   * its labels and resources follow.
   */
  void changed(NodeSim n, Instant at) {
    if (n.terminated || n.gpus.length == 0) {
      return;
    }
    TreeMap<String, Injection.OperandMissing> active = n.activeOperandFaults();
    for (String op : Injection.OPERANDS) {
      Injection.OperandMissing f = active.get(op);
      boolean defaultPresent = defaultOperand(n, op);
      boolean present = f == null ? defaultPresent : n.unexpected(f);
      cluster.setOperandPod(n.name, op, present && !n.optOuts.contains(op));
      cluster.setOperandCrashLoop(n.name, op, n.crashLoops.containsKey(op), at);
    }
    devicePlugin(n, active.get("device-plugin"), at);
    publisher.updateLabels(n, at);
    publisher.updateResources(n, at);
  }

  /** A device plugin down past its grace advertises no GPUs; back, it advertises them again. */
  private void devicePlugin(NodeSim n, Injection.OperandMissing f, Instant at) {
    boolean dpDown = n.operandDown("device-plugin");
    if (!dpDown && n.devicePluginGone) {
      n.devicePluginGone = false;
    } else if (dpDown && !n.devicePluginGone) {
      followUps.at(
          at.plus(f != null && !n.unexpected(f) ? f.grace() : DEVICE_PLUGIN_GRACE),
          t -> {
            if (n.operandDown("device-plugin") && !n.devicePluginGone) {
              n.devicePluginGone = true;
              log.info("sim: node={} device plugin down past its grace: allocatable 0", n.name);
              publisher.updateResources(n, t);
            }
          });
    }
  }

  private static boolean defaultOperand(NodeSim n, String op) {
    return switch (op) {
      case "mig-manager" -> n.group.type.migCapable();
      case "driver", "dcgm" -> false; // pre-installed / embedded in dcgm-exporter
      default -> true;
    };
  }
}
