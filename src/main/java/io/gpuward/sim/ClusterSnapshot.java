package io.gpuward.sim;

import java.time.Instant;
import java.util.List;

/**
 * Everything the {@link SimulatedCluster} holds that a Kubernetes API server would serve, taken
 * under one lock at one instant.
 *
 * @param at the cluster clock's time of the snapshot
 * @param nodes registered nodes, in creation order
 * @param pdbs the PodDisruptionBudgets of the node groups with GPUs
 */
public record ClusterSnapshot(Instant at, List<NodeView> nodes, List<PdbView> pdbs) {

  public ClusterSnapshot {
    nodes = List.copyOf(nodes);
    pdbs = List.copyOf(pdbs);
  }
}
