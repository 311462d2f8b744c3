package io.gpuward.sim.aws;

import io.gpuward.remediation.port.ActuatorException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Auto Scaling (Query protocol, XML, API version 2011-01-01): the groups of the world's node
 * groups, their instances' lifecycle, and the two ways to hand an instance back to its group.
 */
final class AutoScalingApi {

  static final String NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
  static final String VERSION = "2011-01-01";

  private final CloudWorld world;
  private final AwsWorldServer.Settings settings;

  AutoScalingApi(CloudWorld world, AwsWorldServer.Settings settings) {
    this.world = world;
    this.settings = settings;
  }

  /** The XML reply of {@code action}. */
  String handle(String action, QueryParams q, String requestId) {
    String result =
        switch (action) {
          case "DescribeAutoScalingGroups" -> describeGroups(q);
          case "DescribeAutoScalingInstances" -> describeInstances(q);
          case "TerminateInstanceInAutoScalingGroup" -> terminate(q);
          case "SetInstanceHealth" -> setHealth(q);
          default ->
              throw AwsError.badRequest(
                  "InvalidAction", "The action " + action + " is not valid for this web service.");
        };
    return "<"
        + action
        + "Response xmlns=\""
        + NS
        + "\">"
        + (result.isEmpty() ? "" : Xml.wrap(action + "Result", result))
        + Xml.wrap("ResponseMetadata", Xml.el("RequestId", requestId))
        + "</"
        + action
        + "Response>";
  }

  /**
   * The lifecycle state Auto Scaling shows. A terminated instance is {@code Terminated}: it stays
   * visible to DescribeAutoScalingInstances, so a retried replace sees it went, but no group counts
   * it.
   */
  static String lifecycle(CloudWorld.State s) {
    return switch (s) {
      case PENDING -> "Pending";
      case RUNNING, REBOOTING -> "InService";
      case TERMINATED -> "Terminated";
    };
  }

  private String describeGroups(QueryParams q) {
    List<String> names = q.list("AutoScalingGroupNames.member");
    Map<String, List<CloudWorld.Instance>> groups = new LinkedHashMap<>();
    for (CloudWorld.Instance i : world.cloudInstances()) {
      if (names.isEmpty() || names.contains(i.asgName())) {
        groups.computeIfAbsent(i.asgName(), k -> new ArrayList<>()).add(i);
      }
    }
    int size = Pages.size(q.get("MaxRecords"), 50, 100, settings.maxPage(), "MaxRecords");
    Pages<Map.Entry<String, List<CloudWorld.Instance>>> page =
        Pages.of(new ArrayList<>(groups.entrySet()), q.get("NextToken"), size, "InvalidNextToken");
    StringBuilder members = new StringBuilder();
    for (Map.Entry<String, List<CloudWorld.Instance>> g : page.items()) {
      members.append(Xml.wrap("member", group(g.getKey(), g.getValue())));
    }
    return Xml.wrap("AutoScalingGroups", members) + Xml.el("NextToken", page.nextToken());
  }

  private String group(String name, List<CloudWorld.Instance> all) {
    List<CloudWorld.Instance> live =
        all.stream().filter(i -> i.state() != CloudWorld.State.TERMINATED).toList();
    CloudWorld.Instance first = all.get(0);
    StringBuilder instances = new StringBuilder();
    for (CloudWorld.Instance i : live) {
      instances.append(Xml.wrap("member", member(i)));
    }
    return Xml.el("AutoScalingGroupName", name)
        + Xml.el("AutoScalingGroupARN", arn(name))
        + Xml.el("MinSize", 0)
        + Xml.el("MaxSize", Math.max(live.size(), 1) * 2)
        + Xml.el("DesiredCapacity", live.size())
        + Xml.el("DefaultCooldown", 300)
        + Xml.wrap("AvailabilityZones", Xml.el("member", first.zone()))
        + Xml.el("HealthCheckType", "EC2")
        + Xml.el("HealthCheckGracePeriod", 15)
        + Xml.el("CreatedTime", Xml.time(earliest(all)))
        + Xml.wrap("Instances", instances)
        + Xml.wrap("Tags", groupTag(name, "eks:nodegroup-name", first.nodegroup()))
        + Xml.el(
            "ServiceLinkedRoleARN",
            "arn:aws:iam::"
                + AwsWorldServer.ACCOUNT
                + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
  }

  private static String member(CloudWorld.Instance i) {
    return Xml.el("InstanceId", i.instanceId())
        + Xml.el("InstanceType", i.instanceType())
        + Xml.el("AvailabilityZone", i.zone())
        + Xml.el("LifecycleState", lifecycle(i.state()))
        + Xml.el("HealthStatus", "Healthy")
        + Xml.el("ProtectedFromScaleIn", "false");
  }

  private static String groupTag(String group, String key, String value) {
    return Xml.wrap(
        "member",
        Xml.el("ResourceId", group)
            + Xml.el("ResourceType", "auto-scaling-group")
            + Xml.el("Key", key)
            + Xml.el("Value", value)
            + Xml.el("PropagateAtLaunch", "true"));
  }

  private String describeInstances(QueryParams q) {
    List<String> ids = q.list("InstanceIds.member");
    List<CloudWorld.Instance> selected =
        world.cloudInstances().stream()
            .filter(i -> ids.isEmpty() || ids.contains(i.instanceId()))
            .toList();
    int size = Pages.size(q.get("MaxRecords"), 50, 50, settings.maxPage(), "MaxRecords");
    Pages<CloudWorld.Instance> page =
        Pages.of(selected, q.get("NextToken"), size, "InvalidNextToken");
    StringBuilder members = new StringBuilder();
    for (CloudWorld.Instance i : page.items()) {
      members.append(Xml.wrap("member", member(i) + Xml.el("AutoScalingGroupName", i.asgName())));
    }
    return Xml.wrap("AutoScalingInstances", members) + Xml.el("NextToken", page.nextToken());
  }

  private String terminate(QueryParams q) {
    String id = q.required("InstanceId", "ValidationError");
    String decrement = q.required("ShouldDecrementDesiredCapacity", "ValidationError");
    if (!"false".equalsIgnoreCase(decrement)) {
      // The world's groups only ever replace: a scale-in is not something it can do on request.
      throw AwsError.badRequest(
          "ValidationError",
          "this simulated cloud serves ShouldDecrementDesiredCapacity=false only (replace)");
    }
    CloudWorld.Instance i = managed(id);
    replace(i, "asg-terminate-" + id);
    return Xml.wrap("Activity", activity(i, "terminating EC2 instance " + id + " (replaced)"));
  }

  private String setHealth(QueryParams q) {
    String id = q.required("InstanceId", "ValidationError");
    String health = q.required("HealthStatus", "ValidationError");
    CloudWorld.Instance i = managed(id);
    if ("Unhealthy".equals(health)) {
      // The group's health check replaces an Unhealthy instance; here that happens at once.
      replace(i, "asg-unhealthy-" + id);
    } else if (!"Healthy".equals(health)) {
      throw AwsError.badRequest(
          "ValidationError", "HealthStatus must be Healthy or Unhealthy, was " + health);
    }
    return "";
  }

  private CloudWorld.Instance managed(String id) {
    Optional<CloudWorld.Instance> found =
        world.cloudInstances().stream().filter(i -> i.instanceId().equals(id)).findFirst();
    return found.orElseThrow(
        () ->
            AwsError.badRequest(
                "ValidationError",
                "Instance Id not found - No managed instance found for instance ID " + id));
  }

  private void replace(CloudWorld.Instance i, String token) {
    try {
      world.replace(i.instanceId(), i.asgName(), token);
    } catch (ActuatorException e) {
      throw AwsError.badRequest(
          e.kind() == ActuatorException.Kind.TRANSIENT
              ? "ScalingActivityInProgress"
              : "ValidationError",
          e.getMessage());
    }
  }

  private String activity(CloudWorld.Instance i, String description) {
    return Xml.el(
            "ActivityId",
            UUID.nameUUIDFromBytes(i.instanceId().getBytes(StandardCharsets.UTF_8)).toString())
        + Xml.el("AutoScalingGroupName", i.asgName())
        + Xml.el("Description", description)
        + Xml.el(
            "Cause",
            "At "
                + Xml.time(world.clock().instant())
                + " instance "
                + i.instanceId()
                + " was taken out of service in response to a user request.")
        + Xml.el("StartTime", Xml.time(world.clock().instant()))
        + Xml.el("StatusCode", "InProgress")
        + Xml.el("Progress", 0);
  }

  private String arn(String group) {
    return "arn:aws:autoscaling:"
        + settings.region()
        + ":"
        + AwsWorldServer.ACCOUNT
        + ":autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/"
        + group;
  }

  private static Instant earliest(List<CloudWorld.Instance> all) {
    return all.stream()
        .map(CloudWorld.Instance::launchedAt)
        .filter(Objects::nonNull)
        .min(Instant::compareTo)
        .orElse(null);
  }
}
