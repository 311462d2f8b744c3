package io.gpuward.chaos;

import io.gpuward.embedded.EmbeddedKafka;
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
    write(EmbeddedKafka.brokerProperties(logDir, port, freePort()), config);
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
