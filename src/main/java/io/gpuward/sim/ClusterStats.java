package io.gpuward.sim;

/**
 * Counts of what the {@link SimulatedCluster} did, for the demo summary.
 *
 * @param cordons cordons that changed a node (not no-ops)
 * @param uncordons uncordons that changed a node
 * @param evictions pods evicted through drains
 * @param blockedEvictions evictions refused by a PodDisruptionBudget (429), over all drain passes
 * @param gpuResets GPU resets accepted
 * @param reboots reboots accepted
 * @param replacements instances replaced through their Auto Scaling group
 * @param rejected actuator calls rejected with an {@link
 *     io.gpuward.remediation.port.ActuatorException}
 */
public record ClusterStats(
    int cordons,
    int uncordons,
    int evictions,
    int blockedEvictions,
    int gpuResets,
    int reboots,
    int replacements,
    int rejected) {}
