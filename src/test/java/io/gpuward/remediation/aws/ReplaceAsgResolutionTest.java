package io.gpuward.remediation.aws;

import static io.gpuward.remediation.aws.AwsStub.ASG_NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.Severity;
import io.gpuward.avro.VerdictState;
import io.gpuward.aws.AwsClients;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.aws.AwsStub.Reply;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * REPLACE on a node whose Auto Scaling group neither the node nor the inventory names: the AWS
 * actuator resolves the node group with EKS DescribeNodegroup (cached) and terminates the instance
 * in that group, desired capacity kept.
 */
class ReplaceAsgResolutionTest {
  private static final String INSTANCE = "i-0123456789abcdef0";
  private static final Instant T0 = Instant.parse("2025-06-01T00:00:00Z");

  private AwsStub stub;
  private AwsClients clients;
  private ManualClock clock;

  @BeforeEach
  void start() throws Exception {
    stub = new AwsStub();
    clients = stub.clients();
    clock = new ManualClock(T0);
  }

  @AfterEach
  void stop() {
    clients.close();
    stub.close();
  }

  private AwsCloudActuator actuator(String cluster) {
    return new AwsCloudActuator(
        clients, AwsCloudActuator.Settings.DEFAULTS, clock, d -> clock.advance(d), cluster);
  }

  private static Reply nodegroup(String... asgs) {
    StringBuilder list = new StringBuilder();
    for (String a : asgs) {
      list.append(list.length() == 0 ? "" : ",").append("{\"name\":\"").append(a).append("\"}");
    }
    return Reply.restJson(
        "{\"nodegroup\":{\"nodegroupName\":\"p5-train\",\"clusterName\":\"prod\","
            + "\"status\":\"ACTIVE\",\"resources\":{\"autoScalingGroups\":["
            + list
            + "]}}}");
  }

  private static Reply asgInstance(String asg) {
    return Reply.xml(
        "<DescribeAutoScalingInstancesResponse xmlns=\""
            + ASG_NS
            + "\"><DescribeAutoScalingInstancesResult><AutoScalingInstances><member>"
            + "<InstanceId>"
            + INSTANCE
            + "</InstanceId><AutoScalingGroupName>"
            + asg
            + "</AutoScalingGroupName><AvailabilityZone>us-east-1a</AvailabilityZone>"
            + "<LifecycleState>InService</LifecycleState><HealthStatus>HEALTHY</HealthStatus>"
            + "<ProtectedFromScaleIn>false</ProtectedFromScaleIn>"
            + "</member></AutoScalingInstances></DescribeAutoScalingInstancesResult>"
            + "<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>"
            + "</DescribeAutoScalingInstancesResponse>");
  }

  private static Reply terminateOk() {
    return Reply.xml(
        "<TerminateInstanceInAutoScalingGroupResponse xmlns=\""
            + ASG_NS
            + "\"><TerminateInstanceInAutoScalingGroupResult><Activity>"
            + "<ActivityId>act-1</ActivityId><AutoScalingGroupName>eks-p5</AutoScalingGroupName>"
            + "<Cause>terminated by gpuward</Cause><StartTime>2025-06-01T00:00:00Z</StartTime>"
            + "<StatusCode>InProgress</StatusCode><Progress>0</Progress>"
            + "</Activity></TerminateInstanceInAutoScalingGroupResult>"
            + "<ResponseMetadata><RequestId>r-4</RequestId></ResponseMetadata>"
            + "</TerminateInstanceInAutoScalingGroupResponse>");
  }

  @Test
  void shouldResolveTheNodegroupOnceAndReuseIt() {
    stub.on("DescribeNodegroup", nodegroup("eks-p5"));
    var aws = actuator("prod");
    assertThat(aws.autoScalingGroupOf("p5-train")).contains("eks-p5");
    assertThat(aws.autoScalingGroupOf("p5-train")).contains("eks-p5");
    assertThat(stub.operations()).containsExactly("DescribeNodegroup");
    assertThat(stub.requests().get(0).path()).isEqualTo("/clusters/prod/node-groups/p5-train");
  }

  @Test
  void shouldNotGuessWithSeveralGroupsOrNoCluster() {
    stub.on("DescribeNodegroup", nodegroup("eks-p5-a", "eks-p5-b"));
    assertThat(actuator("prod").autoScalingGroupOf("p5-train")).isEmpty();
    assertThat(actuator(null).autoScalingGroupOf("p5-train")).isEmpty();
    assertThat(stub.operations()).containsExactly("DescribeNodegroup");
  }

  @Test
  void shouldReplaceInTheResolvedGroupKeepingCapacity() {
    stub.on("DescribeNodegroup", nodegroup("eks-p5"));
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-p5"));
    stub.on("TerminateInstanceInAutoScalingGroup", terminateOk());
    List<RemediationRecord> audit = new ArrayList<>();
    var p = RemediationPolicy.load();
    var policy =
        new RemediationPolicy(
            p.version(),
            Map.of(RemediationAction.REPLACE, List.of(RemediationAction.REPLACE)),
            Duration.ZERO,
            Map.of(),
            p.observeOnlyLag(),
            Duration.ZERO,
            p.ladder(),
            p.repeatOffender());
    var remediation =
        new Remediation(
            new Planner(policy),
            new NodeWithoutAsg(),
            actuator("prod"),
            audit::add,
            clock,
            false,
            new SimpleMeterRegistry());

    remediation.onVerdict(verdict());

    assertThat(stub.operations())
        .containsExactly(
            "DescribeNodegroup",
            "DescribeAutoScalingInstances",
            "TerminateInstanceInAutoScalingGroup");
    assertThat(stub.requests("TerminateInstanceInAutoScalingGroup").get(0).form())
        .containsEntry("InstanceId", INSTANCE)
        .containsEntry("ShouldDecrementDesiredCapacity", "false");
    assertThat(audit)
        .filteredOn(r -> r.getOutcome() == Outcome.SUCCEEDED)
        .singleElement()
        .satisfies(r -> assertThat(r.getDetail()).contains("asg=eks-p5"));
  }

  private static FaultVerdict verdict() {
    return FaultVerdict.newBuilder()
        .setVerdictId("v-remap")
        .setNode("p5-train-3")
        .setNodegroup("p5-train")
        .setInstanceId(INSTANCE)
        .setZone("us-east-1a")
        .setFaultClass(FaultClass.GPU_MEMORY_DEGRADED)
        .setSeverity(Severity.CRITICAL)
        .setState(VerdictState.OPEN)
        .setRecommendedAction(RemediationAction.REPLACE)
        .setGpus(List.of())
        .setEvidence(List.of())
        .setRuleId("row-remap-failure")
        .setRuleVersion("1")
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plusSeconds(600))
        .setHeld(false)
        .setSummary("row remapping failed")
        .build();
  }

  /** A node whose labels name its EKS node group but no Auto Scaling group. */
  private static final class NodeWithoutAsg implements ClusterPort {
    @Override
    public Optional<LiveNode> node(String name) {
      return Optional.of(
          LiveNode.named(name)
              .bootId("boot-1")
              .ready(true)
              .instanceId(INSTANCE)
              .labels(Map.of("eks.amazonaws.com/nodegroup", "p5-train"))
              .build());
    }

    @Override
    public void cordon(String node, String operationId) {}

    @Override
    public void uncordon(String node, String operationId) {}

    @Override
    public DrainResult drain(String node, Duration deadline) {
      return new DrainResult(0, 0, 0, true);
    }

    @Override
    public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
      return new DrainResult(0, 0, 0, true);
    }
  }
}
