package io.gpuward.sim;

import java.time.Instant;

/**
 * Something that happened in the {@link SimulatedCluster} (an actuator call or a timer it started)
 * that the {@link FleetSimulator} must turn into telemetry. Polled in time order each tick.
 */
sealed interface ClusterChange
    permits ClusterChange.RebootStarted,
        ClusterChange.RebootCompleted,
        ClusterChange.GpuResetCompleted,
        ClusterChange.InstanceTerminated,
        ClusterChange.InstanceLaunched,
        ClusterChange.NodeJoined,
        ClusterChange.SchedulingChanged,
        ClusterChange.PodsChanged {

  String node();

  Instant at();

  record RebootStarted(String node, Instant at) implements ClusterChange {}

  record RebootCompleted(String node, String bootId, Instant at) implements ClusterChange {}

  record GpuResetCompleted(String node, int gpu, Instant at) implements ClusterChange {}

  record InstanceTerminated(String node, String instanceId, Instant at) implements ClusterChange {}

  record InstanceLaunched(String node, String instanceId, String asgName, String bootId, Instant at)
      implements ClusterChange {}

  record NodeJoined(String node, String bootId, Instant at) implements ClusterChange {}

  record SchedulingChanged(String node, boolean unschedulable, Instant at)
      implements ClusterChange {}

  /** The node's workload pods changed; {@code podByGpu[i]} is namespace/name or null. */
  record PodsChanged(String node, String[] podByGpu, Instant at) implements ClusterChange {}
}
