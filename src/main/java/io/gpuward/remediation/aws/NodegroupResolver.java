package io.gpuward.remediation.aws;

import io.gpuward.aws.AwsClients;
import io.gpuward.remediation.aws.AwsFailures.Call;
import io.gpuward.remediation.port.ActuatorException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.eks.model.AutoScalingGroup;
import software.amazon.awssdk.services.eks.model.Nodegroup;

/**
 * Maps an EKS managed node group to its Auto Scaling group names with {@code DescribeNodegroup}
 * ({@code GET /clusters/{cluster}/node-groups/{nodegroup}}, {@code
 * nodegroup.resources.autoScalingGroups}). Results are cached per (cluster, node group) for a TTL;
 * an empty answer (a node group still being created) is not cached. Thread-safe.
 */
public final class NodegroupResolver {

  private static final Logger log = LoggerFactory.getLogger(NodegroupResolver.class);

  private record Key(String cluster, String nodegroup) {}

  private record Entry(List<String> groups, Instant expires) {}

  private final EksClient eks;
  private final Clock clock;
  private final Duration ttl;
  private final ConcurrentMap<Key, Entry> cache = new ConcurrentHashMap<>();

  /**
   * @param eks the EKS client ({@link AwsClients#eks()})
   * @param clock time source of the cache's expiry
   * @param ttl how long an answer is reused; node groups rarely change their Auto Scaling group
   */
  public NodegroupResolver(EksClient eks, Clock clock, Duration ttl) {
    this.eks = Objects.requireNonNull(eks, "eks");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
  }

  /**
   * The Auto Scaling group names of the node group, possibly empty.
   *
   * @throws ActuatorException PERMANENT for invalid names or an unknown cluster or node group,
   *     TRANSIENT on throttling, 5xx and connection errors
   */
  public List<String> autoScalingGroups(String cluster, String nodegroup) {
    AwsInputs.eksName("cluster", cluster);
    AwsInputs.eksName("node group", nodegroup);
    Key key = new Key(cluster, nodegroup);
    Instant now = clock.instant();
    Entry hit = cache.get(key);
    if (hit != null && now.isBefore(hit.expires())) {
      return hit.groups();
    }
    Nodegroup ng;
    try {
      ng = eks.describeNodegroup(b -> b.clusterName(cluster).nodegroupName(nodegroup)).nodegroup();
    } catch (SdkException e) {
      throw AwsFailures.wrap(
          "EKS DescribeNodegroup", cluster + "/" + nodegroup, null, e, Call.READ);
    }
    List<String> groups =
        ng == null || ng.resources() == null
            ? List.of()
            : ng.resources().autoScalingGroups().stream()
                .map(AutoScalingGroup::name)
                .filter(Objects::nonNull)
                .toList();
    if (groups.isEmpty()) {
      cache.remove(key);
    } else {
      cache.put(key, new Entry(groups, now.plus(ttl)));
    }
    log.debug("node group resolved cluster={} nodegroup={} asgs={}", cluster, nodegroup, groups);
    return groups;
  }

  /** Forgets the cached answer for the node group. */
  public void invalidate(String cluster, String nodegroup) {
    cache.remove(new Key(cluster, nodegroup));
  }
}
