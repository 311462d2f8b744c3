package io.gpuward.sim;

import java.time.Instant;

/**
 * An EC2 instance of the simulated cloud.
 *
 * @param instanceId instance id
 * @param node node name it registers (or would register) as
 * @param nodegroup node group
 * @param asgName Auto Scaling group
 * @param state PENDING, RUNNING, REBOOTING or TERMINATED
 * @param registered whether a Kubernetes Node object exists for it
 * @param launchedAt launch time
 * @param bootId current boot id
 */
public record InstanceView(
    String instanceId,
    String node,
    String nodegroup,
    String asgName,
    String state,
    boolean registered,
    Instant launchedAt,
    String bootId) {}
