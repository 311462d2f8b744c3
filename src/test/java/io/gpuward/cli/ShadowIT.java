package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import io.gpuward.backtest.AuditDiff;
import io.gpuward.backtest.Shadow;
import io.gpuward.backtest.ShadowDiff;
import io.gpuward.backtest.ShadowStreams;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.ControlCommands;
import io.gpuward.remediation.OperationIds;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SampleRecords;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow remediator with a tighter global budget beside the live one, on the real broker: it
 * never touches the cluster, writes only its own audit, rebuilds its ledger from it, and the diff
 * of the two audits shows the drain the tighter budget holds back.
 */
class ShadowIT {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final List<String> NODES = List.of("p5-train-2", "p5-train-3");

  @TempDir Path dir;

  @Test
  void shouldShowTheDrainATighterGlobalBudgetHoldsBackWithoutTouchingTheCluster() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("shadow") + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(props)) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    var clock = new ManualClock(T0);
    var cluster = cluster(clock);
    Planner live = new Planner(RemediationPolicy.load(policy("live-1", 20)));
    Planner tight = new Planner(RemediationPolicy.load(policy("tight-1", 1)));
    String group = TestNames.unique("remediator");
    publishInventory(props, topics, cluster);
    String first = NODES.get(0);
    String second = NODES.get(1);
    try (var liveService =
            new RemediatorService(
                props,
                topics,
                a -> new Remediation(live, cluster, cluster, a, clock, false, meters()),
                group);
        var shadow = shadow(props, topics, tight, clock, group)) {
      liveService.start();
      shadow.start();
      publish(props, topics, verdict(first, VerdictState.OPEN, T0));
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            assertThat(cluster.reboots()).isEqualTo(1);
            assertThat(outcome(shadow, first, RemediationAction.REBOOT))
                .contains(Outcome.SUCCEEDED);
          });
      clock.set(T0.plusSeconds(12));
      publish(props, topics, verdict(second, VerdictState.OPEN, T0.plusSeconds(12)));
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            assertThat(cluster.reboots()).isEqualTo(2);
            assertThat(outcome(shadow, second, RemediationAction.DRAIN)).contains(Outcome.SKIPPED);
          });
      clock.set(T0.plusSeconds(90)); // the first node's reboot is verified: budget frees
      publish(props, topics, verdict(first, VerdictState.CLEARED, T0.plusSeconds(90)));
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            assertThat(outcome(shadow, second, RemediationAction.REBOOT))
                .contains(Outcome.SUCCEEDED);
            assertThat(liveService.caughtUp()).isTrue();
            assertThat(shadow.caughtUp()).isTrue();
          });
    }
    assertThat(cluster.reboots()).as("only the live remediator rebooted").isEqualTo(2);

    ShadowDiff.Result diff = diff(props, topics);
    System.out.println(BacktestText.renderShadow(diff, Duration.ZERO));
    assertThat(diff.diff().candidatePolicy()).isEqualTo("tight-1");
    assertThat(diff.diff().livePolicies()).containsExactly("live-1");
    assertThat(diff.diff().changes())
        .filteredOn(c -> c.action() == RemediationAction.DRAIN)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.kind()).isEqualTo(AuditDiff.Kind.MOVED);
              assertThat(c.node()).isEqualTo(second);
              assertThat(c.shift()).isEqualTo(Duration.ofSeconds(78));
            });
    assertThat(diff.diff().changes())
        .allSatisfy(c -> assertThat(c.kind()).isEqualTo(AuditDiff.Kind.MOVED));
    assertThat(diff.diff().peaks())
        .filteredOn(p -> p.scope().equals("global"))
        .singleElement()
        .satisfies(p -> assertThat(p.live()).isEqualTo(2))
        .satisfies(p -> assertThat(p.backtest()).isEqualTo(1));

    try (var restarted = shadow(props, topics, tight, clock, group)) {
      restarted.start();
      assertThat(restarted.remediation().ledger().entry(drainOf(second)).orElseThrow().at())
          .as("the shadow's ledger comes from the shadow audit, where that drain ran at +90 s")
          .isEqualTo(T0.plusSeconds(90));
    }
  }

  private static ShadowDiff.Result diff(Map<String, Object> props, Topics topics) {
    try (ShadowStreams s = ShadowStreams.open(props, topics, null)) {
      s.readToEnd(Duration.ofSeconds(20));
      assertThat(s.shadow())
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.getDryRun()).isTrue())
          .allSatisfy(r -> assertThat(r.getPolicyVersion()).isEqualTo("tight-1"));
      assertThat(s.live())
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.getPolicyVersion()).isEqualTo("live-1"));
      return ShadowDiff.compare(
          s.verdicts(),
          s.live(),
          s.shadow(),
          null,
          T0.plusSeconds(120),
          Duration.ofSeconds(10),
          Duration.ZERO);
    }
  }

  private static Optional<Outcome> outcome(
      RemediatorService service, String node, RemediationAction action) {
    return service.remediation().ledger().outcome(OperationIds.of(node, "v-" + node, action, 1));
  }

  private static String drainOf(String node) {
    return OperationIds.of(node, "v-" + node, RemediationAction.DRAIN, 1);
  }

  private static RemediatorService shadow(
      Map<String, Object> props, Topics topics, Planner tight, ManualClock clock, String group) {
    return Shadow.service(
        props,
        topics,
        tight,
        clock,
        group,
        meters(),
        ControlCommands.Limits.DEFAULTS,
        Optional.empty());
  }

  private static SimpleMeterRegistry meters() {
    return new SimpleMeterRegistry();
  }

  private static SimulatedCluster cluster(ManualClock clock) {
    var types = InstanceTypeCatalog.load();
    var cluster =
        new SimulatedCluster(
            clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(100));
    DefaultFleet.populate(cluster, types, T0);
    return cluster;
  }

  /**
   * The shipped policy acting at once, with a global limit of {@code global}, no percents and no
   * cordon ceiling: two nodes of inventory make every percent a limit of one.
   */
  private Path policy(String version, int global) throws IOException {
    String builtIn;
    try (var in = RemediationPolicy.class.getResourceAsStream(RemediationPolicy.RESOURCE)) {
      builtIn = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path file = dir.resolve(version + ".yaml");
    String budget =
        "{maxConcurrent: %d, maxConcurrentPercent: 0, maxPerHour: 0, maxPerHourPercent: 0}";
    Files.writeString(
        file,
        builtIn
            .replaceFirst("(?m)^version:.*$", "version: " + version)
            .replaceFirst("(?m)^correlationSettle:.*$", "correlationSettle: 0s")
            .replaceFirst("(?m)^  global: \\{max: .*$", "  global: {max: 0, maxPercent: 0}")
            .replaceFirst("(?m)^  nodegroup: \\{max: .*$", "  nodegroup: {max: 0, maxPercent: 0}")
            .replaceFirst(
                "(?m)^  global: \\{maxConcurrent.*$", "  global: " + budget.formatted(global))
            .replaceFirst(
                "(?m)^  nodegroup: \\{maxConcurrent.*$", "  nodegroup: " + budget.formatted(2))
            .replaceFirst("(?m)^  zone: \\{maxConcurrent.*$", "  zone: " + budget.formatted(5)));
    return file;
  }

  /**
   * Inventory of the two nodes, as the watcher publishes it: what the shadow's world is built from.
   */
  private static void publishInventory(
      Map<String, Object> props, Topics topics, SimulatedCluster cluster) throws Exception {
    try (var producer = producer(props)) {
      for (String node : NODES) {
        NodeInventory inv =
            NodeInventory.newBuilder(SampleRecords.nodeInventory())
                .setNode(node)
                .setInstanceId(cluster.node(node).orElseThrow().instanceId())
                .setUpdatedAt(T0)
                .build();
        byte[] value =
            topics.inventory.valueSerde().serializer().serialize(topics.inventory.name(), inv);
        producer.send(new ProducerRecord<>(topics.inventory.name(), node, value)).get();
      }
    }
  }

  private static FaultVerdict verdict(String node, VerdictState state, Instant at) {
    return FaultVerdict.newBuilder(SampleRecords.faultVerdict())
        .setVerdictId("v-" + node)
        .setNode(node)
        .setInstanceId(null)
        .setFaultClass(FaultClass.GPU_LOST)
        .setRecommendedAction(RemediationAction.REBOOT)
        .setState(state)
        .setDetectedAt(at.isAfter(T0.plusSeconds(12)) ? T0 : at)
        .setUpdatedAt(at)
        .setValidUntil(T0.plusSeconds(600))
        .build();
  }

  private static void publish(Map<String, Object> props, Topics topics, FaultVerdict v)
      throws Exception {
    try (var producer = producer(props)) {
      byte[] value = topics.verdicts.valueSerde().serializer().serialize(topics.verdicts.name(), v);
      producer.send(new ProducerRecord<>(topics.verdicts.name(), v.getNode(), value)).get();
    }
  }

  private static KafkaProducer<String, byte[]> producer(Map<String, Object> props) {
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
