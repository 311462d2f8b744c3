package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.FaultClasses;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remediator on the real broker: acts, audits, and after a restart never repeats a step. */
class RemediatorServiceIT {
  static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  @Test
  void shouldNotRepeatFinishedStepsAfterARestartAndReplay() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("remediate") + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    var types = InstanceTypeCatalog.load();
    var clock = new ManualClock(T0);
    var cluster = new SimulatedCluster(clock);
    DefaultFleet.populate(cluster, types, T0);
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
    String group = TestNames.unique("remediator");
    var planner = new Planner(RemediationPolicy.load());
    var meters = new SimpleMeterRegistry();
    FaultVerdict thermal = verdict("p5-train-5", FaultClass.GPU_THERMAL, RemediationAction.CORDON);

    try (var producer =
        new KafkaProducer<>(
            props, new StringSerializer(), topics.verdicts.valueSerde().serializer())) {
      try (var first =
          new RemediatorService(
              props,
              topics,
              a -> new Remediation(planner, cluster, cluster, a, clock, false, meters),
              group)) {
        first.start();
        producer
            .send(new ProducerRecord<>(topics.verdicts.name(), thermal.getNode(), thermal))
            .get();
        Eventually.await(
            Duration.ofSeconds(30),
            () -> assertThat(cluster.node("p5-train-5").orElseThrow().unschedulable()).isTrue());
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(first.idle()).isTrue());
      }
      // A fresh remediator (a restart) sees the same verdict again, e.g. replayed upstream.
      try (var second =
          new RemediatorService(
              props,
              topics,
              a -> new Remediation(planner, cluster, cluster, a, clock, false, meters),
              group)) {
        second.start();
        assertThat(
                second
                    .remediation()
                    .ledger()
                    .finished(
                        OperationIds.of("p5-train-5", "v-thermal", RemediationAction.CORDON, 1)))
            .as("ledger rebuilt from the audit topic")
            .isTrue();
        producer
            .send(new ProducerRecord<>(topics.verdicts.name(), thermal.getNode(), thermal))
            .get();
        FaultVerdict marker =
            verdict("cache-warm-0", FaultClass.IMAGE_INSTANCE_MISMATCH, RemediationAction.ESCALATE);
        producer.send(new ProducerRecord<>(topics.verdicts.name(), marker.getNode(), marker)).get();
        List<RemediationRecord> audit = readAudit(bootstrap, topics, 1 + 4);
        assertThat(audit)
            .filteredOn(r -> r.getAction() == RemediationAction.CORDON)
            .extracting(RemediationRecord::getOutcome)
            .containsExactly(Outcome.PLANNED, Outcome.STARTED, Outcome.SUCCEEDED);
        assertThat(audit)
            .anySatisfy(r -> assertThat(r.getAction()).isEqualTo(RemediationAction.ESCALATE));
      }
    }
  }

  /**
   * A policy file allowing one disruption per hour in a node group: the second node's drain is
   * refused, also by a remediator restarted mid-hour, which rebuilds the hour from the audit.
   */
  @Test
  void shouldRunAPolicyFileAndKeepTheHoursBudgetAcrossARestart(@TempDir Path dir) throws Exception {
    String builtIn;
    try (var in = RemediationPolicy.class.getResourceAsStream(RemediationPolicy.RESOURCE)) {
      builtIn = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path file = dir.resolve("policy.yaml");
    Files.writeString(
        file,
        builtIn
            .replaceFirst("(?m)^version:.*$", "version: site-1")
            .replaceFirst("(?m)^correlationSettle:.*$", "correlationSettle: 0s")
            .replaceFirst(
                "(?m)^  nodegroup: \\{maxConcurrent.*$",
                "  nodegroup: {maxConcurrent: 0, maxConcurrentPercent: 0, maxPerHour: 1,"
                    + " maxPerHourPercent: 0}"));
    var planner = new Planner(RemediationPolicy.load(file));
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("policy") + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    var types = InstanceTypeCatalog.load();
    var clock = new ManualClock(T0);
    var cluster =
        new SimulatedCluster(
            clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(100));
    DefaultFleet.populate(cluster, types, T0);
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
    String group = TestNames.unique("remediator");
    var meters = new SimpleMeterRegistry();
    try (var producer =
        new KafkaProducer<>(
            props, new StringSerializer(), topics.verdicts.valueSerde().serializer())) {
      FaultVerdict first = verdict("p5-train-2", FaultClass.GPU_LOST, RemediationAction.REBOOT);
      try (var remediator =
          new RemediatorService(
              props,
              topics,
              a -> new Remediation(planner, cluster, cluster, a, clock, false, meters),
              group)) {
        remediator.start();
        producer.send(new ProducerRecord<>(topics.verdicts.name(), first.getNode(), first)).get();
        Eventually.await(
            Duration.ofSeconds(30),
            () ->
                assertThat(
                        remediator
                            .remediation()
                            .ledger()
                            .finished(
                                OperationIds.of(
                                    "p5-train-2", "v-p5-train-2", RemediationAction.DRAIN, 1)))
                    .isTrue());
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(remediator.idle()).isTrue());
      }
      clock.set(T0.plusSeconds(1800)); // restarted half an hour later
      try (var restarted =
          new RemediatorService(
              props,
              topics,
              a -> new Remediation(planner, cluster, cluster, a, clock, false, meters),
              group)) {
        restarted.start();
        FaultVerdict second =
            FaultVerdict.newBuilder(
                    verdict("p5-train-3", FaultClass.GPU_LOST, RemediationAction.REBOOT))
                .setDetectedAt(T0.plusSeconds(1800))
                .setValidUntil(T0.plusSeconds(3600))
                .build();
        producer.send(new ProducerRecord<>(topics.verdicts.name(), second.getNode(), second)).get();
        FaultVerdict marker =
            verdict("cache-warm-0", FaultClass.IMAGE_INSTANCE_MISMATCH, RemediationAction.ESCALATE);
        producer.send(new ProducerRecord<>(topics.verdicts.name(), marker.getNode(), marker)).get();
        List<RemediationRecord> audit =
            readAudit(
                bootstrap,
                topics,
                r -> r.getNode().equals("p5-train-3") && r.getAction() == RemediationAction.DRAIN);
        assertThat(audit).allSatisfy(r -> assertThat(r.getPolicyVersion()).isEqualTo("site-1"));
        assertThat(audit)
            .filteredOn(r -> r.getNode().equals("p5-train-3"))
            .filteredOn(r -> r.getAction() == RemediationAction.DRAIN)
            .singleElement()
            .satisfies(
                r -> {
                  assertThat(r.getOutcome()).isEqualTo(Outcome.SKIPPED);
                  assertThat(r.getDetail())
                      .contains("1 disruption(s) started in nodegroup:p5-train in the last hour");
                });
      }
    }
  }

  private static List<RemediationRecord> readAudit(String bootstrap, Topics topics, int atLeast) {
    List<RemediationRecord> out =
        readAudit(bootstrap, topics, r -> r.getAction() == RemediationAction.ESCALATE);
    assertThat(out).hasSizeGreaterThanOrEqualTo(atLeast);
    return out;
  }

  /** The audit topic from the start until a record matches {@code last}. */
  static List<RemediationRecord> readAudit(
      String bootstrap, Topics topics, Predicate<RemediationRecord> last) {
    List<RemediationRecord> out = new ArrayList<>();
    try (var c =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                TestNames.unique("audit-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            topics.audit.valueSerde().deserializer())) {
      c.subscribe(List.of(topics.audit.name()));
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            assertThat(out).anyMatch(last);
          });
    }
    return out;
  }

  /**
   * A configuration verdict (the tests' end marker) names no node group: nothing publishes an
   * inventory for its node here, and the remediator would wait for one to place it.
   */
  static FaultVerdict verdict(String node, FaultClass c, RemediationAction a) {
    String id = c == FaultClass.GPU_THERMAL ? "v-thermal" : "v-" + node;
    return FaultVerdict.newBuilder(PlannerTest.verdict(c, a, VerdictState.OPEN))
        .setNodegroup(FaultClasses.isConfiguration(c) ? null : "p5-train")
        .setVerdictId(id)
        .setNode(node)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plusSeconds(600))
        .build();
  }
}
