package io.gpuward.remediation.port;

/**
 * What a drain achieved.
 *
 * @param evicted pods evicted through the Eviction API
 * @param blockedByPdb pods still blocked by a PodDisruptionBudget when the drain gave up
 * @param skippedDaemonSet DaemonSet pods left in place
 * @param complete true when no evictable pod is left on the node
 */
public record DrainResult(int evicted, int blockedByPdb, int skippedDaemonSet, boolean complete) {}
