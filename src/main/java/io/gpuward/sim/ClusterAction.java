package io.gpuward.sim;

import java.time.Instant;

/**
 * One actuator call the {@link SimulatedCluster} received, for the demo summary and tests.
 *
 * @param at cluster clock time of the call
 * @param action CORDON, UNCORDON, DRAIN, EVICT (one pod, {@link SimulatedCluster#evict}),
 *     RESET_GPU, REBOOT, REPLACE (and MANUAL_CORDON for {@link SimulatedCluster#cordonManually}),
 *     DEVICE_TAINT and DEVICE_UNTAINT (a DeviceTaintRule created or deleted; the operation id is
 *     the rule's name)
 * @param target node name or instance id (with {@code /gpu<n>} for a reset)
 * @param operationId the operation id or idempotency token passed in
 * @param outcome ACCEPTED, NOOP (already done, or same token again), PARTIAL (drain not complete)
 *     or REJECTED
 * @param detail what happened, e.g. {@code evicted=1 blocked=7} or the rejection reason
 */
public record ClusterAction(
    Instant at, String action, String target, String operationId, String outcome, String detail) {}
