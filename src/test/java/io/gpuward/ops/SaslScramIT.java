package io.gpuward.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.cli.Main;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.TestNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles against a broker that only takes SASL/SCRAM-SHA-256 from clients (an in-JVM KRaft
 * broker of its own, user created at format time): settings from {@code -c FILE}, the JAAS line
 * read from a file through Kafka's DirectoryConfigProvider. simulate (producer, admin), streams
 * (Streams' consumers, exactly-once producer, admin) and remediate (consumers, producer) work; a
 * wrong password fails.
 */
class SaslScramIT {
  static final String USER = "gpuward";
  static final String PASSWORD = "gw-s3cret";

  @TempDir static Path brokerDir;
  @TempDir Path dir;
  static KafkaRaftServer server;
  static String bootstrap;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void startBroker() throws Exception {
    int internal = freePort();
    int external = freePort();
    int controller = freePort();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    p.put(
        "listeners",
        "INTERNAL://127.0.0.1:"
            + internal
            + ",EXTERNAL://127.0.0.1:"
            + external
            + ",CONTROLLER://127.0.0.1:"
            + controller);
    p.put(
        "advertised.listeners",
        "INTERNAL://127.0.0.1:" + internal + ",EXTERNAL://127.0.0.1:" + external);
    p.put(
        "listener.security.protocol.map",
        "INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "INTERNAL");
    p.put("listener.name.external.sasl.enabled.mechanisms", "SCRAM-SHA-256");
    p.put(
        "listener.name.external.scram-sha-256.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("log.dirs", brokerDir.resolve("logs").toString());
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "3");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "3");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
    Path config = brokerDir.resolve("server.properties");
    try (var w = Files.newBufferedWriter(config)) {
      p.store(w, "SASL test broker");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc =
        StorageTool.execute(
            new String[] {
              "format",
              "--cluster-id",
              Uuid.randomUuid().toString(),
              "--config",
              config.toString(),
              "--add-scram",
              "SCRAM-SHA-256=[name=" + USER + ",password=" + PASSWORD + "]"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(rc).as(out.toString(StandardCharsets.UTF_8)).isZero();
    server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
    server.startup();
    bootstrap = "127.0.0.1:" + external;
  }

  @AfterAll
  static void stopBroker() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
    }
  }

  /** gpuward.properties for this broker; the JAAS line lives in a file of its own. */
  Path settings(String prefix, String registryUrl, String password) throws Exception {
    Path secrets = Files.createDirectories(dir.resolve("secrets-" + password.hashCode()));
    Files.writeString(
        secrets.resolve("sasl.jaas.config"),
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + USER
            + "\" password=\""
            + password
            + "\";");
    Path file = dir.resolve("gpuward-" + password.hashCode() + ".properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "bootstrap.servers=" + bootstrap,
            "schema.registry.url=" + registryUrl,
            "topic.prefix=" + prefix,
            "config.providers=dir",
            "config.providers.dir.class="
                + "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
            "kafka.security.protocol=SASL_PLAINTEXT",
            "kafka.sasl.mechanism=SCRAM-SHA-256",
            "kafka.sasl.jaas.config=${dir:" + secrets + ":sasl.jaas.config}",
            ""));
    return file;
  }

  /** Admin settings of a test-side client with the right credentials. */
  static Map<String, Object> adminProps() {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put("security.protocol", "SASL_PLAINTEXT");
    c.put("sasl.mechanism", "SCRAM-SHA-256");
    c.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + USER
            + "\" password=\""
            + PASSWORD
            + "\";");
    return c;
  }

  @Test
  void everyKafkaClientOfTheRolesAuthenticatesWithScramFromAConfigFile() throws Exception {
    String prefix = TestNames.unique("sasl") + ".";
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startInMemory();
        Admin admin = Admin.create(adminProps())) {
      Path cfg = settings(prefix, registry.url(), PASSWORD);

      // simulate: admin (topics) + producer
      int sim =
          Main.run(
              "simulate",
              "-c",
              cfg.toString(),
              "--duration",
              "30s",
              "--speed",
              "30",
              "--metrics-port",
              "-1");
      assertThat(sim).isZero();
      String gpuTopic = prefix + "gpuward.telemetry.gpu.v1";
      assertThat(admin.listTopics().names().get()).contains(gpuTopic);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(java.util.List.of(gpuTopic))
          .allTopicNames()
          .get()
          .get(gpuTopic)
          .partitions()
          .forEach(
              pi -> latest.put(new TopicPartition(gpuTopic, pi.partition()), OffsetSpec.latest()));
      long published =
          admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
      assertThat(published).as("GPU samples published over SASL").isPositive();

      // streams and remediate: consumers in groups, producers (exactly-once for streams)
      int streamsPort = RoleMetricsIT.freePort();
      int remediatePort = RoleMetricsIT.freePort();
      String appId = prefix + "engine";
      String groupId = prefix + "remediator";
      AtomicInteger streamsExit = new AtomicInteger(-100);
      AtomicInteger remediateExit = new AtomicInteger(-100);
      Thread streams =
          new Thread(
              () ->
                  streamsExit.set(
                      Main.run(
                          "streams",
                          "-c",
                          cfg.toString(),
                          "--state-dir",
                          dir.resolve("state").toString(),
                          "--application-id",
                          appId,
                          "--metrics-port",
                          Integer.toString(streamsPort))));
      Thread remediate =
          new Thread(
              () ->
                  remediateExit.set(
                      Main.run(
                          "remediate",
                          "-c",
                          cfg.toString(),
                          "--actuator",
                          "simulated",
                          "-D",
                          "remediation.group.id=" + groupId,
                          "--metrics-port",
                          Integer.toString(remediatePort))));
      streams.setDaemon(true);
      remediate.setDaemon(true);
      streams.start();
      remediate.start();
      try {
        Eventually.await(
            Duration.ofSeconds(90),
            () -> {
              assertThat(streamsExit.get()).as("streams exited").isEqualTo(-100);
              assertThat(remediateExit.get()).as("remediate exited").isEqualTo(-100);
              var offsets =
                  admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
              assertThat(offsets.keySet()).anyMatch(tp -> tp.topic().equals(gpuTopic));
              var group =
                  admin.describeConsumerGroups(java.util.List.of(groupId)).all().get().get(groupId);
              assertThat(group.members()).isNotEmpty();
              for (int port : new int[] {streamsPort, remediatePort}) {
                try {
                  assertThat(MetricsServerTest.get(port, "/healthz").statusCode()).isEqualTo(200);
                } catch (java.io.IOException e) {
                  throw new AssertionError("not serving yet", e);
                }
              }
            });
        String metrics = MetricsServerTest.get(remediatePort, "/metrics").body();
        assertThat(metrics).doesNotContain(PASSWORD);
      } finally {
        streams.interrupt();
        remediate.interrupt();
        streams.join(30_000);
        remediate.join(30_000);
      }
    }
  }

  @Test
  void aWrongPasswordFailsTheRoleAtStart() throws Exception {
    String prefix = TestNames.unique("sasl-bad") + ".";
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startInMemory()) {
      Path cfg = settings(prefix, registry.url(), "wrong");
      int code =
          Main.run("simulate", "-c", cfg.toString(), "--duration", "5s", "--metrics-port", "-1");
      assertThat(code).isEqualTo(1);
    }
  }
}
