package io.gpuward.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.remediation.aws.AwsStub;
import io.gpuward.remediation.aws.AwsStub.Reply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link AwsCloud} against the loopback AWS protocol stub. */
class AwsCloudTest {
  static final String CLUSTER = "gpu-prod";

  AwsStub stub;
  AwsCloud cloud;

  @BeforeEach
  void start() throws Exception {
    stub = new AwsStub();
    cloud = new AwsCloud(AwsFleet.clients(stub), CLUSTER);
  }

  @AfterEach
  void stop() {
    cloud.close();
    stub.close();
  }

  @Test
  void shouldDescribeTheClustersInstancesWithImageNameGroupLifecycleAndSsmStatus() {
    List<CloudInstance> fleet =
        List.of(
            WatchObjects.m5Nvidia("running", CloudInstance.SSM_NOT_REGISTERED),
            WatchObjects.p5("running", "Terminating:Wait"));
    AwsFleet.script(stub, CLUSTER, fleet);

    List<CloudInstance> seen = cloud.instances();

    assertThat(seen).containsExactlyInAnyOrderElementsOf(fleet);
    var describe = stub.requests().stream().filter(r -> r.operation().equals("DescribeInstances"));
    assertThat(describe.map(r -> r.form().get("Filter.1.Name")))
        .containsExactlyInAnyOrder("tag:eks:cluster-name", "tag-key");
  }

  @Test
  void shouldSayTheCloudIsUnavailableWhenEc2RefusesWithoutRetryingForever() {
    stub.on(
        "DescribeInstances",
        new Reply(
            403,
            "text/xml",
            "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message>"
                + "</Error></Errors><RequestID>x</RequestID></Response>",
            Map.of(),
            0));

    assertThatThrownBy(() -> cloud.instances())
        .isInstanceOf(CloudPort.CloudUnavailableException.class)
        .hasMessageContaining(CLUSTER);
  }
}
