package io.gpuward.remediation.aws;

import static io.gpuward.remediation.aws.AwsStub.ASG_NS;
import static io.gpuward.remediation.aws.AwsStub.EC2_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.aws.AwsClients;
import io.gpuward.remediation.aws.AwsCloudActuator.ReplaceMode;
import io.gpuward.remediation.aws.AwsCloudActuator.Settings;
import io.gpuward.remediation.aws.AwsStub.Reply;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.sim.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AwsCloudActuatorTest {

  private static final String INSTANCE = "i-0123456789abcdef0";
  private static final String GPU = "GPU-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
  private static final String OP = "op-3f0c1d2e-aaaa-bbbb-cccc-000000000001";
  private static final ObjectMapper JSON = new ObjectMapper();

  private AwsStub stub;
  private AwsClients clients;
  private ManualClock clock;
  private List<Duration> slept;

  @BeforeEach
  void start() throws Exception {
    stub = new AwsStub();
    clients = stub.clients();
    clock = new ManualClock(Instant.parse("2025-06-01T00:00:00Z"));
    slept = new ArrayList<>();
  }

  @AfterEach
  void stop() {
    clients.close();
    stub.close();
  }

  private AwsCloudActuator actuator(Settings settings) {
    return new AwsCloudActuator(
        clients,
        settings,
        clock,
        d -> {
          slept.add(d);
          clock.advance(d);
        });
  }

  private AwsCloudActuator actuator() {
    return actuator(
        new Settings(
            AwsCloudActuator.GPU_RESET_DOCUMENT,
            Duration.ofSeconds(60),
            Duration.ofSeconds(10),
            ReplaceMode.TERMINATE,
            AwsCloudActuator.DIAG_DOCUMENT));
  }

  // ---------------------------------------------------------------- replies

  private static Reply rebootOk() {
    return Reply.xml(
        "<RebootInstancesResponse xmlns=\""
            + EC2_NS
            + "\"><requestId>r-1</requestId><return>true</return></RebootInstancesResponse>");
  }

  private static Reply asgInstance(String asg, String lifecycle, String health) {
    return Reply.xml(
        "<DescribeAutoScalingInstancesResponse xmlns=\""
            + ASG_NS
            + "\"><DescribeAutoScalingInstancesResult><AutoScalingInstances><member>"
            + "<InstanceId>"
            + INSTANCE
            + "</InstanceId><AutoScalingGroupName>"
            + asg
            + "</AutoScalingGroupName><AvailabilityZone>us-east-1a</AvailabilityZone>"
            + "<LifecycleState>"
            + lifecycle
            + "</LifecycleState><HealthStatus>"
            + health
            + "</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn>"
            + "</member></AutoScalingInstances></DescribeAutoScalingInstancesResult>"
            + "<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>"
            + "</DescribeAutoScalingInstancesResponse>");
  }

  private static Reply noAsgInstance() {
    return Reply.xml(
        "<DescribeAutoScalingInstancesResponse xmlns=\""
            + ASG_NS
            + "\"><DescribeAutoScalingInstancesResult><AutoScalingInstances/>"
            + "</DescribeAutoScalingInstancesResult><ResponseMetadata><RequestId>r-3</RequestId>"
            + "</ResponseMetadata></DescribeAutoScalingInstancesResponse>");
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

  private static Reply setHealthOk() {
    return Reply.xml(
        "<SetInstanceHealthResponse xmlns=\""
            + ASG_NS
            + "\"><ResponseMetadata><RequestId>r-5</RequestId></ResponseMetadata>"
            + "</SetInstanceHealthResponse>");
  }

  private static Reply sent() {
    return Reply.json(
        "{\"Command\":{\"CommandId\":\"cmd-1\",\"DocumentName\":\"gpuward-gpu-reset\","
            + "\"Status\":\"Pending\"}}");
  }

  private static Reply invocation(String status, String details, int code, String stderr) {
    return Reply.json(
        "{\"CommandId\":\"cmd-1\",\"InstanceId\":\""
            + INSTANCE
            + "\",\"Status\":\""
            + status
            + "\",\"StatusDetails\":\""
            + details
            + "\",\"ResponseCode\":"
            + code
            + ",\"StandardErrorContent\":\""
            + stderr
            + "\"}");
  }

  private static Reply notYet() {
    return Reply.jsonError(400, "InvocationDoesNotExist", "");
  }

  // ---------------------------------------------------------------- reboot

  @Test
  void shouldRebootWithRebootInstances() {
    stub.on("RebootInstances", rebootOk());

    actuator().reboot(INSTANCE, OP);

    assertThat(stub.requests()).hasSize(1);
    AwsStub.Request r = stub.requests().get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.form())
        .containsEntry("Action", "RebootInstances")
        .containsEntry("InstanceId.1", INSTANCE)
        .containsKey("Version");
    assertThat(r.body()).contains("Action=RebootInstances").contains("InstanceId.1=" + INSTANCE);
    assertThat(r.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/");
  }

  @Test
  void shouldFailPermanentlyWhenInstanceIsUnknown() {
    stub.on(
        "RebootInstances",
        Reply.ec2Error(
            400,
            "InvalidInstanceID.NotFound",
            "The instance ID 'i-0123456789abcdef0' does not exist"));

    assertThatThrownBy(() -> actuator().reboot(INSTANCE, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT))
        .hasMessageContaining("RebootInstances")
        .hasMessageContaining(INSTANCE)
        .hasMessageContaining("InvalidInstanceID.NotFound")
        .hasMessageContaining(OP);
    assertThat(stub.requests()).hasSize(1); // a permanent error is not retried
  }

  @Test
  void shouldFailTransientlyAfterBoundedRetriesWhenThrottled() {
    stub.on("RebootInstances", Reply.ec2Error(400, "RequestLimitExceeded", "Request limit"));

    assertThatThrownBy(() -> actuator().reboot(INSTANCE, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("RequestLimitExceeded");
    assertThat(stub.requests()).hasSize(3);
  }

  @Test
  void shouldFailTransientlyOnServerErrors() {
    stub.on("RebootInstances", Reply.status(500));

    assertThatThrownBy(() -> actuator().reboot(INSTANCE, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
    assertThat(stub.requests()).hasSize(3);
  }

  @Test
  void shouldSucceedWhenARetryGetsThrough() {
    stub.on("RebootInstances", Reply.status(503), rebootOk());

    actuator().reboot(INSTANCE, OP);

    assertThat(stub.operations()).containsExactly("RebootInstances", "RebootInstances");
  }

  @Test
  void shouldRejectInvalidInstanceIdsBeforeAnyCall() {
    for (String bad :
        new String[] {
          null, "", "i-123", "i-0123456789ABCDEF0", "x-0123456789abcdef0", "i-0123; ls"
        }) {
      assertThatThrownBy(() -> actuator().reboot(bad, OP))
          .isInstanceOfSatisfying(
              ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT));
    }
    assertThat(stub.requests()).isEmpty();
  }

  @Test
  void shouldBeAmbiguousWhenConnectionDropsAfterSending() throws Exception {
    // A server that reads the request and closes without answering: the reboot may have happened.
    try (var dead = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                while (!dead.isClosed()) {
                  try (var s = dead.accept()) {
                    s.getInputStream().read(new byte[8192]);
                  } catch (java.io.IOException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      try (AwsClients c =
          AwsClients.create(
              software.amazon.awssdk.regions.Region.US_EAST_1,
              java.net.URI.create("http://127.0.0.1:" + dead.getLocalPort()),
              software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                  software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("a", "b")),
              AwsClients.Settings.DEFAULTS.withMaxAttempts(1))) {
        AwsCloudActuator a = new AwsCloudActuator(c, Settings.DEFAULTS, clock, d -> {});
        assertThatThrownBy(() -> a.reboot(INSTANCE, OP))
            .isInstanceOfSatisfying(
                ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AMBIGUOUS));
      }
    }
  }

  @Test
  void shouldBeAmbiguousWhenAMutatingCallTimesOutButTransientForAReadCall() {
    try (AwsClients slow = stub.clients(1, Duration.ofMillis(300))) {
      stub.on("RebootInstances", rebootOk().delayed(1_000));
      stub.on(
          "DescribeAutoScalingInstances",
          asgInstance("eks-p5", "InService", "HEALTHY").delayed(1_000));
      AwsCloudActuator a = new AwsCloudActuator(slow, Settings.DEFAULTS, clock, d -> {});

      assertThatThrownBy(() -> a.reboot(INSTANCE, OP))
          .isInstanceOfSatisfying(
              ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AMBIGUOUS))
          .hasMessageContaining("RebootInstances");
      assertThatThrownBy(() -> a.replace(INSTANCE, "eks-p5", OP))
          .isInstanceOfSatisfying(
              ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
          .hasMessageContaining("DescribeAutoScalingInstances");
    }
  }

  @Test
  void shouldBeTransientWhenNothingListens() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (AwsClients c =
        AwsClients.create(
            software.amazon.awssdk.regions.Region.US_EAST_1,
            java.net.URI.create("http://127.0.0.1:" + port),
            software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("a", "b")),
            AwsClients.Settings.DEFAULTS.withMaxAttempts(1))) {
      AwsCloudActuator a = new AwsCloudActuator(c, Settings.DEFAULTS, clock, d -> {});
      assertThatThrownBy(() -> a.reboot(INSTANCE, OP))
          .isInstanceOfSatisfying(
              ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
    }
  }

  // ---------------------------------------------------------------- replace

  @Test
  void shouldTerminateWithoutDecrementingDesiredCapacity() {
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-p5", "InService", "HEALTHY"));
    stub.on("TerminateInstanceInAutoScalingGroup", terminateOk());

    actuator().replace(INSTANCE, "eks-p5", OP);

    assertThat(stub.operations())
        .containsExactly("DescribeAutoScalingInstances", "TerminateInstanceInAutoScalingGroup");
    assertThat(stub.requests("DescribeAutoScalingInstances").get(0).form())
        .containsEntry("InstanceIds.member.1", INSTANCE);
    AwsStub.Request t = stub.requests("TerminateInstanceInAutoScalingGroup").get(0);
    assertThat(t.form())
        .containsEntry("Action", "TerminateInstanceInAutoScalingGroup")
        .containsEntry("Version", "2011-01-01")
        .containsEntry("InstanceId", INSTANCE)
        .containsEntry("ShouldDecrementDesiredCapacity", "false");
  }

  @Test
  void shouldResolveTheAutoScalingGroupWhenNotGiven() {
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-p5-resolved", "InService", "HEALTHY"));
    stub.on("TerminateInstanceInAutoScalingGroup", terminateOk());

    actuator().replace(INSTANCE, null, OP);
    actuator().replace(INSTANCE, " ", OP);

    assertThat(stub.operations())
        .containsExactly(
            "DescribeAutoScalingInstances",
            "TerminateInstanceInAutoScalingGroup",
            "DescribeAutoScalingInstances",
            "TerminateInstanceInAutoScalingGroup");
  }

  @Test
  void shouldRefuseToReplaceAnInstanceOfAnotherGroup() {
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-other", "InService", "HEALTHY"));

    assertThatThrownBy(() -> actuator().replace(INSTANCE, "eks-p5", OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT))
        .hasMessageContaining("eks-other");
    assertThat(stub.operations()).containsExactly("DescribeAutoScalingInstances");
  }

  @Test
  void shouldFailPermanentlyWhenTheInstanceIsInNoGroup() {
    stub.on("DescribeAutoScalingInstances", noAsgInstance());

    assertThatThrownBy(() -> actuator().replace(INSTANCE, null, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT))
        .hasMessageContaining("no Auto Scaling group");
    assertThat(stub.operations()).containsExactly("DescribeAutoScalingInstances");
  }

  @Test
  void shouldNotTerminateAgainWhenAlreadyTerminating() {
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-p5", "Terminating:Wait", "HEALTHY"));

    actuator().replace(INSTANCE, "eks-p5", OP);

    assertThat(stub.operations()).containsExactly("DescribeAutoScalingInstances");
  }

  @Test
  void shouldMarkUnhealthyInSetInstanceHealthMode() {
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-p5", "InService", "HEALTHY"));
    stub.on("SetInstanceHealth", setHealthOk());

    actuator(Settings.DEFAULTS.withReplaceMode(ReplaceMode.SET_UNHEALTHY))
        .replace(INSTANCE, "eks-p5", OP);

    AwsStub.Request r = stub.requests("SetInstanceHealth").get(0);
    assertThat(r.form())
        .containsEntry("InstanceId", INSTANCE)
        .containsEntry("HealthStatus", "Unhealthy")
        .containsEntry("ShouldRespectGracePeriod", "false");
    assertThat(stub.requests("TerminateInstanceInAutoScalingGroup")).isEmpty();
  }

  @Test
  void shouldRetryAndReportTransientWhenAutoScalingThrottles() {
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-p5", "InService", "HEALTHY"));
    stub.on(
        "TerminateInstanceInAutoScalingGroup", Reply.asgError(400, "Throttling", "Rate exceeded"));

    assertThatThrownBy(() -> actuator().replace(INSTANCE, "eks-p5", OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("Throttling")
        .hasMessageContaining("TerminateInstanceInAutoScalingGroup");
    assertThat(stub.requests("TerminateInstanceInAutoScalingGroup")).hasSize(3);
  }

  @Test
  void shouldReportTransientWhileAScalingActivityIsInProgress() {
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-p5", "InService", "HEALTHY"));
    stub.on(
        "TerminateInstanceInAutoScalingGroup",
        Reply.asgError(400, "ScalingActivityInProgress", "Scaling activity in progress"));

    assertThatThrownBy(() -> actuator().replace(INSTANCE, "eks-p5", OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
  }

  @Test
  void shouldReportPermanentOnAutoScalingValidationError() {
    stub.on("DescribeAutoScalingInstances", asgInstance("eks-p5", "InService", "HEALTHY"));
    stub.on(
        "TerminateInstanceInAutoScalingGroup",
        Reply.asgError(400, "ValidationError", "Instance Id not found"));

    assertThatThrownBy(() -> actuator().replace(INSTANCE, "eks-p5", OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT))
        .hasMessageContaining("ValidationError");
    assertThat(stub.requests("TerminateInstanceInAutoScalingGroup")).hasSize(1);
  }

  @Test
  void shouldRejectABadGroupNameBeforeAnyCall() {
    assertThatThrownBy(() -> actuator().replace(INSTANCE, "eks\np5", OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT));
    assertThatThrownBy(() -> actuator().replace(INSTANCE, "x".repeat(256), OP))
        .isInstanceOf(ActuatorException.class);
    assertThatThrownBy(() -> actuator().replace("i-nope", "eks-p5", OP))
        .isInstanceOf(ActuatorException.class);
    assertThat(stub.requests()).isEmpty();
  }

  // ---------------------------------------------------------------- GPU reset

  @Test
  void shouldResetGpuThroughSsmAndWaitForSuccess() throws Exception {
    stub.on("SendCommand", sent());
    stub.on(
        "GetCommandInvocation",
        notYet(),
        invocation("InProgress", "InProgress", -1, ""),
        invocation("Success", "Success", 0, ""));

    actuator().resetGpu(INSTANCE, GPU, OP);

    assertThat(stub.operations())
        .containsExactly(
            "SendCommand", "GetCommandInvocation", "GetCommandInvocation", "GetCommandInvocation");
    AwsStub.Request send = stub.requests("SendCommand").get(0);
    assertThat(send.header("X-Amz-Target")).isEqualTo("AmazonSSM.SendCommand");
    assertThat(send.header("Content-Type")).startsWith("application/x-amz-json-1.1");
    JsonNode body = JSON.readTree(send.body());
    assertThat(body.get("DocumentName").asText()).isEqualTo("gpuward-gpu-reset");
    assertThat(body.get("InstanceIds").get(0).asText()).isEqualTo(INSTANCE);
    assertThat(body.get("InstanceIds")).hasSize(1);
    // Only the document's own parameters: a GPU id and a timeout, never a command line.
    assertThat(body.get("Parameters").properties())
        .extracting(Map.Entry::getKey)
        .containsExactly("gpu", "executionTimeout");
    assertThat(body.get("Parameters").get("gpu")).hasSize(1);
    assertThat(body.get("Parameters").get("gpu").get(0).asText()).isEqualTo(GPU);
    assertThat(body.get("Parameters").get("executionTimeout").get(0).asText()).isEqualTo("60");
    assertThat(body.get("Comment").asText()).contains(OP);

    JsonNode poll = JSON.readTree(stub.requests("GetCommandInvocation").get(0).body());
    assertThat(poll.get("CommandId").asText()).isEqualTo("cmd-1");
    assertThat(poll.get("InstanceId").asText()).isEqualTo(INSTANCE);
    assertThat(slept).containsOnly(Duration.ofSeconds(10)).hasSize(3);
  }

  @Test
  void shouldAcceptAGpuIndex() throws Exception {
    stub.on("SendCommand", sent());
    stub.on("GetCommandInvocation", invocation("Success", "Success", 0, ""));

    actuator().resetGpu(INSTANCE, "3", OP);

    JsonNode body = JSON.readTree(stub.requests("SendCommand").get(0).body());
    assertThat(body.get("Parameters").get("gpu").get(0).asText()).isEqualTo("3");
  }

  @Test
  void shouldFailPermanentlyWithExitCodeAndStderrWhenTheResetFails() {
    stub.on("SendCommand", sent());
    stub.on(
        "GetCommandInvocation",
        invocation(
            "Failed",
            "Failed",
            255,
            "GPU 00000000:53:00.0 is currently in use by another process.\\n"));

    assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, GPU, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT))
        .hasMessageContaining("exit code 255")
        .hasMessageContaining("currently in use by another process")
        .hasMessageContaining(INSTANCE)
        .hasMessageContaining("cmd-1");
  }

  @Test
  void shouldBeAmbiguousWhenTheDeadlinePasses() {
    stub.on("SendCommand", sent());
    stub.on("GetCommandInvocation", invocation("InProgress", "InProgress", -1, ""));

    assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, GPU, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AMBIGUOUS))
        .hasMessageContaining("did not finish within");
    // 60 s deadline, 10 s polls: 6 polls, no real sleeping.
    assertThat(stub.requests("GetCommandInvocation")).hasSize(6);
    assertThat(clock.instant()).isEqualTo(Instant.parse("2025-06-01T00:01:00Z"));
  }

  @Test
  void shouldBeAmbiguousWhenTheCommandIsNeverVisibleBeforeTheDeadline() {
    stub.on("SendCommand", sent());
    stub.on("GetCommandInvocation", notYet());

    assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, GPU, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AMBIGUOUS));
  }

  @Test
  void shouldBeAmbiguousWhenTheCommandTimesOutWhileRunning() {
    stub.on("SendCommand", sent());
    stub.on("GetCommandInvocation", invocation("TimedOut", "ExecutionTimedOut", -1, ""));

    assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, GPU, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AMBIGUOUS));
  }

  @Test
  void shouldBeTransientWhenTheCommandWasNeverDelivered() {
    stub.on("SendCommand", sent());
    stub.on("GetCommandInvocation", invocation("TimedOut", "DeliveryTimedOut", -1, ""));

    assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, GPU, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
  }

  @Test
  void shouldKeepPollingThroughTransientPollErrors() {
    stub.on("SendCommand", sent());
    stub.on(
        "GetCommandInvocation",
        Reply.jsonError(400, "ThrottlingException", "Rate exceeded"),
        Reply.jsonError(400, "ThrottlingException", "Rate exceeded"),
        Reply.jsonError(400, "ThrottlingException", "Rate exceeded"),
        invocation("Success", "Success", 0, ""));

    actuator().resetGpu(INSTANCE, GPU, OP);

    assertThat(stub.requests("GetCommandInvocation")).hasSize(4);
  }

  @Test
  void shouldFailTransientlyAfterBoundedRetriesWhenSsmThrottlesTheSend() {
    stub.on("SendCommand", Reply.jsonError(400, "ThrottlingException", "Rate exceeded"));

    assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, GPU, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("ThrottlingException")
        .hasMessageContaining("SendCommand");
    assertThat(stub.requests("SendCommand")).hasSize(3);
    assertThat(stub.requests("GetCommandInvocation")).isEmpty();
  }

  @Test
  void shouldFailPermanentlyWhenSsmDoesNotManageTheInstance() {
    stub.on("SendCommand", Reply.jsonError(400, "InvalidInstanceId", "not a managed instance"));

    assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, GPU, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT))
        .hasMessageContaining("InvalidInstanceId");
    assertThat(stub.requests("SendCommand")).hasSize(1);
  }

  @Test
  void shouldFailTransientlyWhenSsmAnswers500() {
    stub.on("SendCommand", Reply.jsonError(500, "InternalServerError", "boom"));

    assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, GPU, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
    assertThat(stub.requests("SendCommand")).hasSize(3);
  }

  @Test
  void shouldRejectAMaliciousGpuArgumentBeforeAnyRequest() {
    for (String bad :
        new String[] {
          "0; rm -rf /",
          "$(reboot)",
          "`id`",
          "GPU-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d; rm -rf /",
          "GPU-1a2b3c4d 5e6f 7a8b 9c0d 1e2f3a4b5c6d",
          "MIG-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
          "64",
          "-1",
          "0\n",
          "",
          null
        }) {
      assertThatThrownBy(() -> actuator().resetGpu(INSTANCE, bad, OP))
          .as("gpu %s", bad)
          .isInstanceOfSatisfying(
              ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT));
    }
    assertThat(stub.requests()).isEmpty();
  }

  // ---------------------------------------------------------------- GPU reset history

  private static String command(String id, String gpu, String op, String status) {
    return "{\"CommandId\":\""
        + id
        + "\",\"DocumentName\":\"gpuward-gpu-reset\",\"Comment\":\"gpuward reset-gpu op="
        + op
        + "\",\"Parameters\":{\"gpu\":[\""
        + gpu
        + "\"],\"executionTimeout\":[\"60\"]},\"InstanceIds\":[\""
        + INSTANCE
        + "\"],\"Status\":\""
        + status
        + "\",\"StatusDetails\":\""
        + status
        + "\"}";
  }

  private static Reply commands(String nextToken, String... commands) {
    return Reply.json(
        "{\"Commands\":["
            + String.join(",", commands)
            + "]"
            + (nextToken == null ? "" : ",\"NextToken\":\"" + nextToken + "\"")
            + "}");
  }

  @Test
  void shouldFindAGpuResetInTheSsmCommandHistoryByItsOperation() throws Exception {
    Instant since = Instant.parse("2026-11-24T10:00:00.250Z");
    stub.on(
        "ListCommands",
        commands("page-2", command("cmd-8", GPU, "op-other", "Success")),
        commands(
            null,
            command("cmd-9", "GPU-ffffffff-5e6f-7a8b-9c0d-1e2f3a4b5c6d", OP, "Success"),
            command("cmd-10", GPU, OP, "Success")));

    var trace = actuator().gpuResetTrace(INSTANCE, GPU, OP, since);

    assertThat(trace.state()).isEqualTo(CommandTrace.State.SUCCEEDED);
    assertThat(trace.detail()).contains("cmd-10").contains(INSTANCE);
    var pages = stub.requests("ListCommands");
    assertThat(pages).hasSize(2);
    assertThat(pages.get(0).header("X-Amz-Target")).isEqualTo("AmazonSSM.ListCommands");
    JsonNode first = JSON.readTree(pages.get(0).body());
    assertThat(first.get("InstanceId").asText()).isEqualTo(INSTANCE);
    assertThat(first.get("MaxResults").asInt()).isEqualTo(50);
    assertThat(first.get("Filters").get(0).get("key").asText()).isEqualTo("InvokedAfter");
    assertThat(first.get("Filters").get(0).get("value").asText()).isEqualTo("2026-11-24T09:59:00Z");
    assertThat(first.has("NextToken")).isFalse();
    assertThat(JSON.readTree(pages.get(1).body()).get("NextToken").asText()).isEqualTo("page-2");
  }

  @Test
  void shouldMapTheCommandStatusOfTheHistory() {
    Instant since = Instant.parse("2026-11-24T10:00:00Z");
    var expected =
        List.of(
            Map.entry("Pending", CommandTrace.State.IN_PROGRESS),
            Map.entry("InProgress", CommandTrace.State.IN_PROGRESS),
            Map.entry("Success", CommandTrace.State.SUCCEEDED),
            Map.entry("Failed", CommandTrace.State.FAILED),
            Map.entry("TimedOut", CommandTrace.State.FAILED),
            Map.entry("Cancelled", CommandTrace.State.FAILED),
            Map.entry("none", CommandTrace.State.NOT_SENT));
    for (var c : expected) {
      stub.on(
          "ListCommands",
          c.getKey().equals("none")
              ? commands(null)
              : commands(null, command("cmd-1", GPU, OP, c.getKey())));
    }
    for (var c : expected) {
      assertThat(actuator().gpuResetTrace(INSTANCE, GPU, OP, since).state())
          .as(c.getKey())
          .isEqualTo(c.getValue());
    }
  }

  @Test
  void shouldNotTakeAnotherDocumentsCommandForItsReset() {
    String shell =
        command("cmd-3", GPU, OP, "Success")
            .replace("gpuward-gpu-reset", "AWS-RunShellScript")
            .replace("\"gpu\":", "\"commands\":");
    stub.on("ListCommands", commands(null, shell));
    var trace = actuator().gpuResetTrace(INSTANCE, GPU, OP, Instant.parse("2026-11-24T10:00:00Z"));
    assertThat(trace.state()).isEqualTo(CommandTrace.State.NOT_SENT);
    assertThat(trace.detail()).contains("gpuward-gpu-reset gpu=" + GPU);
  }

  @Test
  void shouldResetAGpuByItsPciBusId() throws Exception {
    stub.on("SendCommand", sent());
    stub.on("GetCommandInvocation", invocation("Success", "Success", 0, ""));
    actuator().resetGpu(INSTANCE, "00000000:53:00.0", OP);
    JsonNode body = JSON.readTree(stub.requests("SendCommand").get(0).body());
    assertThat(body.get("Parameters").get("gpu").get(0).asText()).isEqualTo("00000000:53:00.0");
  }

  @Test
  void shouldRefuseAnAwsOwnedDocumentThatRunsAnyCommand() {
    for (String doc :
        List.of(
            "AWS-RunShellScript",
            "arn:aws:ssm:us-east-1:123456789012:document/AWS-RunShellScript",
            "a b")) {
      assertThatThrownBy(() -> Settings.DEFAULTS.withSsmDocument(doc))
          .as(doc)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(Settings.DEFAULTS.withSsmDocument("my-gpu-reset").ssmDocument())
        .isEqualTo("my-gpu-reset");
  }

  @Test
  void shouldSayUnknownWhenTheHistoryCannotBeRead() {
    stub.on(
        "ListCommands",
        Reply.jsonError(400, "AccessDeniedException", "not authorized to ssm:ListCommands"));
    var trace = actuator().gpuResetTrace(INSTANCE, GPU, OP, Instant.parse("2026-11-24T10:00:00Z"));
    assertThat(trace.state()).isEqualTo(CommandTrace.State.UNKNOWN);
    assertThat(trace.detail()).contains("ListCommands").contains("not authorized");
    // A malformed argument is not looked up at all.
    assertThat(
            actuator()
                .gpuResetTrace(INSTANCE, "0; reboot", OP, Instant.parse("2026-11-24T10:00:00Z"))
                .state())
        .isEqualTo(CommandTrace.State.UNKNOWN);
    assertThat(stub.requests("ListCommands")).hasSize(1);
  }

  @Test
  void shouldBeAmbiguousWhenInterruptedWhileWaiting() {
    stub.on("SendCommand", sent());
    AwsCloudActuator a =
        new AwsCloudActuator(
            clients,
            Settings.DEFAULTS,
            clock,
            d -> {
              throw new InterruptedException("shutdown");
            });

    try {
      assertThatThrownBy(() -> a.resetGpu(INSTANCE, GPU, OP))
          .isInstanceOfSatisfying(
              ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AMBIGUOUS));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
