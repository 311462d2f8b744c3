package io.gpuward.sim;

/**
 * The PodDisruptionBudget the {@link SimulatedCluster} enforces over one node group's workload
 * pods.
 *
 * @param namespace namespace of the budget and its pods
 * @param name budget name ({@code <nodegroup>-worker-pdb})
 * @param app the {@code app} label of the pods it selects ({@code <nodegroup>-worker})
 * @param maxUnavailable pods that may be disrupted at once
 * @param unavailable pods disrupted now (evicted and not yet rescheduled)
 */
public record PdbView(
    String namespace, String name, String app, int maxUnavailable, int unavailable) {}
