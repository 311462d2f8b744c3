package io.gpuward.sim.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.aws.AwsClients;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.InstanceView;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.watch.AwsCloud;
import io.gpuward.watch.ScheduledEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * A scenario's {@code scheduled-event} as the watcher's {@link AwsCloud} reads it through the real
 * AWS SDK from {@link AwsWorldServer}, and the world carrying it out at NotBefore.
 */
class ScheduledEventsWorldTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final String SCENARIO =
      """
      name: scheduled
      seed: 7
      duration: 10m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 2, zone: us-east-1a}
      faults:
        - {at: 10s, node: p5-train-0, inject: scheduled-event, code: instance-retirement, in: 2m}
        - {at: 10s, node: p5-train-1, inject: scheduled-event, code: system-reboot, in: 1m}
      """;

  private final ManualClock clock = new ManualClock(T0);
  private SimulatedCluster cluster;
  private FleetSimulator sim;
  private AwsWorldServer server;
  private AwsCloud cloud;

  @BeforeEach
  void start() {
    cluster = new SimulatedCluster(clock, SimulatedCluster.Settings.defaults());
    InstanceTypeCatalog catalog = InstanceTypeCatalog.load();
    sim =
        new FleetSimulator(
            ScenarioLoader.parse(SCENARIO, catalog), catalog, cluster, TelemetrySink.NONE, T0);
    sim.advanceTo(T0);
    server = AwsWorldServer.start(cluster, AwsWorldServer.Settings.DEFAULTS);
    cloud =
        new AwsCloud(
            AwsClients.create(
                Region.US_EAST_1,
                server.endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSIM", "any")),
                AwsClients.Settings.DEFAULTS.withMaxAttempts(1)),
            "gpuward-sim");
  }

  @AfterEach
  void stop() {
    cloud.close();
    server.close();
  }

  private void advance(Duration d) {
    clock.advance(d);
    sim.advanceTo(clock.instant());
  }

  private List<ScheduledEvent> events() {
    return cloud.scheduledEvents(
        cluster.instances().stream().map(InstanceView::instanceId).toList());
  }

  private String instanceOf(String node) {
    return cluster.instances().stream()
        .filter(i -> i.node().equals(node))
        .map(InstanceView::instanceId)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldListTheScheduledEventsWithTheirWindowThroughDescribeInstanceStatus() {
    advance(Duration.ofSeconds(10));

    List<ScheduledEvent> events = events();

    assertThat(events)
        .extracting(ScheduledEvent::instanceId, ScheduledEvent::code, ScheduledEvent::notBefore)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                instanceOf("p5-train-0"), "instance-retirement", T0.plusSeconds(130)),
            org.assertj.core.groups.Tuple.tuple(
                instanceOf("p5-train-1"), "system-reboot", T0.plusSeconds(70)));
    assertThat(events).allSatisfy(e -> assertThat(e.state()).isEqualTo("scheduled"));
    assertThat(events)
        .filteredOn(e -> e.code().equals("system-reboot"))
        .singleElement()
        .satisfies(e -> assertThat(e.notAfter()).isEqualTo(T0.plusSeconds(70).plusSeconds(3600)));
  }

  @Test
  void shouldCarryOutTheEventsAtNotBeforeAndShowThemCompleted() {
    String retiring = instanceOf("p5-train-0");
    advance(Duration.ofSeconds(131));

    assertThat(events()).allSatisfy(e -> assertThat(e.state()).isEqualTo("completed"));
    assertThat(cluster.instances())
        .filteredOn(i -> i.instanceId().equals(retiring))
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo("TERMINATED"));
    assertThat(cluster.instances()).extracting(InstanceView::node).contains("p5-train-2");
  }
}
