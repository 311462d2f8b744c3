package io.gpuward.chaos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker as its own process ({@code java -cp gpuward.jar kafka.Kafka
 * server.properties}): the jar's manifest class path holds the broker. Killed with SIGKILL and
 * started again on the same ports and log directory, it comes back with its topics, groups and
 * transactions.
 */
final class BrokerProcess implements AutoCloseable {
  private final int port;
  private final Path config;
  private final RoleProcess process;

  BrokerProcess(Path dir, Path jar) throws IOException {
    Path logDir = dir.toAbsolutePath().resolve("kraft-logs");
    Files.createDirectories(logDir);
    this.port = freePort();
    this.config = dir.toAbsolutePath().resolve("server.properties");
    write(properties(logDir, port, freePort()), config);
    format(config);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    this.process =
        new RoleProcess(
            "broker",
            List.of(java, "-Xmx512m", "-cp", jar.toString(), "kafka.Kafka", config.toString()),
            Map.of(),
            dir.resolve("broker.log"));
  }

  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  RoleProcess process() {
    return process;
  }

  void start() throws IOException {
    process.start();
  }

  void kill() throws InterruptedException {
    process.kill();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }

  private static Properties properties(Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("group.streams.heartbeat.interval.ms", "500");
    p.put("group.streams.min.heartbeat.interval.ms", "500");
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
    return p;
  }

  private static void write(Properties p, Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "gpuward chaos broker");
    }
  }

  private static void format(Path config) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc;
    try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                config.toString(),
                "--ignore-formatted"
              },
              ps);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting " + config + " failed: " + out.toString(StandardCharsets.UTF_8));
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
