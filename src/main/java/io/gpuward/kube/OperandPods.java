package io.gpuward.kube;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which GPU Operator operand a pod is, and what state it is in. The GPU Operator runs each operand
 * as a DaemonSet of a fixed name in its namespace; the pod's owning DaemonSet (else its {@code app}
 * label, which the operator sets to the same name) says which operand it is.
 */
public final class OperandPods {

  /** State of an operand whose pod is gone from the node. */
  public static final String MISSING = "Missing";

  /** State of an operand whose containers all run. */
  public static final String RUNNING = "Running";

  /** Waiting reason of a container the kubelet restarts with a growing back-off. */
  public static final String CRASH_LOOP = "CrashLoopBackOff";

  /** The GPU Operator's DaemonSet names, by the operand name its deploy label uses. */
  private static final Map<String, String> BY_DAEMONSET =
      Map.of(
          "nvidia-device-plugin-daemonset", "device-plugin",
          "nvidia-container-toolkit-daemonset", "container-toolkit",
          "nvidia-dcgm", "dcgm",
          "nvidia-dcgm-exporter", "dcgm-exporter",
          "gpu-feature-discovery", "gpu-feature-discovery",
          "nvidia-operator-validator", "operator-validator",
          "nvidia-mig-manager", "mig-manager",
          "nvidia-device-plugin-mps-control-daemon", "mps-control-daemon");

  private OperandPods() {}

  /** The operand a DaemonSet name stands for, if it is one of the GPU Operator's. */
  public static Optional<String> operandOf(String daemonSet) {
    return Optional.ofNullable(daemonSet == null ? null : BY_DAEMONSET.get(daemonSet));
  }

  /** The operand {@code pod} runs, from its owning DaemonSet or else its {@code app} label. */
  public static Optional<String> operand(Pod pod) {
    if (pod == null || pod.getMetadata() == null) {
      return Optional.empty();
    }
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners != null) {
      for (OwnerReference o : owners) {
        if ("DaemonSet".equals(o.getKind())) {
          Optional<String> op = operandOf(o.getName());
          if (op.isPresent()) {
            return op;
          }
        }
      }
    }
    Map<String, String> labels = pod.getMetadata().getLabels();
    return operandOf(labels == null ? null : labels.get("app"));
  }

  /**
   * One operand pod's state.
   *
   * @param state {@link #RUNNING}, {@link #CRASH_LOOP}, another container waiting reason, or the
   *     pod phase when no container says more
   * @param container the container that decided the state (the first not running), else the first
   * @param restarts restarts of that container
   * @param lastTermination reason that container last terminated with, null when never
   */
  public record Status(
      String state, String container, int restarts, String lastTermination, String uid) {

    /** {@code restarts 5, last terminated Error}, for the event message. */
    public String message() {
      return "restarts "
          + restarts
          + (lastTermination == null ? "" : ", last terminated " + lastTermination);
    }
  }

  /** The pod's state: a waiting (init) container decides it, crash-looping before others. */
  public static Status status(Pod pod) {
    String uid = pod.getMetadata() == null ? null : pod.getMetadata().getUid();
    PodStatus ps = pod.getStatus();
    List<ContainerStatus> all = new ArrayList<>();
    if (ps != null) {
      if (ps.getInitContainerStatuses() != null) {
        all.addAll(ps.getInitContainerStatuses());
      }
      if (ps.getContainerStatuses() != null) {
        all.addAll(ps.getContainerStatuses());
      }
    }
    ContainerStatus decisive = waiting(all, true);
    if (decisive == null) {
      decisive = waiting(all, false);
    }
    if (decisive != null) {
      return of(decisive, decisive.getState().getWaiting().getReason(), uid);
    }
    String phase = ps == null || ps.getPhase() == null ? "Pending" : ps.getPhase();
    ContainerStatus first = all.stream().filter(c -> !isInit(ps, c)).findFirst().orElse(null);
    String state = "Running".equals(phase) ? RUNNING : phase;
    return first == null ? new Status(state, null, 0, null, uid) : of(first, state, uid);
  }

  private static boolean isInit(PodStatus ps, ContainerStatus c) {
    return ps.getInitContainerStatuses() != null && ps.getInitContainerStatuses().contains(c);
  }

  private static ContainerStatus waiting(List<ContainerStatus> all, boolean crashLoopOnly) {
    for (ContainerStatus c : all) {
      if (c.getState() != null
          && c.getState().getWaiting() != null
          && c.getState().getWaiting().getReason() != null
          && (!crashLoopOnly || CRASH_LOOP.equals(c.getState().getWaiting().getReason()))) {
        return c;
      }
    }
    return null;
  }

  private static Status of(ContainerStatus c, String state, String uid) {
    String last = null;
    if (c.getLastState() != null && c.getLastState().getTerminated() != null) {
      last = c.getLastState().getTerminated().getReason();
    }
    int restarts = c.getRestartCount() == null ? 0 : c.getRestartCount();
    return new Status(state, c.getName(), restarts, last, uid);
  }
}
