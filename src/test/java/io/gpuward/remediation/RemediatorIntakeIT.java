package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.SchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.Health;
import io.gpuward.ops.RoleHealth;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the remediator reads on the real broker: poison verdicts and forged commands are
 * dead-lettered (once, also across a restart) and never stop it; a standing PAUSE is in force
 * before the first action after a restart; a dead control reader fails the health check.
 */
class RemediatorIntakeIT {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private String bootstrap;
  private Topics topics;
  private ManualClock clock;
  private SimulatedCluster cluster;
  private String group;
  private KafkaProducer<byte[], byte[]> raw;
  private final CountingRegistry registry = new CountingRegistry();

  @BeforeEach
  void setUp() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("intake") + ".").withPartitions(2),
            new AvroSerdes(registry, true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    var types = InstanceTypeCatalog.load();
    clock = new ManualClock(T0);
    cluster = new SimulatedCluster(clock);
    DefaultFleet.populate(cluster, types, T0);
    group = TestNames.unique("remediator");
    raw =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", bootstrap),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  @AfterEach
  void tearDown() {
    raw.close();
  }

  private RemediatorService service() {
    var planner = new Planner(RemediationPolicy.load());
    return new RemediatorService(
        Map.of("bootstrap.servers", bootstrap),
        topics,
        a -> new Remediation(planner, cluster, cluster, a, clock, false, meters),
        group,
        meters);
  }

  @Test
  void shouldDeadLetterPoisonVerdictsAndActOnTheNextOne() throws Exception {
    FaultVerdict thermal = verdict("p5-train-5", "v-thermal");
    byte[] valid = topics.verdicts.valueSerde().serializer().serialize(verdictTopic(), thermal);
    byte[] unknownId = valid.clone();
    unknownId[1] = 0x7f; // schema id 0x7f...: never registered
    FaultVerdict hugeNode = verdict("n".repeat(10_000), "v-huge");
    try (RemediatorService service = service()) {
      service.start();
      send(verdictTopic(), "p5-train-5", "not avro at all".getBytes(StandardCharsets.UTF_8));
      send(verdictTopic(), "p5-train-5", unknownId);
      send(verdictTopic(), "p5-train-5", null);
      send(verdictTopic(), null, valid);
      send(
          verdictTopic(),
          hugeNode.getNode(),
          topics.verdicts.valueSerde().serializer().serialize(verdictTopic(), hugeNode));
      send(verdictTopic(), "p5-train-5", valid);

      Eventually.await(
          Duration.ofSeconds(30),
          () -> assertThat(cluster.node("p5-train-5").orElseThrow().unschedulable()).isTrue());
      List<DeadLetter> dead = readDeadLetters(5);
      assertThat(dead)
          .extracting(DeadLetter::getKind)
          .containsExactlyInAnyOrder(
              DeadLetterKind.DESERIALIZATION,
              DeadLetterKind.DESERIALIZATION,
              DeadLetterKind.VALIDATION,
              DeadLetterKind.VALIDATION,
              DeadLetterKind.VALIDATION);
      assertThat(dead)
          .extracting(DeadLetter::getReason)
          .anySatisfy(r -> assertThat(r).contains("not Confluent-framed"))
          .anySatisfy(r -> assertThat(r).contains("unknown schema id"))
          .anySatisfy(r -> assertThat(r).contains("no value"))
          .anySatisfy(r -> assertThat(r).contains("no key"))
          .anySatisfy(r -> assertThat(r).contains("DNS-1123"));
      assertThat(dead).allSatisfy(d -> assertThat(d.getApplication()).isEqualTo(group));
      assertThat(
              meters
                  .counter(
                      RemediationMetrics.DEAD_LETTERS,
                      "topic",
                      verdictTopic(),
                      "kind",
                      DeadLetterKind.VALIDATION.name())
                  .count())
          .isEqualTo(3.0);
      Eventually.await(
          Duration.ofSeconds(30), () -> assertThat(committedVerdictOffsets()).isEqualTo(6L));
    }
  }

  @Test
  void shouldDeadLetterForgedCommandsOnceAndNeverApplyThem() throws Exception {
    ControlCommand noId = command("global", ControlKind.PAUSE, "", null);
    ControlCommand forever =
        command(
            "node:p5-train-5", ControlKind.VETO, "c-veto", Instant.parse("2100-01-01T00:00:00Z"));
    try (RemediatorService service = service()) {
      service.start();
      sendCommand(noId);
      sendCommand(forever);
      send(controlTopic(), "global", new byte[] {0, 0, 0, 0});
      assertThat(readDeadLetters(3))
          .extracting(DeadLetter::getReason)
          .anySatisfy(r -> assertThat(r).contains("commandId"))
          .anySatisfy(r -> assertThat(r).contains("after issuedAt"))
          .anySatisfy(r -> assertThat(r).contains("too short"));
      send(verdictTopic(), "p5-train-5", verdictBytes(verdict("p5-train-5", "v-thermal")));
      Eventually.await(
          Duration.ofSeconds(30),
          () -> assertThat(cluster.node("p5-train-5").orElseThrow().unschedulable()).isTrue());
    }
    try (RemediatorService again = service()) {
      again.start(); // reads the same control records again: they were dead-lettered already
      send(verdictTopic(), "cache-warm-0", verdictBytes(escalation()));
      List<RemediationRecord> audit = readAudit(r -> r.getAction() == RemediationAction.ESCALATE);
      assertThat(audit)
          .filteredOn(r -> r.getOperationId().startsWith("ctl-"))
          .as("no forged command audited")
          .isEmpty();
    }
    assertThat(readDeadLetters(3)).hasSize(3);
  }

  @Test
  void shouldRestoreAStandingPauseBeforeTheFirstActionAfterARestart() throws Exception {
    try (RemediatorService first = service()) {
      first.start();
      sendCommand(command("global", ControlKind.PAUSE, "c-pause", null));
      readAudit(r -> r.getOperationId().equals("ctl-c-pause"));
    }
    // While it is down a verdict arrives; many inventory records make the restore take a while.
    var inventory = topics.inventory.valueSerde().serializer();
    for (int i = 0; i < 2000; i++) {
      String node = "p5-train-" + (i % 8);
      raw.send(
          new ProducerRecord<>(
              topics.inventory.name(),
              node.getBytes(StandardCharsets.UTF_8),
              inventory.serialize(topics.inventory.name(), inventory(node))));
    }
    raw.flush();
    send(verdictTopic(), "p5-train-2", verdictBytes(reboot("p5-train-2", "v-lost")));
    try (RemediatorService second = service()) {
      second.start();
      assertThat(second.remediation().controls().pausedBy("p5-train-2", "p5-train", null, T0))
          .as("the PAUSE is in force when start() returns")
          .isPresent();
      List<RemediationRecord> audit = readAudit(r -> r.getVerdictId().equals("v-lost"));
      assertThat(audit)
          .filteredOn(r -> r.getVerdictId().equals("v-lost"))
          .extracting(RemediationRecord::getReason)
          .containsExactly(SkipReason.PAUSED);
      assertThat(cluster.node("p5-train-2").orElseThrow().unschedulable()).isFalse();
      assertThat(audit).noneSatisfy(r -> assertThat(r.getOutcome()).isEqualTo(Outcome.STARTED));
    }
  }

  @Test
  void shouldNotDecodeAgainAfterARestartWhatItDeadLetteredBefore() throws Exception {
    try (RemediatorService first = service()) {
      first.start();
      sendCommand(command("global", ControlKind.PAUSE, "c-pause", null));
      readAudit(r -> r.getOperationId().equals("ctl-c-pause"));
      for (int i = 0; i < 10; i++) {
        send(controlTopic(), "global", unknownSchemaId(i)); // newer than the PAUSE, same key
      }
      assertThat(readDeadLetters(10)).hasSize(10);
    }
    send(controlTopic(), "global", unknownSchemaId(10)); // arrives while it is down
    registry.unknownLookups.set(0);
    try (RemediatorService second = service()) {
      second.start();
      assertThat(second.remediation().controls().pausedBy("p5-train-2", "p5-train", null, T0))
          .as("garbage after the PAUSE does not withdraw it")
          .isPresent();
      assertThat(registry.unknownLookups)
          .as("only the record new since the last run is decoded")
          .hasValue(1);
    }
    registry.unknownLookups.set(0);
    try (RemediatorService third = service()) {
      third.start();
      assertThat(third.remediation().controls().pausedBy("p5-train-2", "p5-train", null, T0))
          .isPresent();
      assertThat(registry.unknownLookups).hasValue(0);
    }
    assertThat(readDeadLetters(11)).as("each dead-lettered exactly once").hasSize(11);
  }

  /** Confluent framing with a schema id no registry has: decoding it costs a lookup. */
  private static byte[] unknownSchemaId(int i) {
    return new byte[] {0, 0x70, 0, 0, (byte) i, 2, 4, 6};
  }

  @Test
  void shouldFailTheHealthCheckWhenTheControlReaderDies() {
    try (RemediatorService service = service()) {
      service.start();
      var health = RoleHealth.alive("control and inventory reader", service::stateReaderAlive);
      assertThat(health.check().isUp()).isTrue();
      service.wakeStateReader();
      Eventually.await(
          Duration.ofSeconds(10),
          () ->
              assertThat(health.check())
                  .isEqualTo(Health.down("control and inventory reader stopped")));
    }
  }

  private String verdictTopic() {
    return topics.verdicts.name();
  }

  private String controlTopic() {
    return topics.control.name();
  }

  private byte[] verdictBytes(FaultVerdict v) {
    return topics.verdicts.valueSerde().serializer().serialize(verdictTopic(), v);
  }

  private void sendCommand(ControlCommand c) throws Exception {
    send(
        controlTopic(),
        c.getScope(),
        topics.control.valueSerde().serializer().serialize(controlTopic(), c));
  }

  private void send(String topic, String key, byte[] value) throws Exception {
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    raw.send(new ProducerRecord<>(topic, k, value)).get();
  }

  private long committedVerdictOffsets() {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      return admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get()
          .entrySet()
          .stream()
          .filter(e -> e.getKey().topic().equals(verdictTopic()))
          .mapToLong(e -> e.getValue().offset())
          .sum();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private List<DeadLetter> readDeadLetters(int atLeast) {
    return read(topics.dlq.name(), topics.dlq.valueSerde().deserializer(), atLeast, d -> true);
  }

  private List<RemediationRecord> readAudit(java.util.function.Predicate<RemediationRecord> until) {
    return read(topics.audit.name(), topics.audit.valueSerde().deserializer(), 1, until);
  }

  /** Reads {@code topic} (committed records only) until {@code atLeast} match {@code until}. */
  private <V> List<V> read(
      String topic,
      org.apache.kafka.common.serialization.Deserializer<V> values,
      int atLeast,
      java.util.function.Predicate<V> until) {
    List<V> out = new ArrayList<>();
    try (var c =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            values)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Eventually.await(
          Duration.ofSeconds(30),
          () -> {
            c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            assertThat(out.stream().filter(until).count()).isGreaterThanOrEqualTo(atLeast);
          });
      c.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value())); // and whatever follows
    }
    return out;
  }

  private static FaultVerdict verdict(String node, String id) {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(
                FaultClass.GPU_THERMAL, RemediationAction.CORDON, VerdictState.OPEN))
        .setVerdictId(id)
        .setNode(node)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plusSeconds(600))
        .build();
  }

  private static FaultVerdict reboot(String node, String id) {
    return FaultVerdict.newBuilder(verdict(node, id))
        .setFaultClass(FaultClass.GPU_LOST)
        .setRecommendedAction(RemediationAction.REBOOT)
        .build();
  }

  /**
   * A marker the remediator escalates at once: it names no node group, so there is no inventory to
   * wait for (the test publishes none for the node).
   */
  private static FaultVerdict escalation() {
    return FaultVerdict.newBuilder(verdict("cache-warm-0", "v-cache-warm-0"))
        .setFaultClass(FaultClass.IMAGE_INSTANCE_MISMATCH)
        .setRecommendedAction(RemediationAction.ESCALATE)
        .setNodegroup(null)
        .build();
  }

  private static io.gpuward.avro.NodeInventory inventory(String node) {
    return io.gpuward.avro.NodeInventory.newBuilder()
        .setNode(node)
        .setNodegroup("p5-train")
        .setZone("us-east-1a")
        .setUpdatedAt(T0)
        .setLabels(Map.of())
        .build();
  }

  /** The in-memory registry, counting the lookups of schema ids it does not know. */
  private static final class CountingRegistry implements SchemaRegistry {
    private final InMemorySchemaRegistry delegate = new InMemorySchemaRegistry();
    final AtomicInteger unknownLookups = new AtomicInteger();

    @Override
    public int register(String subject, Schema schema) {
      return delegate.register(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
      try {
        return delegate.schemaById(id);
      } catch (RuntimeException e) {
        unknownLookups.incrementAndGet();
        throw e;
      }
    }

    @Override
    public Optional<Registered> lookup(String subject, Schema schema) {
      return delegate.lookup(subject, schema);
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
      return delegate.isCompatible(subject, schema);
    }

    @Override
    public List<String> subjects() {
      return delegate.subjects();
    }

    @Override
    public void setCompatibility(String subject, String level) {
      delegate.setCompatibility(subject, level);
    }

    @Override
    public String compatibility(String subject) {
      return delegate.compatibility(subject);
    }
  }

  private static ControlCommand command(
      String scope, ControlKind kind, String id, Instant expiresAt) {
    return ControlCommand.newBuilder()
        .setCommandId(id)
        .setScope(scope)
        .setKind(kind)
        .setOperator("alice")
        .setReason("maintenance")
        .setIssuedAt(T0.minusSeconds(60))
        .setExpiresAt(expiresAt)
        .build();
  }
}
