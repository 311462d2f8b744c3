package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeInventory;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.embedded.EmbeddedKafka;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.embedded.SaslUsers;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.rollup.RollupService;
import io.gpuward.rollup.RollupSettings;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SampleRecords;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every role under its own principal on a broker with SASL/PLAIN and {@code StandardAuthorizer},
 * with exactly the ACLs of {@link RoleAcls} applied through the Admin API: each role writes its own
 * topics and nothing else, and the engine runs exactly-once with its principal.
 */
class RoleAclsIT {
  static final String ADMIN = "gpuward-admin";
  static final Duration WAIT = Duration.ofSeconds(60);

  static Path dir;
  static EmbeddedKafka kafka;
  static SaslUsers users;
  static EmbeddedSchemaRegistry registry;
  static Topics topics;
  static RoleAcls.Names names;

  @TempDir Path stateDir;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    dir = Files.createTempDirectory("gpuward-acl-kafka-");
    users =
        SaslUsers.of(
            ADMIN, "secret", Arrays.stream(KafkaRole.values()).map(RoleAclsIT::user).toList());
    kafka = EmbeddedKafka.startSecured(dir, users);
    registry = EmbeddedSchemaRegistry.startInMemory();
    String prefix = TestNames.unique("acl") + ".";
    var client = new RegistryClient(registry.url());
    // Production settings: no role registers on first use; each registers what it writes at start.
    TopicCatalog catalog = TopicCatalog.load(prefix).withPartitions(2);
    topics = new Topics(catalog, AvroSerdes.forRole(client, false, catalog));
    for (KafkaRole role : KafkaRole.values()) {
      SchemaRegistration.register(role, topics, client);
    }
    names =
        new RoleAcls.Names(
            topics.catalog(),
            prefix + "engine",
            prefix + "remediator",
            prefix + "connect",
            prefix + "sink.dlq");
    List<AclBinding> acls = new ArrayList<>();
    for (KafkaRole role : KafkaRole.values()) {
      acls.addAll(RoleAcls.bindings(role, role.defaultPrincipal(), names));
    }
    try (Admin admin = Admin.create(props(ADMIN))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), WAIT);
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
      // The broker applies ACLs once it has the controller's metadata, a moment after the create.
      Eventually.await(
          WAIT,
          () ->
              assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get())
                  .containsAll(acls));
    }
  }

  @AfterAll
  static void stop() {
    registry.close();
    kafka.close();
  }

  static String user(KafkaRole role) {
    return role.defaultPrincipal().substring("User:".length());
  }

  static Map<String, Object> props(String user) {
    Map<String, Object> p = new HashMap<>(users.clientProps(user));
    p.put("bootstrap.servers", kafka.bootstrapServers());
    return p;
  }

  static Map<String, Object> props(KafkaRole role) {
    return props(user(role));
  }

  @Test
  void shouldRefuseAVerdictFromTheExportersPrincipal() {
    assertThat(send(KafkaRole.EXPORTER, topics.verdicts, SampleRecords.faultVerdict()))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThat(send(KafkaRole.EXPORTER, topics.control, SampleRecords.controlCommand()))
        .isInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void shouldLetTheExporterAndTheSimulatorWriteTelemetry() {
    for (KafkaRole role : List.of(KafkaRole.EXPORTER, KafkaRole.SIMULATOR)) {
      assertThat(send(role, topics.gpu, SampleRecords.gpuSample())).as(role.id()).isNull();
      assertThat(send(role, topics.xid, SampleRecords.xidEvent())).as(role.id()).isNull();
      assertThat(send(role, topics.kubeEvents, SampleRecords.nodeEvent())).as(role.id()).isNull();
    }
    assertThat(send(KafkaRole.SIMULATOR, topics.inventory, SampleRecords.nodeInventory())).isNull();
  }

  @Test
  void shouldLetTheWatcherNotTheExporterWriteInventory() {
    assertThat(send(KafkaRole.EXPORTER, topics.inventory, SampleRecords.nodeInventory()))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThat(send(KafkaRole.WATCHER, topics.inventory, SampleRecords.nodeInventory())).isNull();
    assertThat(send(KafkaRole.WATCHER, topics.kubeEvents, SampleRecords.nodeEvent())).isNull();
    assertThat(send(KafkaRole.WATCHER, topics.verdicts, SampleRecords.faultVerdict()))
        .isInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void shouldLetTheRemediatorConsumeVerdictsAndWriteAuditInATransactionButNotVerdicts()
      throws Exception {
    assertThat(send(KafkaRole.ENGINE, topics.verdicts, SampleRecords.faultVerdict())).isNull();
    Map<String, Object> p = props(KafkaRole.REMEDIATOR);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, names.remediatorGroupId() + "-audit");
    Map<String, Object> c = props(KafkaRole.REMEDIATOR);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, names.remediatorGroupId());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // As RemediatorService does: verdict offsets committed in the audit transaction.
    try (var producer = producer(p, topics.audit);
        var consumer =
            new KafkaConsumer<>(
                c, new StringDeserializer(), topics.verdicts.valueSerde().deserializer())) {
      producer.initTransactions();
      consumer.subscribe(List.of(topics.verdicts.name()));
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      Eventually.await(
          WAIT,
          () -> {
            consumer
                .poll(Duration.ofMillis(200))
                .forEach(
                    r ->
                        offsets.put(
                            new TopicPartition(r.topic(), r.partition()),
                            new OffsetAndMetadata(r.offset() + 1)));
            assertThat(offsets).isNotEmpty();
          });
      producer.beginTransaction();
      producer.send(
          new ProducerRecord<>(topics.audit.name(), "n", SampleRecords.remediationRecord()));
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
    }
    assertThat(send(KafkaRole.REMEDIATOR, topics.verdicts, SampleRecords.faultVerdict()))
        .isInstanceOf(TopicAuthorizationException.class);
    assertThat(send(KafkaRole.REMEDIATOR, topics.control, SampleRecords.controlCommand()))
        .isInstanceOf(TopicAuthorizationException.class);
  }

  @Test
  void shouldLetOperatorsWriteControlAndReadItBack() {
    ControlCommand command = SampleRecords.controlCommand();
    assertThat(send(KafkaRole.OPERATORS, topics.control, command)).isNull();
    assertThat(send(KafkaRole.OPERATORS, topics.verdicts, SampleRecords.faultVerdict()))
        .isInstanceOf(TopicAuthorizationException.class);
    readUntil(
        KafkaRole.OPERATORS,
        RoleAcls.OPERATOR_GROUP_PREFIX + "it",
        topics.control,
        read -> assertThat(read).contains(command));
  }

  @Test
  void shouldLetConnectReadTheTableTopicsAndWriteNoneOfThem() {
    FaultVerdict verdict = SampleRecords.faultVerdict();
    assertThat(send(KafkaRole.ENGINE, topics.verdicts, verdict)).isNull();
    String group = RoleAcls.SINK_CONNECTOR_GROUP_PREFIX + "gpu-verdicts";
    readUntil(
        KafkaRole.CONNECT, group, topics.verdicts, read -> assertThat(read).contains(verdict));
    for (Topic<? extends SpecificRecord> t :
        List.of(topics.verdicts, topics.audit, topics.health)) {
      assertThat(sendAny(KafkaRole.CONNECT, t))
          .as(t.name())
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void shouldRunTheEngineExactlyOnceUnderItsOwnPrincipal() throws Exception {
    try (Admin admin = Admin.create(props(KafkaRole.ENGINE))) {
      // what every role does at start: topics it may not create are left to the administrator
      assertThatCode(() -> TopicAdmin.ensureTopics(admin, topics.specs(), WAIT))
          .doesNotThrowAnyException();
    }
    String node = "cache-warm-" + TestNames.unique("n").hashCode();
    NodeInventory cpuNodeOnNvidiaImage =
        NodeInventory.newBuilder(SampleRecords.nodeInventory())
            .setNode(node)
            .setInstanceType("m5.large")
            .setImage("bottlerocket-aws-k8s-1.32-nvidia-x86_64")
            .setExpectedGpus(0)
            .setRegistered(false)
            .setUpdatedAt(Instant.now())
            .build();
    try (EngineService engine =
        EngineService.start(
            engineConfig(),
            topics,
            RuleCatalog.load(),
            InstanceTypeCatalog.load(),
            new SimpleMeterRegistry(),
            Clock.systemUTC(),
            WAIT)) {
      assertThat(send(KafkaRole.WATCHER, topics.inventory, node, cpuNodeOnNvidiaImage)).isNull();
      readUntil(
          KafkaRole.OPERATORS,
          RoleAcls.OPERATOR_GROUP_PREFIX + "engine-it",
          topics.verdicts,
          read ->
              assertThat(read)
                  .anySatisfy(
                      v -> {
                        assertThat(v.getNode()).isEqualTo(node);
                        assertThat(v.getFaultClass()).isEqualTo(FaultClass.IMAGE_INSTANCE_MISMATCH);
                      }));
      assertThat(engine.state().isRunningOrRebalancing()).isTrue();
    }
  }

  @Test
  void shouldRollUpTelemetryUnderTheEnginesPrincipal() {
    GpuSample first =
        GpuSample.newBuilder(SampleRecords.gpuSample()).setEventTime(Instant.now()).build();
    GpuSample later =
        GpuSample.newBuilder(first).setEventTime(first.getEventTime().plusSeconds(5)).build();
    // The rollup's application id extends the engine's, so the engine's prefixed grants cover it.
    try (RollupService rollup =
        RollupService.start(
            engineConfig(),
            topics,
            new RollupSettings(Duration.ofSeconds(1), Duration.ZERO),
            WAIT)) {
      assertThat(send(KafkaRole.EXPORTER, topics.gpu, first)).isNull();
      assertThat(send(KafkaRole.EXPORTER, topics.gpu, later)).isNull();
      readUntil(
          KafkaRole.OPERATORS,
          RoleAcls.OPERATOR_GROUP_PREFIX + "rollup-it",
          topics.rollup,
          read ->
              assertThat(read).anySatisfy(r -> assertThat(r.getUuid()).isEqualTo(first.getUuid())));
    }
  }

  /**
   * The engine's settings: its own principal, and schema auto-registration off as in production.
   */
  GpuwardConfig engineConfig() {
    Map<String, Object> settings = new HashMap<>();
    props(KafkaRole.ENGINE).forEach((k, v) -> settings.put(GpuwardConfig.KAFKA_PREFIX + k, v));
    settings.put(GpuwardConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(GpuwardConfig.REGISTRY_URL, registry.url());
    settings.put(GpuwardConfig.REGISTRY_AUTO_REGISTER, false);
    settings.put(GpuwardConfig.ENGINE_APPLICATION_ID, names.engineApplicationId());
    settings.put(GpuwardConfig.ENGINE_STATE_DIR, stateDir.toString());
    return new GpuwardConfig(settings);
  }

  static <V extends SpecificRecord> Throwable send(KafkaRole role, Topic<V> topic, V value) {
    return send(role, topic, SampleRecords.NODE, value);
  }

  /** Sends one record as {@code role}; returns why it failed, or null once it is acknowledged. */
  static <V extends SpecificRecord> Throwable send(
      KafkaRole role, Topic<V> topic, String key, V value) {
    Map<String, Object> p = props(role);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (var producer = producer(p, topic)) {
      producer.send(new ProducerRecord<>(topic.name(), key, value)).get(30, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }

  /** A send of the right type for {@code topic}, from the sample records. */
  @SuppressWarnings("unchecked")
  static <V extends SpecificRecord> Throwable sendAny(KafkaRole role, Topic<V> topic) {
    V sample = (V) SampleRecords.all().get(topic.spec().id());
    assertThat(sample).as("sample of " + topic.spec().id()).isNotNull();
    return send(role, topic, sample);
  }

  static <V> KafkaProducer<String, V> producer(Map<String, Object> p, Topic<V> topic) {
    return new KafkaProducer<>(p, new StringSerializer(), topic.valueSerde().serializer());
  }

  /** Reads {@code topic} as {@code role} until what was read satisfies {@code assertion}. */
  static <V> List<V> readUntil(
      KafkaRole role, String group, Topic<V> topic, Consumer<List<V>> assertion) {
    Map<String, Object> c = props(role);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<V> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), topic.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      Eventually.await(
          WAIT,
          () -> {
            for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
              out.add(r.value());
            }
            assertion.accept(out);
          });
    }
    return out;
  }
}
