package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.Severity;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.Readers;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code gpuward ctl} against a running remediator on the real broker. */
class CtlCommandIT {
  private record Result(int code, String out, String err) {}

  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private String bootstrap;
  private String prefix;
  private EmbeddedSchemaRegistry registry;
  private Topics topics;
  private SimulatedCluster cluster;
  private RemediatorService remediator;

  @BeforeEach
  void startRemediator() {
    bootstrap = SharedKafka.bootstrapServers();
    prefix = TestNames.unique("ctl") + ".";
    registry = EmbeddedSchemaRegistry.startInMemory();
    topics =
        new Topics(
            TopicCatalog.load(prefix).withPartitions(2),
            new AvroSerdes(new RegistryClient(registry.url()), true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    var types = InstanceTypeCatalog.load();
    var clock = new ManualClock(now);
    cluster = new SimulatedCluster(clock);
    DefaultFleet.populate(cluster, types, now);
    var planner = new Planner(RemediationPolicy.load());
    var meters = new SimpleMeterRegistry();
    remediator =
        new RemediatorService(
            Map.of("bootstrap.servers", bootstrap),
            topics,
            a -> new Remediation(planner, cluster, cluster, a, clock, false, meters),
            prefix + "remediator");
    remediator.start();
  }

  @AfterEach
  void stop() {
    if (remediator != null) {
      remediator.close();
    }
    registry.close();
  }

  @Test
  void shouldSkipAVerdictPausedByCtlAndActOnItAfterAResume() throws Exception {
    Result paused =
        ctl("pause", "nodegroup:p5-train", "--operator", "alice", "--reason", "driver rollout");
    assertThat(paused.code()).as(paused.err()).isZero();
    assertThat(paused.out())
        .startsWith("applied: PAUSE nodegroup:p5-train by alice (--operator)")
        .contains("audited by the remediator at");
    assertThat(auditDetails())
        .anySatisfy(
            d -> assertThat(d).contains("PAUSE nodegroup:p5-train by alice: driver rollout"));

    send(verdict("v-thermal-5", "p5-train-5", null));
    Eventually.await(
        Duration.ofSeconds(30),
        () ->
            assertThat(audit())
                .anySatisfy(
                    r -> {
                      assertThat(r.getVerdictId()).isEqualTo("v-thermal-5");
                      assertThat(r.getReason()).isEqualTo(SkipReason.PAUSED);
                      assertThat(r.getDetail()).contains("paused by alice");
                    }));
    assertThat(cluster.node("p5-train-5").orElseThrow().unschedulable()).isFalse();

    Result resumed = ctl("resume", "nodegroup:p5-train", "--json");
    assertThat(resumed.code()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("\"status\":\"applied\"", "\"kind\":\"RESUME\"");
    Eventually.await(
        Duration.ofSeconds(30),
        () -> assertThat(cluster.node("p5-train-5").orElseThrow().unschedulable()).isTrue());
  }

  @Test
  void shouldRefuseAnExpiryBeyondTheRemediatorsBoundBeforeSending() throws Exception {
    long before = controlEnd();
    Result r = ctl("pause", "global", "--expires", "8d");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--expires: 192h is more than the remediator allows (168h");
    assertThat(controlEnd()).as("nothing sent").isEqualTo(before);
  }

  @Test
  void shouldReleaseTheVerdictsAFleetIncidentHoldsOnApprove() throws Exception {
    send(verdict("v-held-1", "p5-train-1", "inc-7"));
    send(verdict("v-held-2", "p5-train-2", "inc-7"));
    try (var p =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", bootstrap),
            new StringSerializer(),
            topics.incidents.valueSerde().serializer())) {
      p.send(new ProducerRecord<>(topics.incidents.name(), "nodegroup:p5-train", incident())).get();
    }
    Eventually.await(
        Duration.ofSeconds(30),
        () ->
            assertThat(audit())
                .filteredOn(r -> r.getReason() == SkipReason.INCIDENT_HOLD)
                .extracting(RemediationRecord::getVerdictId)
                .contains("v-held-1", "v-held-2"));

    Result r = ctl("approve", "--incident", "inc-7", "--operator", "bob");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).startsWith("applied: APPROVE verdict:v-held-"));
    Eventually.await(
        Duration.ofSeconds(30),
        () -> {
          assertThat(cluster.node("p5-train-1").orElseThrow().unschedulable()).isTrue();
          assertThat(cluster.node("p5-train-2").orElseThrow().unschedulable()).isTrue();
        });
  }

  @Test
  void shouldExitThreeWithTheRemediatorsReasonWhenItDeadLettersTheCommand() {
    // This ctl's config allows 10 days, the remediator's the default 7: it refuses the command.
    Result r =
        ctl(
            "pause",
            "global",
            "--expires",
            "8d",
            "-D",
            "remediation.control.max.expiry.ms=864000000");
    assertThat(r.code()).as(r.err()).isEqualTo(3);
    assertThat(r.out())
        .startsWith("refused: PAUSE global by ")
        .contains("the remediator dead-lettered it: expiresAt")
        .contains("is more than 168h after issuedAt");
  }

  @Test
  void shouldExitFourSayingTheCommandIsOnTheTopicWhenNoRemediatorAppliesIt() {
    remediator.close();
    remediator = null;
    Result r = ctl("resume", "zone:us-east-1a", "--wait", "2s");
    assertThat(r.code()).as(r.err()).isEqualTo(4);
    assertThat(r.out())
        .startsWith("not applied yet: RESUME zone:us-east-1a by ")
        .contains("is on " + topics.control.name() + " partition ")
        .contains("but no remediator audited it within 2s");
    Result sent = ctl("resume", "zone:us-east-1a", "--wait", "0s", "--json");
    assertThat(sent.code()).isZero();
    assertThat(sent.out()).contains("\"status\":\"sent\"", "\"operatorSource\":\"OS user\"");
  }

  @Test
  void shouldSayInOneLineThatTheBrokerIsUnreachable() {
    Result r = run("ctl", "pause", "global", "-b", "127.0.0.1:1", "-r", registry.url());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cannot reach Kafka at 127.0.0.1:1");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  private Result ctl(String... args) {
    List<String> all = new ArrayList<>(List.of("ctl"));
    all.addAll(List.of(args));
    all.addAll(List.of("-b", bootstrap, "-r", registry.url(), "--topic-prefix", prefix));
    return run(all.toArray(String[]::new));
  }

  private static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private void send(FaultVerdict v) throws Exception {
    try (var p =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", bootstrap),
            new StringSerializer(),
            topics.verdicts.valueSerde().serializer())) {
      p.send(new ProducerRecord<>(topics.verdicts.name(), v.getNode(), v)).get();
    }
  }

  private long controlEnd() {
    try (KafkaConsumer<String, byte[]> c = Readers.committed(bootstrap)) {
      List<TopicPartition> parts =
          List.of(
              new TopicPartition(topics.control.name(), 0),
              new TopicPartition(topics.control.name(), 1));
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private List<RemediationRecord> audit() {
    List<RemediationRecord> out = new ArrayList<>();
    var values = topics.audit.valueSerde().deserializer();
    try (KafkaConsumer<String, byte[]> c = Readers.committed(bootstrap)) {
      List<TopicPartition> parts =
          List.of(
              new TopicPartition(topics.audit.name(), 0),
              new TopicPartition(topics.audit.name(), 1));
      c.assign(parts);
      c.seekToBeginning(parts);
      var end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(200))
            .forEach(r -> out.add(values.deserialize(r.topic(), r.value())));
      }
    }
    return out;
  }

  private List<String> auditDetails() {
    return audit().stream().map(RemediationRecord::getDetail).filter(d -> d != null).toList();
  }

  private FaultVerdict verdict(String id, String node, String incidentId) {
    return FaultVerdict.newBuilder()
        .setVerdictId(id)
        .setNode(node)
        .setNodegroup("p5-train")
        .setInstanceId("i-" + node)
        .setZone("us-east-1a")
        .setFaultClass(FaultClass.GPU_THERMAL)
        .setSeverity(Severity.WARNING)
        .setState(VerdictState.OPEN)
        .setRecommendedAction(RemediationAction.CORDON)
        .setGpus(List.of())
        .setEvidence(List.of())
        .setRuleId("thermal")
        .setRuleVersion("1")
        .setDetectedAt(now.minusSeconds(5))
        .setUpdatedAt(now.minusSeconds(5))
        .setValidUntil(now.plusSeconds(600))
        .setHeld(incidentId != null)
        .setIncidentId(incidentId)
        .setSummary("GPU 1 over temperature")
        .build();
  }

  private FleetIncident incident() {
    return FleetIncident.newBuilder()
        .setIncidentId("inc-7")
        .setScope("nodegroup:p5-train")
        .setIncidentClass(IncidentClass.COMMON_CAUSE)
        .setSignature("GPU_THERMAL")
        .setNodes(List.of("p5-train-1", "p5-train-2"))
        .setState(IncidentState.OPEN)
        .setDetectedAt(now.minusSeconds(5))
        .setUpdatedAt(now.minusSeconds(5))
        .setFaultClass(FaultClass.GPU_THERMAL)
        .setSummary("2 nodes of p5-train over temperature")
        .build();
  }
}
