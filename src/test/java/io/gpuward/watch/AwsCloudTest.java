package io.gpuward.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.remediation.aws.AwsStub;
import io.gpuward.remediation.aws.AwsStub.Reply;
import java.time.Instant;
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

  /** The shape of a real DescribeInstanceStatus reply (EC2 API reference, InstanceStatusEvent). */
  static final String INSTANCE_STATUS =
      "<DescribeInstanceStatusResponse xmlns=\""
          + AwsStub.EC2_NS
          + "\"><requestId>3be1508e-c444-4fef-89cc-0b1223c4f02f</requestId><instanceStatusSet>"
          + "<item><instanceId>i-0a1b2c3d4e5f60718</instanceId>"
          + "<availabilityZone>us-east-1a</availabilityZone>"
          + "<instanceState><code>16</code><name>running</name></instanceState>"
          + "<systemStatus><status>ok</status><details><item><name>reachability</name>"
          + "<status>passed</status></item></details></systemStatus>"
          + "<instanceStatus><status>ok</status><details><item><name>reachability</name>"
          + "<status>passed</status></item></details></instanceStatus>"
          + "<eventsSet><item><instanceEventId>instance-event-0d59937288b749b32</instanceEventId>"
          + "<code>instance-retirement</code>"
          + "<description>The instance is running on degraded hardware</description>"
          + "<notBefore>2026-12-09T00:00:00.000Z</notBefore></item>"
          + "<item><instanceEventId>instance-event-045a37c2b5a1f0e5e</instanceEventId>"
          + "<code>system-reboot</code>"
          + "<description>[Completed] scheduled reboot</description>"
          + "<notBefore>2026-12-01T02:00:00.000Z</notBefore>"
          + "<notAfter>2026-12-01T04:00:00.000Z</notAfter></item></eventsSet></item>"
          + "<item><instanceId>i-0b1b2c3d4e5f60719</instanceId>"
          + "<instanceState><code>80</code><name>stopped</name></instanceState>"
          + "<systemStatus><status>not-applicable</status></systemStatus>"
          + "<instanceStatus><status>not-applicable</status></instanceStatus>"
          + "</item></instanceStatusSet></DescribeInstanceStatusResponse>";

  @Test
  void shouldReadScheduledEventsOfAllInstancesWithTheirWindowAndState() {
    stub.on("DescribeInstanceStatus", Reply.xml(INSTANCE_STATUS));

    List<ScheduledEvent> events =
        cloud.scheduledEvents(List.of("i-0a1b2c3d4e5f60718", "i-0b1b2c3d4e5f60719"));

    assertThat(events)
        .containsExactly(
            new ScheduledEvent(
                "i-0a1b2c3d4e5f60718",
                "instance-event-0d59937288b749b32",
                "instance-retirement",
                "The instance is running on degraded hardware",
                Instant.parse("2026-12-09T00:00:00Z"),
                null),
            new ScheduledEvent(
                "i-0a1b2c3d4e5f60718",
                "instance-event-045a37c2b5a1f0e5e",
                "system-reboot",
                "[Completed] scheduled reboot",
                Instant.parse("2026-12-01T02:00:00Z"),
                Instant.parse("2026-12-01T04:00:00Z")));
    assertThat(events).extracting(ScheduledEvent::state).containsExactly("scheduled", "completed");
    var form = stub.requests().stream().filter(r -> r.operation().equals("DescribeInstanceStatus"));
    assertThat(form.findFirst().orElseThrow().form())
        .containsEntry("IncludeAllInstances", "true")
        .containsEntry("InstanceId.1", "i-0a1b2c3d4e5f60718")
        .containsEntry("InstanceId.2", "i-0b1b2c3d4e5f60719");
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
