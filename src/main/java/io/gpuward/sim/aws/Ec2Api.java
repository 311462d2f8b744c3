package io.gpuward.sim.aws;

import io.gpuward.remediation.port.ActuatorException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * EC2 (Query protocol, XML, API version 2016-11-15): {@code DescribeInstances}, {@code
 * DescribeImages}, {@code DescribeInstanceStatus} (with the world's scheduled events) and {@code
 * RebootInstances}, answered from the world.
 */
final class Ec2Api {

  static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
  private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");
  private static final int DESCRIBE_MAX = 1000;

  private final CloudWorld world;
  private final AwsWorldServer.Settings settings;
  private final AtomicLong reboots = new AtomicLong();

  Ec2Api(CloudWorld world, AwsWorldServer.Settings settings) {
    this.world = world;
    this.settings = settings;
  }

  /** The XML reply of {@code action}; an {@link AwsError} for an action EC2 here does not serve. */
  String handle(String action, QueryParams q, String requestId) {
    return switch (action) {
      case "DescribeInstances" -> describeInstances(q, requestId);
      case "DescribeImages" -> describeImages(q, requestId);
      case "DescribeInstanceStatus" -> describeInstanceStatus(q, requestId);
      case "RebootInstances" -> reboot(q, requestId);
      default ->
          throw AwsError.badRequest(
              "InvalidAction", "The action " + action + " is not valid for this web service.");
    };
  }

  private String describeInstances(QueryParams q, String requestId) {
    List<String> ids = q.list("InstanceId");
    ids.forEach(Ec2Api::requireWellFormed);
    Predicate<CloudWorld.Instance> match = Ec2Filters.parse(q, settings.clusterName());
    List<CloudWorld.Instance> all = world.cloudInstances();
    requireKnown(ids, all);
    List<CloudWorld.Instance> selected = new ArrayList<>();
    for (CloudWorld.Instance i : all) {
      if ((ids.isEmpty() || ids.contains(i.instanceId())) && match.test(i)) {
        selected.add(i);
      }
    }
    int size =
        Pages.size(
            q.get("MaxResults"), DESCRIBE_MAX, DESCRIBE_MAX, settings.maxPage(), "MaxResults");
    Pages<CloudWorld.Instance> page =
        Pages.of(selected, q.get("NextToken"), size, "InvalidParameterValue");
    StringBuilder items = new StringBuilder();
    for (CloudWorld.Instance i : page.items()) {
      items.append(reservation(i));
    }
    return "<DescribeInstancesResponse xmlns=\""
        + NS
        + "\">"
        + Xml.el("requestId", requestId)
        + Xml.wrap("reservationSet", items)
        + Xml.el("nextToken", page.nextToken())
        + "</DescribeInstancesResponse>";
  }

  /**
   * Running instances only unless {@code IncludeAllInstances=true}, as EC2 does; each with its
   * scheduled events. Status checks always pass here.
   */
  private String describeInstanceStatus(QueryParams q, String requestId) {
    List<String> ids = q.list("InstanceId");
    ids.forEach(Ec2Api::requireWellFormed);
    boolean all = "true".equalsIgnoreCase(q.get("IncludeAllInstances"));
    List<CloudWorld.Instance> instances = world.cloudInstances();
    requireKnown(ids, instances);
    Map<String, List<CloudWorld.ScheduledEvent>> events = world.scheduledEvents();
    StringBuilder items = new StringBuilder();
    for (CloudWorld.Instance i : instances) {
      boolean running = i.state() == CloudWorld.State.RUNNING;
      if ((ids.isEmpty() || ids.contains(i.instanceId())) && (all || running)) {
        items.append(instanceStatus(i, events.getOrDefault(i.instanceId(), List.of())));
      }
    }
    return "<DescribeInstanceStatusResponse xmlns=\""
        + NS
        + "\">"
        + Xml.el("requestId", requestId)
        + Xml.wrap("instanceStatusSet", items)
        + "</DescribeInstanceStatusResponse>";
  }

  private static String instanceStatus(
      CloudWorld.Instance i, List<CloudWorld.ScheduledEvent> events) {
    String state = Ec2Filters.stateName(i.state());
    String check = i.state() == CloudWorld.State.RUNNING ? "ok" : "not-applicable";
    StringBuilder set = new StringBuilder();
    for (CloudWorld.ScheduledEvent e : events) {
      set.append("<item>")
          .append(Xml.el("instanceEventId", e.eventId()))
          .append(Xml.el("code", e.code()))
          .append(Xml.el("description", e.description()))
          .append(Xml.el("notBefore", Xml.time(e.notBefore())))
          .append(e.notAfter() == null ? "" : Xml.el("notAfter", Xml.time(e.notAfter())))
          .append("</item>");
    }
    return "<item>"
        + Xml.el("instanceId", i.instanceId())
        + Xml.el("availabilityZone", i.zone())
        + Xml.wrap(
            "instanceState", Xml.el("code", Ec2Filters.stateCode(state)) + Xml.el("name", state))
        + Xml.wrap("systemStatus", Xml.el("status", check))
        + Xml.wrap("instanceStatus", Xml.el("status", check))
        + (set.isEmpty() ? "" : Xml.wrap("eventsSet", set))
        + "</item>";
  }

  private String reservation(CloudWorld.Instance i) {
    return "<item>"
        + Xml.el("reservationId", "r-" + i.instanceId().substring(2))
        + Xml.el("ownerId", AwsWorldServer.ACCOUNT)
        + Xml.wrap("instancesSet", "<item>" + instance(i) + "</item>")
        + "</item>";
  }

  private String instance(CloudWorld.Instance i) {
    String state = Ec2Filters.stateName(i.state());
    boolean gone = i.state() == CloudWorld.State.TERMINATED;
    return Xml.el("instanceId", i.instanceId())
        + Xml.el("imageId", i.amiId())
        + Xml.wrap(
            "instanceState", Xml.el("code", Ec2Filters.stateCode(state)) + Xml.el("name", state))
        + Xml.el("privateDnsName", gone ? "" : i.node())
        + Xml.el("instanceType", i.instanceType())
        + Xml.el("launchTime", Xml.time(i.launchedAt()))
        + Xml.wrap("placement", Xml.el("availabilityZone", i.zone()))
        + Xml.el("architecture", "x86_64")
        + Xml.el("rootDeviceType", "ebs")
        + Xml.wrap("tagSet", tagSet(Ec2Filters.tags(i, settings.clusterName())));
  }

  private static String tagSet(Map<String, String> tags) {
    StringBuilder b = new StringBuilder();
    tags.forEach(
        (k, v) ->
            b.append("<item>")
                .append(Xml.el("key", k))
                .append(Xml.el("value", v))
                .append("</item>"));
    return b.toString();
  }

  private String describeImages(QueryParams q, String requestId) {
    Map<String, String> images = new LinkedHashMap<>();
    for (CloudWorld.Instance i : world.cloudInstances()) {
      if (i.amiId() != null) {
        images.putIfAbsent(i.amiId(), i.imageName());
      }
    }
    List<String> ids = q.list("ImageId");
    for (String id : ids) {
      if (!images.containsKey(id)) {
        throw AwsError.badRequest(
            "InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist");
      }
    }
    StringBuilder items = new StringBuilder();
    images.forEach(
        (id, name) -> {
          if (ids.isEmpty() || ids.contains(id)) {
            items.append("<item>").append(image(id, name)).append("</item>");
          }
        });
    return "<DescribeImagesResponse xmlns=\""
        + NS
        + "\">"
        + Xml.el("requestId", requestId)
        + Xml.wrap("imagesSet", items)
        + "</DescribeImagesResponse>";
  }

  private static String image(String id, String name) {
    return Xml.el("imageId", id)
        + Xml.el("imageLocation", AwsWorldServer.ACCOUNT + "/" + name)
        + Xml.el("imageState", "available")
        + Xml.el("imageOwnerId", AwsWorldServer.ACCOUNT)
        + Xml.el("isPublic", "false")
        + Xml.el("architecture", "x86_64")
        + Xml.el("imageType", "machine")
        + Xml.el("name", name)
        + Xml.el("rootDeviceType", "ebs")
        + Xml.el("virtualizationType", "hvm");
  }

  private String reboot(QueryParams q, String requestId) {
    List<String> ids = q.list("InstanceId");
    if (ids.isEmpty()) {
      throw AwsError.badRequest(
          "MissingParameter", "The request must contain the parameter InstanceId");
    }
    ids.forEach(Ec2Api::requireWellFormed);
    List<CloudWorld.Instance> all = world.cloudInstances();
    requireKnown(ids, all);
    for (CloudWorld.Instance i : all) {
      if (ids.contains(i.instanceId()) && !rebootable(i.state())) {
        throw AwsError.badRequest(
            "IncorrectInstanceState",
            "The instance '"
                + i.instanceId()
                + "' is not in a state from which it can be rebooted.");
      }
    }
    for (String id : ids) {
      // EC2 takes no client token for a reboot: every accepted call is a reboot of its own.
      rebootOne(id, "ec2-reboot-" + reboots.incrementAndGet());
    }
    return "<RebootInstancesResponse xmlns=\""
        + NS
        + "\">"
        + Xml.el("requestId", requestId)
        + Xml.el("return", "true")
        + "</RebootInstancesResponse>";
  }

  private void rebootOne(String id, String token) {
    try {
      world.reboot(id, token);
    } catch (ActuatorException e) {
      throw AwsError.badRequest("IncorrectInstanceState", e.getMessage());
    }
  }

  private static boolean rebootable(CloudWorld.State s) {
    return s == CloudWorld.State.RUNNING || s == CloudWorld.State.REBOOTING;
  }

  private static void requireWellFormed(String id) {
    if (!INSTANCE_ID.matcher(id).matches()) {
      throw AwsError.badRequest(
          "InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\" (expecting \"i-...\")");
    }
  }

  private static void requireKnown(List<String> ids, List<CloudWorld.Instance> all) {
    for (String id : ids) {
      if (all.stream().noneMatch(i -> i.instanceId().equals(id))) {
        throw AwsError.badRequest(
            "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
      }
    }
  }
}
