package io.gpuward.sim;

import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.List;

/**
 * One registered node of the {@link SimulatedCluster} as an API server would present it.
 *
 * @param live name, boot id, Ready, cordon, instance, Auto Scaling group and labels
 * @param zone availability zone of its instance
 * @param instanceState PENDING, RUNNING, REBOOTING or TERMINATED
 * @param gpus GPU capacity ({@code nvidia.com/gpu})
 * @param allocatableGpus GPUs the device plugin advertises
 * @param launchedAt when its instance launched
 * @param pods the pods bound to it, in creation order
 * @param statusUnknown the node controller has marked Ready Unknown: the kubelet stopped posting
 *     status for longer than the controller's grace
 * @param draGpus the UUIDs of its GPUs by index when they are allocated through DRA (its
 *     ResourceSlice lists them), empty otherwise
 */
public record NodeView(
    LiveNode live,
    String zone,
    String instanceState,
    int gpus,
    int allocatableGpus,
    Instant launchedAt,
    List<PodView> pods,
    boolean statusUnknown,
    List<String> draGpus) {

  public NodeView {
    pods = List.copyOf(pods);
    draGpus = draGpus == null ? List.of() : List.copyOf(draGpus);
  }

  /** A node whose GPUs are allocated through the device plugin. */
  public NodeView(
      LiveNode live,
      String zone,
      String instanceState,
      int gpus,
      int allocatableGpus,
      Instant launchedAt,
      List<PodView> pods,
      boolean statusUnknown) {
    this(live, zone, instanceState, gpus, allocatableGpus, launchedAt, pods, statusUnknown, null);
  }

  /** A node whose kubelet posts status. */
  public NodeView(
      LiveNode live,
      String zone,
      String instanceState,
      int gpus,
      int allocatableGpus,
      Instant launchedAt,
      List<PodView> pods) {
    this(live, zone, instanceState, gpus, allocatableGpus, launchedAt, pods, false);
  }

  /** The node name. */
  public String name() {
    return live.name();
  }
}
