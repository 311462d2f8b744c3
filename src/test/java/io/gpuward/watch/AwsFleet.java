package io.gpuward.watch;

import io.gpuward.aws.AwsClients;
import io.gpuward.remediation.aws.AwsStub;
import io.gpuward.remediation.aws.AwsStub.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** Scripts an {@link AwsStub} with a cluster's instances, as EC2, Auto Scaling and SSM answer. */
final class AwsFleet {
  private AwsFleet() {}

  static AwsClients clients(AwsStub stub) {
    return AwsClients.create(
        Region.US_EAST_1,
        stub.endpoint(),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")),
        AwsClients.Settings.DEFAULTS
            .withMaxAttempts(1)
            .withBackoff(Duration.ofMillis(1))
            .withApiTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
  }

  /** Every Describe* of one poll answers with {@code instances} (SSM knows those with a status). */
  static void script(AwsStub stub, String cluster, List<CloudInstance> instances) {
    stub.on("DescribeInstances", Reply.xml(describeInstances(cluster, instances)));
    stub.on("DescribeImages", Reply.xml(describeImages(instances)));
    stub.on(
        "DescribeInstanceStatus",
        Reply.xml(
            "<DescribeInstanceStatusResponse xmlns=\""
                + AwsStub.EC2_NS
                + "\"><requestId>r4</requestId><instanceStatusSet/>"
                + "</DescribeInstanceStatusResponse>"));
    stub.on("DescribeAutoScalingGroups", Reply.xml(describeGroups(instances)));
    stub.on(
        "DescribeInstanceInformation",
        new Reply(200, "application/x-amz-json-1.1", ssm(instances), Map.of(), 0));
  }

  static String describeInstances(String cluster, List<CloudInstance> instances) {
    String items = instances.stream().map(i -> instance(cluster, i)).collect(Collectors.joining());
    return "<DescribeInstancesResponse xmlns=\""
        + AwsStub.EC2_NS
        + "\"><requestId>r1</requestId><reservationSet><item><reservationId>r-1</reservationId>"
        + "<ownerId>123456789012</ownerId><instancesSet>"
        + items
        + "</instancesSet></item></reservationSet></DescribeInstancesResponse>";
  }

  private static String instance(String cluster, CloudInstance i) {
    return "<item><instanceId>"
        + i.instanceId()
        + "</instanceId><imageId>"
        + i.amiId()
        + "</imageId><instanceState><code>16</code><name>"
        + i.state()
        + "</name></instanceState><privateDnsName>"
        + (i.privateDnsName() == null ? "" : i.privateDnsName())
        + "</privateDnsName><instanceType>"
        + i.instanceType()
        + "</instanceType><launchTime>"
        + i.launchedAt()
        + "</launchTime><placement><availabilityZone>"
        + i.zone()
        + "</availabilityZone></placement><tagSet>"
        + tag("eks:cluster-name", cluster)
        + tag("aws:autoscaling:groupName", i.asgName())
        + tag("eks:nodegroup-name", i.nodegroup())
        + "</tagSet></item>";
  }

  private static String tag(String k, String v) {
    return v == null ? "" : "<item><key>" + k + "</key><value>" + v + "</value></item>";
  }

  static String describeImages(List<CloudInstance> instances) {
    String items =
        instances.stream()
            .filter(i -> i.imageName() != null)
            .map(
                i ->
                    "<item><imageId>"
                        + i.amiId()
                        + "</imageId><name>"
                        + i.imageName()
                        + "</name></item>")
            .distinct()
            .collect(Collectors.joining());
    return "<DescribeImagesResponse xmlns=\""
        + AwsStub.EC2_NS
        + "\"><requestId>r2</requestId><imagesSet>"
        + items
        + "</imagesSet></DescribeImagesResponse>";
  }

  static String describeGroups(List<CloudInstance> instances) {
    Map<String, List<CloudInstance>> byGroup =
        instances.stream()
            .filter(i -> i.asgName() != null)
            .collect(Collectors.groupingBy(CloudInstance::asgName));
    StringBuilder groups = new StringBuilder();
    byGroup.forEach(
        (g, members) -> {
          groups.append("<member><AutoScalingGroupName>").append(g);
          groups.append("</AutoScalingGroupName><Instances>");
          for (CloudInstance m : members) {
            groups.append("<member><InstanceId>").append(m.instanceId());
            groups.append("</InstanceId><LifecycleState>").append(m.asgLifecycle());
            groups.append("</LifecycleState></member>");
          }
          groups.append("</Instances></member>");
        });
    return "<DescribeAutoScalingGroupsResponse"
        + " xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
        + "<DescribeAutoScalingGroupsResult><AutoScalingGroups>"
        + groups
        + "</AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r3"
        + "</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>";
  }

  static String ssm(List<CloudInstance> instances) {
    String items =
        instances.stream()
            .filter(
                i ->
                    i.ssmPingStatus() != null
                        && !CloudInstance.SSM_NOT_REGISTERED.equals(i.ssmPingStatus()))
            .map(
                i ->
                    "{\"InstanceId\":\""
                        + i.instanceId()
                        + "\",\"PingStatus\":\""
                        + i.ssmPingStatus()
                        + "\"}")
            .collect(Collectors.joining(","));
    return "{\"InstanceInformationList\":[" + items + "]}";
  }
}
