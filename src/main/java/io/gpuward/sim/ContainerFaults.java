package io.gpuward.sim;

import java.time.Instant;
import java.util.Locale;

/**
 * GPU containers that fail to start (a driver root the toolkit cannot find, a sandbox that cannot
 * be created): node-level, or node-group-wide and inherited by replacements. Each workload pod on
 * an affected node retries its start on the kubelet's back-off, and every failed start is a
 * CONTAINER_START_FAILURE event naming the pod. Simulator thread only.
 */
final class ContainerFaults {

  private final SimFollowUps followUps;
  private final NodePublisher publisher;

  ContainerFaults(SimFollowUps followUps, NodePublisher publisher) {
    this.followUps = followUps;
    this.publisher = publisher;
  }

  /** A container start failure on the whole node group: replacements inherit it. */
  void applyToGroup(GroupSim g, int fault, Injection.ContainerError ce, Instant at) {
    g.containerError = ce;
    g.containerErrorFault = fault;
    followUps.endAfter(
        ce.forDuration(),
        at,
        t -> {
          if (g.containerErrorFault == fault) {
            g.containerError = null;
            g.containerErrorFault = -1;
          }
        });
  }

  /** Applies a container start failure on the node; false when {@code f} is not one. */
  boolean apply(NodeSim n, Fault f, Instant at) {
    if (!(f.injection() instanceof Injection.ContainerError ce)) {
      return false;
    }
    boolean wholeGroup = f.target() instanceof Target.NodeGroup ng && ng.whole();
    if (!wholeGroup) {
      n.containerError = ce;
      n.containerErrorFault = f.index();
      followUps.endAfter(
          ce.forDuration(),
          at,
          t -> {
            if (n.containerErrorFault == f.index()) {
              n.containerError = null;
              n.containerErrorFault = -1;
            }
          });
    }
    ensureRetries(n, at);
    return true;
  }

  /** Starts a retry loop for every workload pod of the node that has none, while a fault holds. */
  void ensureRetries(NodeSim n, Instant at) {
    if (n.activeContainerError() == null) {
      return;
    }
    for (int i = 0; i < n.gpus.length; i++) {
      if (n.podByGpu[i] != null && !n.crashLoop[i]) {
        n.crashLoop[i] = true;
        int gpu = i;
        followUps.at(at.plusMillis(n.rng.nextInt(5000)), t -> podStart(n, gpu, t));
      }
    }
  }

  private void podStart(NodeSim n, int gpu, Instant at) {
    Injection.ContainerError ce = n.activeContainerError();
    String pod = n.podByGpu[gpu];
    if (ce == null || pod == null || n.terminated || !n.registered || n.rebooting) {
      n.crashLoop[gpu] = false;
      return;
    }
    int slash = pod.indexOf('/');
    String ns = slash > 0 ? pod.substring(0, slash) : SimulatedCluster.WORKLOAD_NAMESPACE;
    String podName = slash > 0 ? pod.substring(slash + 1) : pod;
    boolean sandbox = ce.message().toLowerCase(Locale.ROOT).contains("sandbox");
    String reason = ce.reason().orElse(sandbox ? "FailedCreatePodSandBox" : "Failed");
    publisher.containerStartFailure(
        n,
        at,
        reason,
        ce.message(),
        new String[] {ns, podName},
        sandbox ? null : SimulatedCluster.WORKLOAD_CONTAINER);
    followUps.at(at.plusMillis(10_000 + n.rng.nextInt(20_001)), t -> podStart(n, gpu, t));
  }
}
