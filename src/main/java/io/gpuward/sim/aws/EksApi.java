package io.gpuward.sim.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EKS (REST-JSON): {@code DescribeNodegroup}, {@code GET
 * /clusters/{cluster}/node-groups/{nodegroup}}, the one EKS call gpuward makes (to learn a managed
 * node group's Auto Scaling group).
 */
final class EksApi {

  private static final Pattern DESCRIBE_NODEGROUP =
      Pattern.compile("/clusters/([^/]+)/node-groups/([^/]+)");

  private final ObjectMapper json;
  private final CloudWorld world;
  private final AwsWorldServer.Settings settings;

  EksApi(ObjectMapper json, CloudWorld world, AwsWorldServer.Settings settings) {
    this.json = json;
    this.world = world;
    this.settings = settings;
  }

  /** Whether {@code path} is an EKS path. */
  static boolean serves(String path) {
    return path.startsWith("/clusters");
  }

  JsonNode handle(String method, String path) {
    Matcher m = DESCRIBE_NODEGROUP.matcher(path);
    if (!"GET".equals(method) || !m.matches()) {
      throw AwsError.badRequest(
          "UnknownOperationException", method + " " + path + " is not an operation served here");
    }
    String cluster = m.group(1);
    String nodegroup = m.group(2);
    if (!settings.clusterName().equals(cluster)) {
      throw new AwsError(
          404, "ResourceNotFoundException", "No cluster found for name: " + cluster + ".");
    }
    List<CloudWorld.Instance> members = new ArrayList<>();
    for (CloudWorld.Instance i : world.cloudInstances()) {
      if (nodegroup.equals(i.nodegroup())) {
        members.add(i);
      }
    }
    if (members.isEmpty()) {
      throw new AwsError(
          404, "ResourceNotFoundException", "No node group found for name: " + nodegroup + ".");
    }
    ObjectNode out = json.createObjectNode();
    out.set("nodegroup", nodegroup(cluster, nodegroup, members));
    return out;
  }

  private ObjectNode nodegroup(String cluster, String name, List<CloudWorld.Instance> members) {
    long live = members.stream().filter(i -> i.state() != CloudWorld.State.TERMINATED).count();
    TreeSet<String> groups = new TreeSet<>();
    TreeSet<String> types = new TreeSet<>();
    members.forEach(
        i -> {
          groups.add(i.asgName());
          if (i.instanceType() != null) {
            types.add(i.instanceType());
          }
        });
    ObjectNode n = json.createObjectNode();
    n.put("nodegroupName", name);
    n.put(
        "nodegroupArn",
        String.join(
            ":",
            "arn:aws:eks",
            settings.region(),
            AwsWorldServer.ACCOUNT,
            "nodegroup/" + cluster + "/" + name + "/sim"));
    n.put("clusterName", cluster);
    n.put("status", "ACTIVE");
    n.put("capacityType", "ON_DEMAND");
    n.put("amiType", "CUSTOM");
    ObjectNode scaling = n.putObject("scalingConfig");
    scaling.put("minSize", 0);
    scaling.put("maxSize", Math.max(1, live) * 2);
    scaling.put("desiredSize", live);
    types.forEach(n.putArray("instanceTypes")::add);
    ArrayNode asgs = n.putObject("resources").putArray("autoScalingGroups");
    groups.forEach(g -> asgs.addObject().put("name", g));
    members.stream()
        .map(CloudWorld.Instance::launchedAt)
        .filter(Objects::nonNull)
        .min(Instant::compareTo)
        .ifPresent(t -> n.put("createdAt", SsmApi.epochSeconds(t)));
    return n;
  }
}
