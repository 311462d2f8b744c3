package io.gpuward.sim.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Systems Manager (JSON 1.1, {@code X-Amz-Target: AmazonSSM.<Op>}): the agents' ping status and the
 * GPU-reset document's commands ({@link SsmCommands}).
 */
final class SsmApi {

  static final String TARGET_PREFIX = "AmazonSSM.";
  private static final Set<String> INFO_FILTER_KEYS =
      Set.of("InstanceIds", "PingStatus", "ResourceType");

  private final ObjectMapper json;
  private final CloudWorld world;
  private final AwsWorldServer.Settings settings;
  private final SsmCommands commands;

  SsmApi(ObjectMapper json, CloudWorld world, AwsWorldServer.Settings settings) {
    this.json = json;
    this.world = world;
    this.settings = settings;
    this.commands = new SsmCommands(json, world, settings);
  }

  /** The JSON reply of {@code operation}. */
  JsonNode handle(String operation, String body) {
    JsonNode in = parse(body);
    return switch (operation) {
      case "DescribeInstanceInformation" -> describeInstanceInformation(in);
      case "SendCommand" -> commands.send(in);
      case "GetCommandInvocation" -> commands.invocation(in);
      case "ListCommands" -> commands.list(in);
      default ->
          throw AwsError.badRequest(
              "UnknownOperationException", "Operation " + operation + " is not supported");
    };
  }

  private JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return json.createObjectNode();
    }
    try {
      JsonNode n = json.readTree(body);
      if (n == null || !n.isObject()) {
        throw AwsError.badRequest(
            "SerializationException", "the request body is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw AwsError.badRequest(
          "SerializationException", "the request body is not JSON: " + e.getMessage());
    }
  }

  private JsonNode describeInstanceInformation(JsonNode in) {
    Predicate<CloudWorld.Instance> match = infoFilters(in);
    List<CloudWorld.Instance> listed = new ArrayList<>();
    for (CloudWorld.Instance i : world.cloudInstances()) {
      if (i.ssm() != CloudWorld.SsmPing.NOT_REGISTERED && match.test(i)) {
        listed.add(i);
      }
    }
    int size = Pages.size(text(in, "MaxResults"), 50, 50, settings.maxPage(), "MaxResults");
    Pages<CloudWorld.Instance> page =
        Pages.of(listed, text(in, "NextToken"), size, "InvalidNextToken");
    ObjectNode out = json.createObjectNode();
    ArrayNode list = out.putArray("InstanceInformationList");
    for (CloudWorld.Instance i : page.items()) {
      list.add(information(i));
    }
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private ObjectNode information(CloudWorld.Instance i) {
    ObjectNode n = json.createObjectNode();
    n.put("InstanceId", i.instanceId());
    n.put("PingStatus", pingStatus(i.ssm()));
    n.put("LastPingDateTime", epochSeconds(world.clock().instant()));
    n.put("AgentVersion", "3.3.1142.0");
    n.put("IsLatestVersion", true);
    n.put("PlatformType", "Linux");
    n.put("PlatformName", i.imageName() == null ? "Linux" : i.imageName());
    n.put("ResourceType", "EC2Instance");
    n.put("ComputerName", i.node());
    return n;
  }

  static String pingStatus(CloudWorld.SsmPing p) {
    return p == CloudWorld.SsmPing.ONLINE ? "Online" : "ConnectionLost";
  }

  /** Both filter shapes: {@code Filters} (Key/Values) and {@code InstanceInformationFilterList}. */
  private static Predicate<CloudWorld.Instance> infoFilters(JsonNode in) {
    List<Predicate<CloudWorld.Instance>> all = new ArrayList<>();
    for (JsonNode f : in.path("Filters")) {
      all.add(infoFilter(f.path("Key").asText(), strings(f.path("Values"))));
    }
    for (JsonNode f : in.path("InstanceInformationFilterList")) {
      all.add(infoFilter(f.path("key").asText(), strings(f.path("valueSet"))));
    }
    return i -> all.stream().allMatch(p -> p.test(i));
  }

  private static Predicate<CloudWorld.Instance> infoFilter(String key, List<String> values) {
    if (!INFO_FILTER_KEYS.contains(key)) {
      throw AwsError.badRequest("InvalidFilterKey", "The filter key " + key + " is not valid");
    }
    return switch (key) {
      case "InstanceIds" -> i -> values.contains(i.instanceId());
      case "PingStatus" -> i -> values.contains(pingStatus(i.ssm()));
      default -> i -> values.contains("EC2Instance");
    };
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  static String text(JsonNode in, String field) {
    JsonNode v = in.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** JSON 1.1 timestamps: epoch seconds, fractional. */
  static double epochSeconds(Instant t) {
    return t.toEpochMilli() / 1000.0;
  }

  static Map<String, List<String>> parameters(JsonNode params) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    params.fields().forEachRemaining(e -> out.put(e.getKey(), strings(e.getValue())));
    return out;
  }
}
