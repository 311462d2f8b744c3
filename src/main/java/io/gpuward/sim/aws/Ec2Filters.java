package io.gpuward.sim.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * EC2 {@code DescribeInstances} filters ({@code Filter.N.Name}, {@code Filter.N.Value.M}): values
 * of one filter are OR-ed, filters AND-ed, {@code *} and {@code ?} are wildcards, as EC2 does. The
 * served names are the ones an EKS tool filters by; any other name is refused as EC2 refuses an
 * unknown one, never silently ignored.
 */
final class Ec2Filters {

  /** The tag EKS puts on a node group's instances. */
  static final String CLUSTER_NAME_TAG = "eks:cluster-name";

  /** The tag key the Kubernetes cloud provider looks instances up by. */
  static final String CLUSTER_KEY_PREFIX = "kubernetes.io/cluster/";

  private Ec2Filters() {}

  /** The instance's tags as EC2 shows them: its own and the cluster's. */
  static Map<String, String> tags(CloudWorld.Instance i, String cluster) {
    Map<String, String> tags = new TreeMap<>(i.tags());
    tags.put(CLUSTER_NAME_TAG, cluster);
    tags.put(CLUSTER_KEY_PREFIX + cluster, "owned");
    return tags;
  }

  /** EC2's state name: a rebooting instance stays {@code running} to EC2. */
  static String stateName(CloudWorld.State s) {
    return switch (s) {
      case PENDING -> "pending";
      case RUNNING, REBOOTING -> "running";
      case TERMINATED -> "terminated";
    };
  }

  static int stateCode(String name) {
    return switch (name) {
      case "pending" -> 0;
      case "running" -> 16;
      case "terminated" -> 48;
      default -> 80;
    };
  }

  /** The conjunction of the request's filters (everything when it has none). */
  static Predicate<CloudWorld.Instance> parse(QueryParams q, String cluster) {
    List<Predicate<CloudWorld.Instance>> all = new ArrayList<>();
    for (int n : q.indexes("Filter")) {
      String name = q.required("Filter." + n + ".Name", "InvalidParameterValue");
      List<Pattern> values = new ArrayList<>();
      for (String v : q.list("Filter." + n + ".Value")) {
        values.add(glob(v));
      }
      all.add(filter(name, values, cluster));
    }
    return i -> all.stream().allMatch(p -> p.test(i));
  }

  private static Predicate<CloudWorld.Instance> filter(
      String name, List<Pattern> values, String cluster) {
    if (name.startsWith("tag:")) {
      String key = name.substring(4);
      return i -> anyMatch(values, tags(i, cluster).get(key));
    }
    Function<CloudWorld.Instance, List<String>> field = field(name, cluster);
    return i -> field.apply(i).stream().anyMatch(v -> anyMatch(values, v));
  }

  private static Function<CloudWorld.Instance, List<String>> field(String name, String cluster) {
    return switch (name) {
      case "tag-key" -> i -> List.copyOf(tags(i, cluster).keySet());
      case "instance-state-name" -> i -> List.of(stateName(i.state()));
      case "instance-id" -> i -> List.of(i.instanceId());
      case "instance-type" -> i -> nullable(i.instanceType());
      case "availability-zone" -> i -> nullable(i.zone());
      case "image-id" -> i -> nullable(i.amiId());
      case "private-dns-name" -> i -> List.of(i.node());
      default ->
          throw AwsError.badRequest(
              "InvalidParameterValue", "The filter '" + name + "' is invalid");
    };
  }

  private static List<String> nullable(String v) {
    return v == null ? List.of() : List.of(v);
  }

  private static boolean anyMatch(List<Pattern> values, String v) {
    return v != null && values.stream().anyMatch(p -> p.matcher(v).matches());
  }

  /** EC2's wildcards: {@code *} any run, {@code ?} one character, {@code \} escapes. */
  static Pattern glob(String value) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        re.append(Pattern.quote(String.valueOf(value.charAt(++i))));
      } else if (c == '*') {
        re.append(".*");
      } else if (c == '?') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
