package io.gpuward.remediation.port;

import java.util.Optional;

/**
 * What the cluster says about a node right now; the remediator checks a verdict against it before
 * acting (freshness: node gone, boot id changed, cordoned by someone else).
 *
 * @param name Kubernetes node name
 * @param bootId status.nodeInfo.bootID
 * @param ready Ready condition is True
 * @param unschedulable spec.unschedulable (cordoned)
 * @param cordonedBy operation id gpuward recorded when it cordoned the node (annotation), empty
 *     when gpuward did not cordon it
 * @param instanceId EC2 instance id from spec.providerID
 * @param asgName Auto Scaling group of the instance, when known
 */
public record LiveNode(
    String name,
    String bootId,
    boolean ready,
    boolean unschedulable,
    Optional<String> cordonedBy,
    String instanceId,
    String asgName) {

  /** True when the node is cordoned and gpuward is not the one that cordoned it. */
  public boolean cordonedBySomeoneElse() {
    return unschedulable && cordonedBy.isEmpty();
  }
}
