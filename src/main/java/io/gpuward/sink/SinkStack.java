package io.gpuward.sink;

import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.Topics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink side in one process: a local PostgreSQL with the gpuward tables, and an in-JVM Connect
 * worker running the Debezium JDBC sink connectors of {@code connectors/} through gpuward's Avro
 * converter. Used by {@code gpuward demo --sink} and the tests.
 */
public final class SinkStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SinkStack.class);

  private final LocalPostgres postgres;
  private final ConnectWorker worker;

  private SinkStack(LocalPostgres postgres, ConnectWorker worker) {
    this.postgres = postgres;
    this.worker = worker;
  }

  /**
   * Starts PostgreSQL (on {@code dataDir}, kept after close, or on a temporary folder when null),
   * creates the tables, starts a Connect worker on {@code bootstrapServers} and the sink connectors
   * for {@code topics}.
   */
  public static SinkStack start(
      String bootstrapServers,
      String registryUrl,
      Topics topics,
      String topicPrefix,
      Path dataDir) {
    LocalPostgres pg =
        dataDir == null ? LocalPostgres.startTemporary() : LocalPostgres.start(dataDir, true);
    ConnectWorker worker = null;
    try {
      pg.execute(SinkTables.ddl());
      createDlq(bootstrapServers, (topicPrefix == null ? "" : topicPrefix) + SinkTables.DLQ_TOPIC);
      worker = ConnectWorker.start(bootstrapServers, Map.of());
      worker.putConnectors(
          SinkTables.configs(
              topics,
              new SinkTables.Target(
                  pg.jdbcUrl(), LocalPostgres.USER, "", registryUrl, topicPrefix)));
      log.info("sink connectors running into {}", pg.jdbcUrl());
      return new SinkStack(pg, worker);
    } catch (RuntimeException e) {
      if (worker != null) {
        worker.close();
      }
      pg.close();
      throw e;
    }
  }

  private static void createDlq(String bootstrapServers, String name) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      TopicAdmin.ensureNewTopics(
          admin, List.of(new NewTopic(name, 1, (short) 1)), Duration.ofSeconds(30));
    }
  }

  public LocalPostgres postgres() {
    return postgres;
  }

  public ConnectWorker worker() {
    return worker;
  }

  /** Rows per sink table, in {@link SinkTables#ALL} order. */
  public Map<String, Long> rowCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Connection c = postgres.connect();
        Statement st = c.createStatement()) {
      for (SinkTables.Sink s : SinkTables.ALL) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + s.table())) {
          rs.next();
          out.put(s.table(), rs.getLong(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count rows in " + postgres.jdbcUrl(), e);
    }
    return out;
  }

  /** Stops the connectors and the worker, then PostgreSQL. */
  @Override
  public void close() {
    try {
      worker.close();
    } finally {
      postgres.close();
    }
  }
}
