package io.gpuward.watch;

import io.gpuward.aws.AwsClients;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.InstanceStatusEvent;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.InstanceInformationStringFilter;

/**
 * The cluster's instances from AWS, read-only: EC2 {@code DescribeInstances} by the cluster tags
 * ({@code eks:cluster-name=<name>}, or the key {@code kubernetes.io/cluster/<name>}), EC2 {@code
 * DescribeImages} for the image names (the engine tells an NVIDIA image by its name, which an AMI
 * id does not show), Auto Scaling {@code DescribeAutoScalingGroups} for each instance's lifecycle
 * in its group (a scale-in shows there before EC2 shuts the instance down), and SSM {@code
 * DescribeInstanceInformation} for the agent's ping status. One poll costs a handful of calls
 * whatever the fleet size (50 instances per SSM call). {@link #scheduledEvents} reads EC2 {@code
 * DescribeInstanceStatus} (all instances, not only running ones, 100 ids per call) for the events
 * EC2 scheduled on them.
 */
public final class AwsCloud implements CloudPort {
  static final String CLUSTER_NAME_TAG = "eks:cluster-name";
  static final String ASG_TAG = "aws:autoscaling:groupName";
  private static final int SSM_BATCH = 50;
  private static final int STATUS_BATCH = 100;

  private final AwsClients clients;
  private final String cluster;

  /**
   * @param clients the SDK clients (closed by {@link #close()})
   * @param cluster the EKS cluster's name
   */
  public AwsCloud(AwsClients clients, String cluster) {
    this.clients = Objects.requireNonNull(clients, "clients");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  @Override
  public List<CloudInstance> instances() {
    try {
      Map<String, Instance> ec2 = describeInstances();
      Map<String, String> imageNames = imageNames(ec2.values());
      Map<String, String> lifecycles = lifecycles(ec2.values());
      Map<String, String> ssm = pingStatus(ec2.keySet());
      List<CloudInstance> out = new ArrayList<>();
      for (Instance i : ec2.values()) {
        out.add(toCloud(i, imageNames, lifecycles, ssm));
      }
      return out;
    } catch (SdkException e) {
      throw new CloudUnavailableException(
          "cannot describe the instances of cluster " + cluster + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<ScheduledEvent> scheduledEvents(Collection<String> instanceIds) {
    List<String> all = new ArrayList<>(new TreeSet<>(instanceIds));
    List<ScheduledEvent> out = new ArrayList<>();
    try {
      for (int from = 0; from < all.size(); from += STATUS_BATCH) {
        List<String> batch = all.subList(from, Math.min(all.size(), from + STATUS_BATCH));
        for (InstanceStatus st :
            clients
                .ec2()
                .describeInstanceStatusPaginator(
                    b -> b.instanceIds(batch).includeAllInstances(true))
                .instanceStatuses()) {
          st.events().forEach(e -> toEvent(st.instanceId(), e).ifPresent(out::add));
        }
      }
      return out;
    } catch (SdkException e) {
      throw new CloudUnavailableException(
          "cannot describe the instance status of cluster " + cluster + ": " + e.getMessage(), e);
    }
  }

  /** The event, or empty when EC2 left out its code or start (nothing to schedule by). */
  static Optional<ScheduledEvent> toEvent(String instanceId, InstanceStatusEvent e) {
    if (instanceId == null || e.codeAsString() == null || e.notBefore() == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ScheduledEvent(
            instanceId,
            e.instanceEventId(),
            e.codeAsString(),
            e.description(),
            e.notBefore(),
            e.notAfter()));
  }

  private Map<String, Instance> describeInstances() {
    Map<String, Instance> out = new LinkedHashMap<>();
    for (Filter f :
        List.of(
            Filter.builder().name("tag:" + CLUSTER_NAME_TAG).values(cluster).build(),
            Filter.builder().name("tag-key").values("kubernetes.io/cluster/" + cluster).build())) {
      for (Reservation r :
          clients.ec2().describeInstancesPaginator(b -> b.filters(f)).reservations()) {
        r.instances().forEach(i -> out.put(i.instanceId(), i));
      }
    }
    return out;
  }

  private Map<String, String> imageNames(Collection<Instance> instances) {
    Set<String> ids = new TreeSet<>();
    instances.stream().map(Instance::imageId).filter(Objects::nonNull).forEach(ids::add);
    Map<String, String> out = new HashMap<>();
    if (!ids.isEmpty()) {
      for (Image img : clients.ec2().describeImages(b -> b.imageIds(ids)).images()) {
        out.put(img.imageId(), img.name());
      }
    }
    return out;
  }

  private Map<String, String> lifecycles(Collection<Instance> instances) {
    Set<String> groups = new TreeSet<>();
    instances.stream().map(i -> tags(i).get(ASG_TAG)).filter(Objects::nonNull).forEach(groups::add);
    Map<String, String> out = new HashMap<>();
    if (groups.isEmpty()) {
      return out;
    }
    for (AutoScalingGroup g :
        clients
            .autoScaling()
            .describeAutoScalingGroupsPaginator(b -> b.autoScalingGroupNames(groups))
            .autoScalingGroups()) {
      g.instances().forEach(m -> out.put(m.instanceId(), m.lifecycleStateAsString()));
    }
    return out;
  }

  private Map<String, String> pingStatus(Collection<String> ids) {
    Map<String, String> out = new HashMap<>();
    List<String> all = new ArrayList<>(ids);
    for (int from = 0; from < all.size(); from += SSM_BATCH) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + SSM_BATCH));
      InstanceInformationStringFilter f =
          InstanceInformationStringFilter.builder().key("InstanceIds").values(batch).build();
      for (InstanceInformation info :
          clients
              .ssm()
              .describeInstanceInformationPaginator(b -> b.filters(f))
              .instanceInformationList()) {
        out.put(info.instanceId(), info.pingStatusAsString());
      }
    }
    return out;
  }

  private static CloudInstance toCloud(
      Instance i,
      Map<String, String> imageNames,
      Map<String, String> lifecycles,
      Map<String, String> ssm) {
    Map<String, String> tags = tags(i);
    return new CloudInstance(
        i.instanceId(),
        i.instanceTypeAsString(),
        i.state() != null ? i.state().nameAsString() : null,
        i.privateDnsName(),
        i.imageId(),
        imageNames.get(i.imageId()),
        i.placement() != null ? i.placement().availabilityZone() : null,
        i.launchTime(),
        tags.get(ASG_TAG),
        lifecycles.get(i.instanceId()),
        CloudInstance.nodegroupFromTags(tags),
        ssm.getOrDefault(i.instanceId(), CloudInstance.SSM_NOT_REGISTERED),
        null);
  }

  private static Map<String, String> tags(Instance i) {
    Map<String, String> out = new HashMap<>();
    for (Tag t : i.tags()) {
      out.put(t.key(), t.value());
    }
    return out;
  }

  @Override
  public void close() {
    clients.close();
  }
}
