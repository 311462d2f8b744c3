package io.gpuward.sim.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.gpuward.aws.AwsClients;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.aws.AwsCloudActuator;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.sim.ClusterAction;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.Injection;
import io.gpuward.sim.InstanceView;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.watch.AwsCloud;
import io.gpuward.watch.CloudInstance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/**
 * gpuward's production AWS code (the watcher's {@link AwsCloud}, the remediator's {@link
 * AwsCloudActuator}) against {@link AwsWorldServer} serving a real {@link SimulatedCluster} built
 * by the fleet simulator from a small scenario. Pages hold at most 2 items, so every list the
 * clients read takes several pages.
 */
class AwsWorldServerTest {

  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final String CLUSTER = "gpuward-sim";
  private static final String SCENARIO =
      """
      name: aws-world
      seed: 7
      duration: 5m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 3, zone: us-east-1a}
        - {name: g5-infer, instanceType: g5.2xlarge, image: al2023-nvidia, count: 2, zone: us-east-1b}
        - {name: cache-warm, instanceType: m5.large, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 1, zone: us-east-1a}
      """;

  private final ManualClock clock = new ManualClock(T0);
  private SimulatedCluster cluster;
  private AwsWorldServer server;
  private AwsClients clients;

  @BeforeEach
  void start() {
    cluster =
        new SimulatedCluster(clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(16));
    InstanceTypeCatalog catalog = InstanceTypeCatalog.load();
    FleetSimulator sim =
        new FleetSimulator(
            ScenarioLoader.parse(SCENARIO, catalog), catalog, cluster, TelemetrySink.NONE, T0);
    sim.advanceTo(T0);
    server = AwsWorldServer.start(cluster, AwsWorldServer.Settings.DEFAULTS.withMaxPage(2));
    clients =
        AwsClients.create(
            Region.US_EAST_1,
            server.endpoint(),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSIM", "any")),
            AwsClients.Settings.DEFAULTS.withMaxAttempts(1));
  }

  @AfterEach
  void stop() {
    clients.close();
    server.close();
  }

  private Map<String, CloudInstance> watch() {
    return new AwsCloud(clients, CLUSTER)
        .instances().stream()
            .collect(Collectors.toMap(CloudInstance::privateDnsName, Function.identity()));
  }

  private String instanceOf(String node) {
    return cluster.instances().stream()
        .filter(i -> i.node().equals(node) && !i.state().equals("TERMINATED"))
        .map(InstanceView::instanceId)
        .findFirst()
        .orElseThrow();
  }

  private AwsCloudActuator actuator(String eksCluster) {
    return new AwsCloudActuator(
        clients,
        AwsCloudActuator.Settings.DEFAULTS,
        clock,
        d -> clock.advance(d), // a poll waits in simulated time, not on the wall
        eksCluster);
  }

  @Test
  void shouldDescribeEveryInstanceWithImageNodeGroupAndSsmStatusToTheWatcher() {
    Map<String, CloudInstance> seen = watch();

    assertThat(seen).hasSize(6);
    CloudInstance p5 = seen.get("p5-train-1");
    assertThat(p5.instanceId()).isEqualTo(instanceOf("p5-train-1"));
    assertThat(p5.instanceType()).isEqualTo("p5.48xlarge");
    assertThat(p5.state()).isEqualTo("running");
    assertThat(p5.imageName()).isEqualTo("bottlerocket-aws-k8s-1.32-nvidia-x86_64");
    assertThat(p5.amiId()).startsWith("ami-0");
    assertThat(p5.zone()).isEqualTo("us-east-1a");
    assertThat(p5.nodegroup()).isEqualTo("p5-train");
    assertThat(p5.asgName()).isEqualTo("eks-p5-train-asg");
    assertThat(p5.asgLifecycle()).isEqualTo("InService");
    assertThat(p5.ssmPingStatus()).isEqualTo("Online");
    assertThat(seen.get("g5-infer-1").imageName()).isEqualTo("al2023-nvidia");
    assertThat(seen.get("g5-infer-1").ssmPingStatus()).isEqualTo("Online"); // SSM's third page
    CloudInstance neverBooted = seen.get("cache-warm-0");
    assertThat(neverBooted.state()).isEqualTo("running");
    assertThat(neverBooted.live()).isTrue();
    assertThat(neverBooted.imageName()).isEqualTo("bottlerocket-aws-k8s-1.32-nvidia-x86_64");
    assertThat(neverBooted.ssmPingStatus()).isEqualTo(CloudInstance.SSM_NOT_REGISTERED);
    assertThat(neverBooted.asgLifecycle()).isEqualTo("InService"); // Auto Scaling's second page
  }

  @Test
  void shouldPageDescribeInstancesWithNextToken() {
    List<String> ids = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String page = token;
      DescribeInstancesResponse r =
          clients.ec2().describeInstances(b -> b.maxResults(5).nextToken(page));
      r.reservations().forEach(res -> res.instances().forEach(i -> ids.add(i.instanceId())));
      token = r.nextToken();
      pages++;
    } while (token != null);

    assertThat(pages).isEqualTo(3);
    assertThat(ids)
        .doesNotHaveDuplicates()
        .containsExactlyElementsOf(
            cluster.instances().stream().map(InstanceView::instanceId).toList());
  }

  @Test
  void shouldFilterInstancesByStateAndTag() {
    var r =
        clients
            .ec2()
            .describeInstances(
                b ->
                    b.filters(
                        f -> f.name("tag:eks:nodegroup-name").values("g5-*"),
                        f -> f.name("instance-state-name").values("running")));

    assertThat(r.reservations().stream().flatMap(res -> res.instances().stream()))
        .extracting(i -> i.privateDnsName())
        .containsExactlyInAnyOrder("g5-infer-0", "g5-infer-1");
    assertThat(r.nextToken()).isNull();
  }

  @Test
  void shouldRebootTheSimulatedNodeThroughRebootInstances() {
    String id = instanceOf("p5-train-1");
    String bootBefore = cluster.node("p5-train-1").orElseThrow().bootId();

    actuator(null).reboot(id, "op-reboot-1");

    assertThat(cluster.reboots()).isEqualTo(1);
    assertThat(cluster.actions())
        .extracting(ClusterAction::action, ClusterAction::target, ClusterAction::outcome)
        .contains(tuple("REBOOT", id, "ACCEPTED"));
    assertThat(cluster.node("p5-train-1").orElseThrow().ready()).isFalse();
    assertThat(watch().get("p5-train-1").ssmPingStatus()).isEqualTo("ConnectionLost");

    clock.advance(cluster.settings().rebootDuration());
    assertThat(cluster.node("p5-train-1").orElseThrow().bootId()).isNotEqualTo(bootBefore);
    assertThat(watch().get("p5-train-1").ssmPingStatus()).isEqualTo("Online");
  }

  @Test
  void shouldReplaceThroughTheNodeGroupsAutoScalingGroupKeepingCapacity() {
    String id = instanceOf("p5-train-2");
    AwsCloudActuator aws = actuator(CLUSTER);
    String asg = aws.autoScalingGroupOf("p5-train").orElseThrow();

    aws.replace(id, asg, "op-replace-1");
    aws.replace(id, asg, "op-replace-1"); // a retry sees the instance terminated and does nothing

    assertThat(asg).isEqualTo("eks-p5-train-asg");
    assertThat(cluster.replacements()).isEqualTo(1);
    assertThat(cluster.node("p5-train-2")).isEmpty();
    Map<String, CloudInstance> seen =
        new AwsCloud(clients, CLUSTER)
            .instances().stream()
                .collect(Collectors.toMap(CloudInstance::instanceId, Function.identity()));
    assertThat(seen.get(id).state()).isEqualTo("terminated");
    assertThat(seen.get(id).gone()).isTrue();
    assertThat(seen.get(instanceOf("p5-train-3")).state()).isEqualTo("pending");
    assertThat(seen.get(instanceOf("p5-train-3")).asgLifecycle()).isEqualTo("Pending");

    clock.advance(cluster.settings().replaceDuration());
    assertThat(watch().get("p5-train-3").ssmPingStatus()).isEqualTo("Online");
    assertThat(cluster.node("p5-train-3")).isPresent();
  }

  @Test
  void shouldReplaceThroughTheGroupsHealthCheckWhenMarkedUnhealthy() {
    String id = instanceOf("g5-infer-1");
    AwsCloudActuator aws =
        new AwsCloudActuator(
            clients,
            AwsCloudActuator.Settings.DEFAULTS.withReplaceMode(
                AwsCloudActuator.ReplaceMode.SET_UNHEALTHY),
            clock,
            d -> clock.advance(d),
            null);

    aws.replace(id, null, "op-replace-2");

    assertThat(cluster.replacements()).isEqualTo(1);
    assertThat(cluster.node("g5-infer-1")).isEmpty();
    assertThat(cluster.instances())
        .extracting(InstanceView::node, InstanceView::state)
        .contains(tuple("g5-infer-1", "TERMINATED"), tuple("g5-infer-2", "PENDING"));
  }

  @Test
  void shouldResetAGpuThroughSsmAndWaitForTheSimulatedResetToFinish() {
    String id = instanceOf("g5-infer-0");
    cluster.cordon("g5-infer-0", "op-cordon-1");
    assertThat(cluster.drain("g5-infer-0", Duration.ZERO).complete()).isTrue();
    Instant sent = clock.instant();

    actuator(null).resetGpu(id, "0", "op-reset-1");

    assertThat(cluster.gpuResets()).isEqualTo(1);
    assertThat(clock.instant()).isAfterOrEqualTo(sent.plus(cluster.settings().gpuResetDuration()));
    CommandTrace trace = actuator(null).gpuResetTrace(id, "0", "op-reset-1", sent);
    assertThat(trace.state()).isEqualTo(CommandTrace.State.SUCCEEDED);
    assertThat(actuator(null).gpuResetTrace(id, "0", "op-other", sent).state())
        .isEqualTo(CommandTrace.State.NOT_SENT);
  }

  @Test
  void shouldFailTheResetCommandOnANodeThatWasNotDrained() {
    String id = instanceOf("p5-train-0");

    assertThatThrownBy(() -> actuator(null).resetGpu(id, "3", "op-reset-2"))
        .isInstanceOf(ActuatorException.class)
        .hasMessageContaining("node not drained")
        .extracting(e -> ((ActuatorException) e).kind())
        .isEqualTo(ActuatorException.Kind.PERMANENT);
    assertThat(cluster.gpuResets()).isZero();
  }

  @Test
  void shouldRefuseACommandToAnInstanceWhoseAgentNeverRegistered() {
    String id = instanceOf("cache-warm-0");

    assertThatThrownBy(() -> actuator(null).resetGpu(id, "0", "op-reset-3"))
        .isInstanceOf(ActuatorException.class)
        .hasMessageContaining("InvalidInstanceId")
        .extracting(e -> ((ActuatorException) e).kind())
        .isEqualTo(ActuatorException.Kind.PERMANENT);
  }

  @Test
  void shouldRunDiagnosticsThroughSsmAndReadTheirPassFromDcgmisDocument() {
    String id = instanceOf("p5-train-1");
    Instant sent = clock.instant();

    actuator(null).runDiagnostics(id, 2, "op-diag-1");
    actuator(null).runDiagnostics(id, 2, "op-diag-1");

    assertThat(cluster.diagnostics().started()).isEqualTo(1);
    assertThat(actuator(null).diagnosticsTrace(id, "op-diag-1", sent).state())
        .isEqualTo(CommandTrace.State.IN_PROGRESS);
    clock.advance(Duration.ofSeconds(31));
    CommandTrace pass = actuator(null).diagnosticsTrace(id, "op-diag-1", sent);
    assertThat(pass.state()).isEqualTo(CommandTrace.State.SUCCEEDED);
    // p5.48xlarge: 8 GPUs, level 2: software, pcie, memory.
    assertThat(pass.detail()).contains("all 24 results pass (DCGM 4.2.3)");
    assertThat(actuator(null).diagnosticsTrace(id, "op-other", sent).state())
        .isEqualTo(CommandTrace.State.NOT_SENT);
  }

  @Test
  void shouldFailDiagnosticsOnTheInjectedGpuWithTheFailingTestInTheDetailOnce() {
    String id = instanceOf("g5-infer-0");
    cluster.diagnostics().failNext("g5-infer-0", new Injection.DiagFail(0, false));
    Instant sent = clock.instant();

    actuator(null).runDiagnostics(id, 1, "op-diag-2");
    clock.advance(Duration.ofSeconds(6));

    CommandTrace fail = actuator(null).diagnosticsTrace(id, "op-diag-2", sent);
    assertThat(fail.state()).isEqualTo(CommandTrace.State.FAILED);
    // Level 1 runs only the software test, which is what fails there.
    assertThat(fail.detail())
        .contains("exit code 226")
        .contains("test software failed on GPU 0: GPU 0: Found uncorrectable ECC errors");
    actuator(null).runDiagnostics(id, 2, "op-diag-3");
    clock.advance(Duration.ofSeconds(31));
    assertThat(actuator(null).diagnosticsTrace(id, "op-diag-3", sent).state())
        .isEqualTo(CommandTrace.State.SUCCEEDED);
  }

  @Test
  void shouldNameTheMemoryTestAndTheGpuOfALevelTwoFailure() {
    String id = instanceOf("p5-train-0");
    cluster.diagnostics().failNext("p5-train-0", new Injection.DiagFail(5, false));
    Instant sent = clock.instant();

    actuator(null).runDiagnostics(id, 2, "op-diag-5");
    clock.advance(Duration.ofSeconds(31));

    assertThat(actuator(null).diagnosticsTrace(id, "op-diag-5", sent).detail())
        .contains("test memory failed on GPU 5");
  }

  @Test
  void shouldKeepAHungRunInProgressUntilTheDocumentsTimeoutStopsIt() {
    String id = instanceOf("p5-train-2");
    cluster.diagnostics().failNext("p5-train-2", new Injection.DiagFail(3, true));
    Instant sent = clock.instant();

    actuator(null).runDiagnostics(id, 2, "op-diag-4");
    clock.advance(Duration.ofMinutes(9));
    assertThat(actuator(null).diagnosticsTrace(id, "op-diag-4", sent).state())
        .isEqualTo(CommandTrace.State.IN_PROGRESS);
    clock.advance(Duration.ofMinutes(2));
    CommandTrace stopped = actuator(null).diagnosticsTrace(id, "op-diag-4", sent);
    assertThat(stopped.state()).isEqualTo(CommandTrace.State.FAILED);
    assertThat(stopped.detail()).contains("ExecutionTimedOut");
  }

  @Test
  void shouldRefuseAnUnknownFilterWithEc2sErrorCode() {
    assertThatThrownBy(
            () -> clients.ec2().describeInstances(b -> b.filters(f -> f.name("owner-alias"))))
        .isInstanceOfSatisfying(
            Ec2Exception.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue");
            });
  }

  @Test
  void shouldAnswerAnUnknownOperationWithEachProtocolsErrorShapeAnd400() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI base = server.endpoint();

    HttpResponse<String> ec2 =
        http.send(form(base, "Action=RunInstances&Version=2016-11-15"), ofString());
    HttpResponse<String> asg =
        http.send(form(base, "Action=DeleteAutoScalingGroup&Version=2011-01-01"), ofString());
    HttpResponse<String> ssm =
        http.send(
            HttpRequest.newBuilder(base)
                .header("X-Amz-Target", "AmazonSSM.DeleteDocument")
                .header("Content-Type", "application/x-amz-json-1.1")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            ofString());
    HttpResponse<String> eks =
        http.send(
            HttpRequest.newBuilder(base.resolve("/clusters/x/addons")).GET().build(), ofString());

    assertThat(List.of(ec2.statusCode(), asg.statusCode(), ssm.statusCode(), eks.statusCode()))
        .containsOnly(400);
    assertThat(ec2.body()).startsWith("<Response><Errors><Error><Code>InvalidAction</Code>");
    assertThat(asg.body()).contains("<ErrorResponse").contains("<Code>InvalidAction</Code>");
    assertThat(ssm.body()).contains("\"__type\":\"UnknownOperationException\"");
    assertThat(eks.headers().firstValue("x-amzn-ErrorType")).contains("UnknownOperationException");
  }

  private static HttpRequest form(URI base, String body) {
    return HttpRequest.newBuilder(base)
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }
}
