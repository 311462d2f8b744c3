package io.gpuward.remediation.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.aws.AwsClients;
import io.gpuward.remediation.aws.AwsStub.Reply;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import io.gpuward.sim.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodegroupResolverTest {

  private AwsStub stub;
  private AwsClients clients;
  private ManualClock clock;
  private NodegroupResolver resolver;

  @BeforeEach
  void start() throws Exception {
    stub = new AwsStub();
    clients = stub.clients();
    clock = new ManualClock(Instant.parse("2025-06-01T00:00:00Z"));
    resolver = new NodegroupResolver(clients.eks(), clock, Duration.ofMinutes(10));
  }

  @AfterEach
  void stop() {
    clients.close();
    stub.close();
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

  @Test
  void shouldResolveTheAutoScalingGroupsOfANodegroup() {
    stub.on("DescribeNodegroup", nodegroup("eks-p5-train-1234", "eks-p5-train-5678"));

    assertThat(resolver.autoScalingGroups("prod", "p5-train"))
        .containsExactly("eks-p5-train-1234", "eks-p5-train-5678");

    AwsStub.Request r = stub.requests().get(0);
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.path()).isEqualTo("/clusters/prod/node-groups/p5-train");
  }

  @Test
  void shouldCacheUntilTheTtlPasses() {
    stub.on("DescribeNodegroup", nodegroup("eks-a"), nodegroup("eks-b"));

    assertThat(resolver.autoScalingGroups("prod", "p5-train")).containsExactly("eks-a");
    clock.advance(Duration.ofMinutes(9));
    assertThat(resolver.autoScalingGroups("prod", "p5-train")).containsExactly("eks-a");
    assertThat(stub.requests()).hasSize(1);

    clock.advance(Duration.ofMinutes(2));
    assertThat(resolver.autoScalingGroups("prod", "p5-train")).containsExactly("eks-b");
    assertThat(stub.requests()).hasSize(2);

    resolver.invalidate("prod", "p5-train");
    resolver.autoScalingGroups("prod", "p5-train");
    assertThat(stub.requests()).hasSize(3);
  }

  @Test
  void shouldNotCacheAnEmptyAnswer() {
    stub.on("DescribeNodegroup", nodegroup(), nodegroup("eks-a"));

    assertThat(resolver.autoScalingGroups("prod", "p5-train")).isEmpty();
    assertThat(resolver.autoScalingGroups("prod", "p5-train")).containsExactly("eks-a");
  }

  @Test
  void shouldFailPermanentlyForAnUnknownNodegroup() {
    stub.on(
        "DescribeNodegroup",
        Reply.restJsonError(404, "ResourceNotFoundException", "No node group found"));

    assertThatThrownBy(() -> resolver.autoScalingGroups("prod", "gone"))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT))
        .hasMessageContaining("ResourceNotFoundException")
        .hasMessageContaining("prod/gone");
  }

  @Test
  void shouldFailTransientlyWhenEksThrottles() {
    stub.on("DescribeNodegroup", Reply.restJsonError(429, "TooManyRequestsException", "slow down"));

    assertThatThrownBy(() -> resolver.autoScalingGroups("prod", "p5-train"))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
    assertThat(stub.requests()).hasSize(3);
  }

  @Test
  void shouldRejectInvalidNamesBeforeAnyCall() {
    assertThatThrownBy(() -> resolver.autoScalingGroups("prod", "../../etc"))
        .isInstanceOf(ActuatorException.class);
    assertThatThrownBy(() -> resolver.autoScalingGroups("", "p5"))
        .isInstanceOf(ActuatorException.class);
    assertThat(stub.requests()).isEmpty();
  }
}
