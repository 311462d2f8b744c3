package io.gpuward.sim;

import io.gpuward.avro.NodeEventKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's life as the simulator plays it: the scenario's initial instances launched and
 * registered, and then what the cluster did to them (reboot begun and done, GPU reset done, cordon,
 * pods evicted or back, instance terminated, replacement launched and registered), each shown in
 * the node's records. The cluster decides; this part follows its changes. Simulator thread only.
 */
final class NodeLifecycle {

  private static final Logger log = LoggerFactory.getLogger(NodeLifecycle.class);

  /** A rebooted node's kernel started this long before the reboot completes (kubelet Ready). */
  private static final Duration KERNEL_BOOT_TO_READY = Duration.ofSeconds(30);

  private final long seed;
  private final FleetNodes fleet;
  private final ClusterControls cluster;
  private final NodePublisher publisher;
  private final NodeSignals signals;
  private final GpuFaults gpuFaults;
  private final OperandFaults operandFaults;
  private final ContainerFaults containerFaults;

  NodeLifecycle(
      long seed,
      FleetNodes fleet,
      ClusterControls cluster,
      NodePublisher publisher,
      NodeSignals signals,
      GpuFaults gpuFaults,
      OperandFaults operandFaults,
      ContainerFaults containerFaults) {
    this.seed = seed;
    this.fleet = fleet;
    this.cluster = cluster;
    this.publisher = publisher;
    this.signals = signals;
    this.gpuFaults = gpuFaults;
    this.operandFaults = operandFaults;
    this.containerFaults = containerFaults;
  }

  /**
   * Declares the groups' Auto Scaling groups and launches their initial nodes at {@code t}; a node
   * in {@code neverRegisters} (by name, the fault's index) never registers.
   */
  void start(Instant t, Map<String, Integer> neverRegisters) {
    for (GroupSim g : fleet.groups()) {
      cluster.defineAsg(
          g.spec.asgName(),
          g.spec.name(),
          g.gpus(),
          g.type.migCapable(),
          seed,
          g.spec.count(),
          g.registers());
      cluster.labelAsg(
          g.spec.asgName(),
          Map.of(
              "topology.kubernetes.io/zone", g.spec.zone(),
              "node.kubernetes.io/instance-type", g.spec.instanceType()));
      cluster.imageAsg(g.spec.asgName(), g.spec.image(), g.amiId, g.imageBoots);
      if (g.spec.dra()) {
        cluster.draAsg(g.spec.asgName());
      }
    }
    for (GroupSim g : fleet.groups()) {
      for (int i = 0; i < g.spec.count(); i++) {
        launchInitial(g, g.spec.nodeName(i), t, neverRegisters);
      }
    }
  }

  private void launchInitial(
      GroupSim g, String name, Instant t, Map<String, Integer> neverRegisters) {
    long ageSeconds = 1200 + Math.floorMod(SimIds.hash(seed, "age", name), 6 * 3600L);
    Instant launchedAt = t.minusSeconds(ageSeconds);
    boolean registers = g.imageBoots && !neverRegisters.containsKey(name) && !g.noRegistration;
    String[] ids = cluster.launchInitial(g.spec.asgName(), name, launchedAt, registers);
    NodeSim n = fleet.add(name, g, ids[0], ids[1], launchedAt, t);
    if (neverRegisters.containsKey(name)) {
      n.noRegistrationFault = neverRegisters.get(name);
    }
    n.registered = registers;
    publisher.inventory(n, t);
    if (registers) {
      n.podByGpu = Arrays.copyOf(cluster.gpuPods(name), n.gpus.length);
      publisher.registration(n, t);
    } else {
      log.info(
          "sim: node={} ({} {} image {}) does not register",
          name,
          g.spec.instanceType(),
          g.type.hasNvidiaGpu() ? "GPU" : "no NVIDIA GPU",
          g.spec.image());
    }
  }

  /** Shows one change the cluster made in the node's records. */
  void apply(ClusterChange c, Instant at) {
    if (c instanceof ClusterChange.InstanceLaunched l) {
      launched(l, at);
      return;
    }
    NodeSim n = fleet.node(c.node());
    if (n == null) {
      log.debug("sim: change for unknown node={} ignored: {}", c.node(), c);
      return;
    }
    if (c instanceof ClusterChange.RebootStarted) {
      startReboot(n, at);
    } else if (c instanceof ClusterChange.RebootCompleted rc) {
      finishReboot(n, rc.bootId(), at);
    } else if (c instanceof ClusterChange.GpuResetCompleted gr) {
      gpuFaults.resetDone(n, gr.gpu(), at);
    } else if (c instanceof ClusterChange.InstanceTerminated) {
      terminated(n, at);
    } else if (c instanceof ClusterChange.NodeJoined j) {
      joined(n, j.bootId(), at);
    } else if (c instanceof ClusterChange.SchedulingChanged sc) {
      n.unschedulable = sc.unschedulable();
      if (n.registered) {
        String reason = sc.unschedulable() ? "NodeNotSchedulable" : "NodeSchedulable";
        String message = "Node " + n.name + " status is now: " + reason;
        publisher.reasonEvent(n, NodeEventKind.KUBE_EVENT, at, "kubelet", reason, message);
      }
    } else if (c instanceof ClusterChange.PodsChanged pc) {
      n.podByGpu = Arrays.copyOf(pc.podByGpu(), n.gpus.length);
      containerFaults.ensureRetries(n, at);
    }
  }

  private void launched(ClusterChange.InstanceLaunched l, Instant at) {
    GroupSim g = fleet.groupOfAsg(l.asgName());
    if (g == null) {
      log.warn("sim: launch in unknown ASG {} node={}", l.asgName(), l.node());
      return;
    }
    NodeSim n = fleet.add(l.node(), g, l.instanceId(), l.bootId(), at, at);
    publisher.inventory(n, at);
    log.info("sim: instance {} launched as node={} in {}", l.instanceId(), l.node(), g.spec.name());
  }

  private void joined(NodeSim n, String bootId, Instant at) {
    if (!bootId.equals(n.bootId)) {
      signals.boot(n, bootId, at, at);
    }
    if (n.noRegistrationFault >= 0 || n.group.noRegistration) {
      cluster.setRegistered(n.name, false, at);
      return;
    }
    n.registered = true;
    publisher.inventory(n, at);
    publisher.registration(n, at);
    inheritGroupFaults(n, at);
    log.info("sim: node={} registered", n.name);
  }

  /** A node whose registration was held back registers now (a recover). */
  void registerAgain(NodeSim n, Instant at) {
    cluster.setRegistered(n.name, true, at);
    n.registered = true;
    publisher.inventory(n, at);
    publisher.registration(n, at);
    inheritGroupFaults(n, at);
  }

  /** Node-group-wide configuration faults hit a node that just registered. */
  private void inheritGroupFaults(NodeSim n, Instant at) {
    if (!n.group.operandFaults.isEmpty()) {
      operandFaults.changed(n, at);
    }
    containerFaults.ensureRetries(n, at);
  }

  /** The kubelet reports the node going down for a reboot. */
  private void startReboot(NodeSim n, Instant at) {
    n.rebooting = true;
    if (n.registered) {
      publisher.notReady(n, at, "node is shutting down");
    }
    log.info("sim: node={} rebooting", n.name);
  }

  /** The instance is gone: its Node is removed and the node leaves the fleet. */
  private void terminated(NodeSim n, Instant at) {
    if (n.registered) {
      publisher.removed(n, at);
    }
    n.terminated = true;
    n.registered = false;
    publisher.inventoryRemoved(n);
    signals.gone(n);
    fleet.remove(n);
    log.info("sim: node={} instance {} terminated", n.name, n.instanceId);
  }

  private void finishReboot(NodeSim n, String bootId, Instant at) {
    n.rebooting = false;
    n.kmsgSeq = 1200 + n.rng.nextInt(800);
    signals.boot(n, bootId, at.minus(KERNEL_BOOT_TO_READY), at);
    gpuFaults.rebooted(n);
    n.notReadyFault = -1;
    n.hangFault = -1;
    n.silenceUntil = null;
    n.silenceFault = -1;
    n.allocatableOverride = null;
    n.allocatableFault = -1;
    n.devicePluginGone = n.operandDown("device-plugin");
    if (!n.registered) {
      return;
    }
    String message = "Node " + n.name + " has been rebooted, boot id: " + bootId;
    publisher.reasonEvent(n, NodeEventKind.NODE_REBOOTED, at, "kubelet", "Rebooted", message);
    publisher.ready(n, at);
    publisher.republish(n, at);
    containerFaults.ensureRetries(n, at);
    gpuFaults.recurAfterReboot(n, at);
    log.info("sim: node={} back from reboot, bootId={}", n.name, bootId);
  }
}
