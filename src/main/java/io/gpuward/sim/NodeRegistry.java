package io.gpuward.sim;

import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.ClusterModel.Instance;
import io.gpuward.sim.ClusterModel.Node;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Node objects: registration, cordon (by gpuward's operation or by hand), the kubelet's Ready
 * and silence, allocatable GPUs and the labels the node's agents set, and the views the API serves.
 * Kept apart from the instances because a Node comes and goes on its own (a kubelet that stops for
 * good, a node that never registers) while its instance runs. Not thread-safe: the facade's lock
 * guards every access.
 */
final class NodeRegistry {

  private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

  private final ClusterModel model;
  private final ClusterTimeline timeline;
  private final ClusterJournal journal;
  private final Workloads workloads;
  private final OperandPods operands;

  NodeRegistry(
      ClusterModel model,
      ClusterTimeline timeline,
      ClusterJournal journal,
      Workloads workloads,
      OperandPods operands) {
    this.model = model;
    this.timeline = timeline;
    this.journal = journal;
    this.workloads = workloads;
    this.operands = operands;
  }

  /** Creates the instance's Node object with its DaemonSet pods. */
  Node register(Instance inst, Instant at) {
    Node n = new Node(inst.node, inst, inst.asg.gpus);
    model.nodes.put(n.name, n);
    operands.addDefaults(n);
    return n;
  }

  Optional<LiveNode> node(String name) {
    Node n = model.nodes.get(name);
    return n == null ? Optional.empty() : Optional.of(live(n));
  }

  List<LiveNode> nodes() {
    return model.nodes.values().stream().map(this::live).toList();
  }

  void cordon(String node, String operationId, Instant now) {
    Node n = require(now, "CORDON", node, operationId);
    if (n.unschedulable && Objects.equals(n.cordonedBy, operationId)) {
      journal.record(
          now, "CORDON", node, operationId, "NOOP", "already cordoned by this operation");
      return;
    }
    boolean changed = !n.unschedulable;
    n.unschedulable = true;
    n.cordonedBy = operationId;
    n.health = HealthMark.UNSCHEDULABLE;
    if (changed) {
      journal.cordoned();
      timeline.change(new ClusterChange.SchedulingChanged(node, true, now));
    }
    journal.record(
        now, "CORDON", node, operationId, "ACCEPTED", changed ? "cordoned" : "annotated");
    log.info("cluster: cordoned node={} op={}", node, operationId);
  }

  void uncordon(String node, String operationId, Instant now) {
    Node n = require(now, "UNCORDON", node, operationId);
    if (n.cordonedBy == null && n.health == HealthMark.DEGRADED) {
      n.health = null; // kept schedulable: only the mark goes, a cordon by someone else stays
      journal.record(now, "UNCORDON", node, operationId, "ACCEPTED", "degraded mark removed");
      log.info("cluster: unmarked node={} op={} (never cordoned)", node, operationId);
      return;
    }
    if (!n.unschedulable && n.cordonedBy == null) {
      journal.record(now, "UNCORDON", node, operationId, "NOOP", "not cordoned");
      return;
    }
    boolean changed = n.unschedulable;
    n.unschedulable = false;
    n.cordonedBy = null;
    n.health = null;
    if (changed) {
      journal.uncordoned();
      timeline.change(new ClusterChange.SchedulingChanged(node, false, now));
      workloads.scheduleRefill(n, now);
    }
    journal.record(now, "UNCORDON", node, operationId, "ACCEPTED", "uncordoned");
    log.info("cluster: uncordoned node={} op={}", node, operationId);
  }

  /**
   * gpuward's health label on a node it cordoned, or {@link HealthMark#DEGRADED} on a schedulable
   * one; nothing on any other node.
   */
  void markHealth(String node, HealthMark mark) {
    Node n = model.nodes.get(node);
    if (n == null) {
      return;
    }
    boolean ours = n.cordonedBy != null;
    if (mark == HealthMark.DEGRADED ? !ours && !n.unschedulable : ours) {
      n.health = mark;
    }
  }

  /**
   * A DeviceTaintRule on GPU {@code gpu} of a DRA node: no new pod gets the GPU until the rule is
   * deleted. Journaled (DEVICE_TAINT) whether or not it selects a device here, as the API server
   * stores a rule that matches nothing.
   */
  void taintDevice(String node, int gpu, String rule, Instant now) {
    Node n = model.nodes.get(node);
    boolean dra = n != null && n.instance.asg.dra && gpu >= 0 && gpu < n.instance.asg.gpus;
    if (dra) {
      n.taintedGpus.put(gpu, rule);
    }
    journal.record(
        now, "DEVICE_TAINT", node, rule, dra ? "ACCEPTED" : "NOOP", "gpu-" + gpu + " NoSchedule");
    log.info("cluster: device taint node={} gpu={} rule={} applied={}", node, gpu, rule, dra);
  }

  /** The rule deleted: the GPU takes pods again (after the reschedule delay). */
  void untaintDevice(String node, int gpu, String rule, Instant now) {
    Node n = model.nodes.get(node);
    boolean removed = n != null && n.taintedGpus.remove(gpu, rule);
    if (removed) {
      workloads.scheduleRefill(n, now);
    }
    journal.record(now, "DEVICE_UNTAINT", node, rule, removed ? "ACCEPTED" : "NOOP", "gpu-" + gpu);
    log.info("cluster: device taint removed node={} gpu={} rule={}", node, gpu, rule);
  }

  /** Unschedulable without the gpuward annotation, as {@code kubectl cordon} leaves it. */
  void cordonManually(String node, Instant now) {
    Node n = require(now, "MANUAL_CORDON", node, "");
    boolean changed = !n.unschedulable;
    n.unschedulable = true;
    n.cordonedBy = null;
    n.health = null;
    if (changed) {
      timeline.change(new ClusterChange.SchedulingChanged(node, true, now));
    }
    journal.record(now, "MANUAL_CORDON", node, "", "ACCEPTED", "kubectl cordon");
  }

  /** The kubelet's own Ready verdict (not-ready faults). */
  void setKubeletReady(String node, boolean ready, Instant at) {
    Node n = model.nodes.get(node);
    if (n != null && n.kubeletReady != ready) {
      n.kubeletReady = ready;
      if (ready) {
        workloads.scheduleRefill(n, at);
      }
    }
  }

  /** Deletes or recreates the Node object of a running instance. */
  void setRegistered(String node, boolean registered, Instant at) {
    Instance inst = model.current(node);
    if (inst == null) {
      return;
    }
    if (!registered) {
      model.nodes.remove(node);
    } else if (!model.nodes.containsKey(node)) {
      Node n = register(inst, at);
      workloads.scheduleRefill(n, at);
    }
  }

  /** GPU indexes the device plugin advertises (allocatable). */
  void setAllocatableGpus(String node, int[] indexes, Instant at) {
    Node n = model.nodes.get(node);
    if (n != null) {
      n.allocatableGpus = indexes.clone();
      workloads.scheduleRefill(n, at);
    }
  }

  /**
   * The kubelet stops posting status (a hang) or posts again; the node lifecycle controller marks a
   * silent node's Ready Unknown after {@link Injection.Hang#NODE_MONITOR_GRACE}.
   */
  void setKubeletPosting(String node, boolean posting, Instant at) {
    Node n = model.nodes.get(node);
    if (n == null || n.kubeletSilent != posting) {
      return;
    }
    n.kubeletSilent = !posting;
    if (posting) {
      n.statusUnknown = false;
      workloads.scheduleRefill(n, at);
      return;
    }
    int hang = ++n.hangs;
    timeline.schedule(
        at.plus(Injection.Hang.NODE_MONITOR_GRACE),
        t -> {
          if (n.kubeletSilent && n.hangs == hang && model.nodes.get(n.name) == n) {
            n.statusUnknown = true;
            log.info("cluster: node={} Ready Unknown: kubelet stopped posting status", n.name);
          }
        });
  }

  /** Replaces the labels the node's agents set; the API serves them under the group's own. */
  void setAgentLabels(String node, Map<String, String> labels) {
    Node n = model.nodes.get(node);
    if (n != null) {
      n.agentLabels = Map.copyOf(labels);
    }
  }

  /** Workload pod (namespace/name) per GPU index of a node, for the simulator at start. */
  String[] gpuPods(String node) {
    Node n = model.nodes.get(node);
    return n == null ? new String[0] : workloads.podByGpu(n);
  }

  /** Pods bound to {@code node} (empty for an unknown node). */
  List<PodView> pods(String node, Instant now) {
    Node n = model.nodes.get(node);
    return n == null ? List.of() : Workloads.views(n, now);
  }

  /** Every Node as an API server front end serves it. */
  List<NodeView> views(Instant now) {
    List<NodeView> out = new ArrayList<>();
    for (Node n : model.nodes.values()) {
      out.add(
          new NodeView(
              live(n),
              n.instance.asg.labels.get("topology.kubernetes.io/zone"),
              n.instance.state.name(),
              n.instance.asg.gpus,
              n.allocatableGpus.length,
              n.instance.launchedAt,
              Workloads.views(n, now),
              n.statusUnknown,
              draGpus(n)));
    }
    return out;
  }

  /** The UUIDs of a DRA node's GPUs by index, as its ResourceSlice lists them; empty otherwise. */
  private static List<String> draGpus(Node n) {
    if (!n.instance.asg.dra) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.instance.asg.gpus; i++) {
      out.add(SimIds.gpuUuid(n.instance.asg.seed, n.name, i));
    }
    return out;
  }

  /** The node named, or a PERMANENT refusal recorded for {@code action}. */
  Node require(Instant now, String action, String node, String op) {
    Node n = model.nodes.get(node);
    if (n == null) {
      throw journal.reject(
          now, action, node, op, ActuatorException.Kind.PERMANENT, "node " + node + " not found");
    }
    return n;
  }

  private LiveNode live(Node n) {
    Map<String, String> labels = n.instance.asg.labels;
    if (!n.agentLabels.isEmpty() || n.health != null) {
      labels = new TreeMap<>(n.agentLabels);
      labels.putAll(n.instance.asg.labels);
      if (n.health != null) {
        labels.put(HealthMark.LABEL, n.health.value());
      }
    }
    return LiveNode.named(n.name)
        .bootId(n.instance.bootId)
        .ready(n.ready())
        .unschedulable(n.unschedulable)
        .cordonedBy(Optional.ofNullable(n.cordonedBy))
        .instanceId(n.instance.id)
        .asgName(n.instance.asg.name)
        .labels(labels)
        .osImage("")
        .gpus(new LiveNode.GpuCount(n.instance.asg.gpus, n.allocatableGpus.length))
        .build();
  }
}
