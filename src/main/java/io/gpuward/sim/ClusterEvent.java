package io.gpuward.sim;

import java.time.Instant;

/**
 * A Kubernetes Event the {@link SimulatedCluster} recorded on a node, as the real actuator creates
 * one (same reasons, {@code Normal} or {@code Warning}).
 *
 * @param node the node the event is about
 * @param reason {@code GpuwardCordon}, {@code GpuwardRebootFailed}, …
 * @param type {@code Normal} for a success, {@code Warning} for a failure
 * @param operationId the remediation operation it reports
 * @param message names the verdict id and fault class
 * @param at when it was recorded (the cluster's clock)
 */
public record ClusterEvent(
    String node, String reason, String type, String operationId, String message, Instant at) {}
