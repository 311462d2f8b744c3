package io.gpuward.sim;

/** What {@link SimulatedCluster#evict} did with one pod, as the Eviction API would answer. */
public enum EvictionOutcome {
  /** The pod was deleted (HTTP 201). */
  EVICTED,
  /** Its PodDisruptionBudget allows no more disruption now (HTTP 429). */
  BLOCKED_BY_PDB,
  /** No such pod (HTTP 404). */
  NOT_FOUND,
  /**
   * A DaemonSet pod, which the simulated cluster does not evict (its controller would recreate it).
   */
  NOT_EVICTABLE
}
