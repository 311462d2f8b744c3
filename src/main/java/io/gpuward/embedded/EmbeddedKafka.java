package io.gpuward.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.function.IntSupplier;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this JVM, bound to
 * 127.0.0.1 on free ports. For the demo and integration tests; production uses any Kafka cluster.
 *
 * <p>Configured for a single node: internal topics with replication factor 1 (exactly-once works),
 * no auto-created topics, no initial rebalance delay, and short streams-group heartbeats.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** Attempts with fresh ports when another process takes a port between probe and bind. */
  private static final int BIND_ATTEMPTS = 3;

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path dataDir;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
  }

  /**
   * Formats {@code dataDir} (unless already formatted) and starts a broker on it; returns once the
   * broker accepts clients. A broker restarted on the same directory keeps its topics.
   *
   * @throws IllegalStateException when the broker cannot start
   */
  public static EmbeddedKafka start(Path dataDir) {
    return start(dataDir, EmbeddedKafka::freePort, null);
  }

  /**
   * As {@link #start(Path)}, but clients must sign in with SASL/PLAIN as one of {@code security}'s
   * users and every request is checked against ACLs ({@code StandardAuthorizer}).
   */
  public static EmbeddedKafka startSecured(Path dataDir, SaslUsers security) {
    return start(dataDir, EmbeddedKafka::freePort, security);
  }

  /** As {@link #start(Path)}, taking candidate ports from {@code ports} (tests of the retry). */
  static EmbeddedKafka start(Path dataDir, IntSupplier ports) {
    return start(dataDir, ports, null);
  }

  private static EmbeddedKafka start(Path dataDir, IntSupplier ports, SaslUsers security) {
    long t0 = System.nanoTime();
    Path logDir = dataDir.toAbsolutePath().resolve("kraft-logs");
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka data dir " + logDir, e);
    }
    String clusterId = existingClusterId(logDir).orElseGet(() -> Uuid.randomUuid().toString());
    RuntimeException last = null;
    for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
      int brokerPort = ports.getAsInt();
      int controllerPort = ports.getAsInt();
      Properties props = brokerProperties(logDir, brokerPort, controllerPort);
      if (security != null) {
        security.secure(props, brokerPort);
      }
      format(dataDir, clusterId, props);
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
      try {
        server.startup();
      } catch (RuntimeException e) {
        stopQuietly(server);
        if (!isBindFailure(e)) {
          throw new IllegalStateException("embedded Kafka failed to start in " + dataDir, e);
        }
        log.warn(
            "embedded Kafka could not bind ports {}/{} (attempt {}), retrying: {}",
            brokerPort,
            controllerPort,
            attempt,
            e.toString());
        last = e;
        continue;
      }
      String bootstrap = "127.0.0.1:" + brokerPort;
      log.info(
          "embedded Kafka started at {} in {} ms (data {})",
          bootstrap,
          (System.nanoTime() - t0) / 1_000_000,
          dataDir);
      return new EmbeddedKafka(server, bootstrap, dataDir);
    }
    throw new IllegalStateException(
        "embedded Kafka could not bind free ports after " + BIND_ATTEMPTS + " attempts", last);
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Stops the broker and waits until it has shut down. The data dir is left in place. */
  @Override
  public void close() {
    long t0 = System.nanoTime();
    server.shutdown();
    server.awaitShutdown();
    log.info(
        "embedded Kafka at {} stopped in {} ms (data {})",
        bootstrapServers,
        (System.nanoTime() - t0) / 1_000_000,
        dataDir);
  }

  /**
   * The settings of a single-node KRaft broker on loopback, also for one run as its own process
   * ({@code kafka.Kafka}) in tests that kill and restart it.
   */
  public static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
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

  /** The cluster id a formatted data dir already has: a restart must format with the same. */
  private static Optional<String> existingClusterId(Path logDir) {
    Path meta = logDir.resolve("meta.properties");
    if (!Files.exists(meta)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + meta, e);
    }
    return Optional.ofNullable(p.getProperty("cluster.id"));
  }

  private static void format(Path dataDir, String clusterId, Properties props) {
    Path config = dataDir.toAbsolutePath().resolve("server.properties");
    try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      props.store(w, "gpuward embedded Kafka");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc;
    try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {
                "format",
                "--cluster-id",
                clusterId,
                "--config",
                config.toString(),
                "--ignore-formatted"
              },
              ps);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "formatting Kafka storage in " + dataDir + " failed: " + e.getMessage(), e);
    }
    String output = out.toString(StandardCharsets.UTF_8).trim();
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage in " + dataDir + " failed (exit " + rc + "): " + output);
    }
    log.debug("formatted Kafka storage in {}: {}", dataDir, output);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      String msg = t.getMessage();
      if (msg != null && msg.contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static void stopQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      log.debug("ignoring failure while stopping a broker that failed to start", e);
    }
  }
}
