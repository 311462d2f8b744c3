package io.gpuward.watch;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One instance of the cluster as the cloud describes it (EC2, Auto Scaling and SSM together), as
 * read: identifiers are validated where they reach a record ({@link FleetReconciler}).
 *
 * @param instanceId EC2 instance id
 * @param instanceType EC2 instance type
 * @param state EC2 instance state name: pending, running, shutting-down, terminated, stopping,
 *     stopped
 * @param privateDnsName the name the instance registers its Node with ({@code
 *     ip-10-0-1-5.ec2.internal}); blank once terminated
 * @param amiId the image id
 * @param imageName the image's name ({@code bottlerocket-aws-k8s-1.32-nvidia-x86_64-v1.26.0}), or
 *     null when unknown
 * @param zone availability zone
 * @param launchedAt launch time, or null
 * @param asgName the Auto Scaling group, or null
 * @param asgLifecycle the instance's lifecycle state in its group ({@code InService}, {@code
 *     Terminating:Wait}), or null
 * @param nodegroup the EKS node group or Karpenter node pool from the instance's tags, or null
 * @param ssmPingStatus SSM DescribeInstanceInformation PingStatus, {@value #SSM_NOT_REGISTERED}
 *     when the agent never registered, null when SSM was not asked
 * @param scheduledEvents the cloud's scheduled events for the instance, every one it lists (over
 *     ones too), or null when they were not read
 */
public record CloudInstance(
    String instanceId,
    String instanceType,
    String state,
    String privateDnsName,
    String amiId,
    String imageName,
    String zone,
    Instant launchedAt,
    String asgName,
    String asgLifecycle,
    String nodegroup,
    String ssmPingStatus,
    List<ScheduledEvent> scheduledEvents) {

  /** {@link #ssmPingStatus} of an instance SSM has no record of. */
  public static final String SSM_NOT_REGISTERED = "NotRegistered";

  public CloudInstance {
    Objects.requireNonNull(instanceId, "instanceId");
    state = state == null ? "" : state.toLowerCase(Locale.ROOT);
    scheduledEvents = scheduledEvents == null ? null : List.copyOf(scheduledEvents);
  }

  /** This instance with the scheduled events the cloud lists for it (null: not read). */
  public CloudInstance withScheduledEvents(List<ScheduledEvent> events) {
    return new CloudInstance(
        instanceId,
        instanceType,
        state,
        privateDnsName,
        amiId,
        imageName,
        zone,
        launchedAt,
        asgName,
        asgLifecycle,
        nodegroup,
        ssmPingStatus,
        events);
  }

  /** Pending or running, and not leaving its Auto Scaling group. */
  public boolean live() {
    return ("pending".equals(state) || "running".equals(state)) && !leaving();
  }

  /**
   * Going away for good: shutting down, terminated, or taken out of its Auto Scaling group
   * (scale-in, instance refresh). Such an instance is never a fault; its node's inventory goes.
   */
  public boolean gone() {
    return "shutting-down".equals(state) || "terminated".equals(state) || leaving();
  }

  private boolean leaving() {
    return asgLifecycle != null
        && (asgLifecycle.startsWith("Terminating") || asgLifecycle.startsWith("Detach"));
  }

  /** The tags that name an instance's node group, first that is present wins. */
  public static String nodegroupFromTags(Map<String, String> tags) {
    for (String key :
        new String[] {
          "eks:nodegroup-name", "karpenter.sh/nodepool", "alpha.eksctl.io/nodegroup-name"
        }) {
      String v = tags.get(key);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
