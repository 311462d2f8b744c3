package io.gpuward.sim;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults of a node as a whole and of the world around it: the kubelet NotReady or hung, a node that
 * never registers, its exporter silenced, fewer allocatable GPUs, a scale-in, an SSM agent that
 * never registers; and a recover, which ends every fault of the node. The control plane's view of a
 * hang or a scale-in is the cluster's; this part tells the cluster and publishes what the kubelet
 * would. Simulator thread only.
 */
final class NodeFaults {

  private static final Logger log = LoggerFactory.getLogger(NodeFaults.class);

  private static final String NOT_READY_MESSAGE =
      "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady"
          + " message:Network plugin returns error: cni plugin not initialized";

  private final ClusterControls cluster;
  private final SimFollowUps followUps;
  private final NodePublisher publisher;
  private final NodeLifecycle lifecycle;
  private final GpuFaults gpuFaults;
  private final OperandFaults operandFaults;

  NodeFaults(
      ClusterControls cluster,
      SimFollowUps followUps,
      NodePublisher publisher,
      NodeLifecycle lifecycle,
      GpuFaults gpuFaults,
      OperandFaults operandFaults) {
    this.cluster = cluster;
    this.followUps = followUps;
    this.publisher = publisher;
    this.lifecycle = lifecycle;
    this.gpuFaults = gpuFaults;
    this.operandFaults = operandFaults;
  }

  /** No-registration or recover on the whole node group (replacements follow it). */
  void applyToGroup(GroupSim g, Injection inj) {
    if (inj instanceof Injection.NoRegistration) {
      g.noRegistration = true;
      cluster.setAsgRegisters(g.spec.asgName(), false);
    } else if (inj instanceof Injection.Recover) {
      g.noRegistration = false;
      cluster.setAsgRegisters(g.spec.asgName(), g.registers());
      g.containerError = null;
      g.containerErrorFault = -1;
      g.operandFaults.clear();
    }
  }

  /** Applies a node or world fault on the node; false when {@code f} is not one. */
  boolean apply(NodeSim n, Fault f, Instant at) {
    Injection inj = f.injection();
    if (inj instanceof Injection.NotReady nr) {
      notReady(n, f.index(), nr, at);
    } else if (inj instanceof Injection.NoRegistration) {
      noRegistration(n, f.index(), at);
    } else if (inj instanceof Injection.AllocatableDrop ad) {
      allocatableDrop(n, f.index(), ad, at);
    } else if (inj instanceof Injection.TelemetrySilence ts) {
      n.silenceUntil = at.plus(ts.forDuration());
      n.silenceFault = f.index();
    } else if (inj instanceof Injection.Recover) {
      recover(n, at);
    } else if (inj instanceof Injection.ScaleIn) {
      cluster.scaleIn(n.name, at);
    } else if (inj instanceof Injection.SsmUnregistered) {
      cluster.ssmNeverRegisters(n.name);
    } else if (inj instanceof Injection.ScheduledEvent se) {
      cluster.scheduleEvent(n.name, se.code(), at.plus(se.in()));
    } else if (inj instanceof Injection.DiagFail d) {
      cluster.diagnostics().failNext(n.name, d);
    } else if (inj instanceof Injection.Hang h) {
      hang(n, f.index(), h, at);
    } else {
      return false;
    }
    return true;
  }

  private void notReady(NodeSim n, int fault, Injection.NotReady nr, Instant at) {
    if (!n.registered || n.rebooting) {
      return;
    }
    n.notReadyFault = fault;
    cluster.setKubeletReady(n.name, false, at);
    publisher.notReady(n, at, nr.message().orElse(NOT_READY_MESSAGE));
    followUps.endAfter(
        nr.forDuration(),
        at,
        t -> {
          if (n.notReadyFault == fault) {
            clearNotReady(n, t);
          }
        });
  }

  private void clearNotReady(NodeSim n, Instant at) {
    n.notReadyFault = -1;
    cluster.setKubeletReady(n.name, true, at);
    if (n.registered && !n.rebooting) {
      publisher.ready(n, at);
    }
  }

  private void noRegistration(NodeSim n, int fault, Instant at) {
    n.noRegistrationFault = fault;
    if (n.registered && !n.terminated) {
      publisher.removed(n, at);
      n.registered = false;
      cluster.setRegistered(n.name, false, at);
      publisher.inventory(n, at);
    }
  }

  private void allocatableDrop(NodeSim n, int fault, Injection.AllocatableDrop ad, Instant at) {
    int expected = n.gpus.length;
    n.allocatableOverride = ad.allocatable().orElse(Math.max(0, expected - 1));
    n.allocatableFault = fault;
    publisher.updateResources(n, at);
    followUps.endAfter(
        ad.forDuration(),
        at,
        t -> {
          if (n.allocatableFault == fault) {
            n.allocatableOverride = null;
            n.allocatableFault = -1;
            publisher.updateResources(n, t);
          }
        });
  }

  /**
   * The node hangs: nothing on it reports (no kubelet status, no scrapes, no heartbeats, no kernel
   * lines) until {@code for} has passed or a reboot. The control plane's view of it is the
   * cluster's (Ready Unknown after the node controller's grace); the simulator emits nothing.
   */
  private void hang(NodeSim n, int fault, Injection.Hang h, Instant at) {
    if (!n.registered || n.rebooting || n.terminated) {
      log.info("sim: node={} not up, hang skipped", n.name);
      return;
    }
    n.hangFault = fault;
    cluster.setKubeletPosting(n.name, false, at);
    followUps.endAfter(h.forDuration(), at, t -> endHang(n, fault, t));
  }

  private void endHang(NodeSim n, int fault, Instant at) {
    if (n.hangFault != fault || n.terminated) {
      return;
    }
    n.hangFault = -1;
    cluster.setKubeletPosting(n.name, true, at);
    log.info("sim: node={} no longer hung, same boot {}", n.name, n.bootId);
  }

  private void recover(NodeSim n, Instant at) {
    gpuFaults.recover(n, at);
    if (n.notReadyFault >= 0) {
      clearNotReady(n, at);
    }
    if (n.hangFault >= 0) {
      endHang(n, n.hangFault, at);
    }
    n.silenceUntil = null;
    n.silenceFault = -1;
    n.allocatableOverride = null;
    n.allocatableFault = -1;
    n.containerError = null;
    n.containerErrorFault = -1;
    n.operandFaults.clear();
    n.operandFaultIndex.clear();
    n.crashLoops.clear();
    if (n.noRegistrationFault >= 0 && !n.terminated) {
      n.noRegistrationFault = -1;
      if (!n.registered && !n.group.noRegistration && n.group.imageBoots) {
        lifecycle.registerAgain(n, at);
        return;
      }
    }
    operandFaults.changed(n, at);
    publisher.updateResources(n, at);
  }
}
