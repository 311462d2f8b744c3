package io.gpuward.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.contract.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The sink tables and their connector configurations ({@code connectors/}, shipped in the jar under
 * {@code /gpuward/connectors/}): which topic lands in which table, the DDL, and the Debezium JDBC
 * sink configs pointed at a given database, registry and topic prefix.
 */
public final class SinkTables {

  /** Classpath folder of the connector configs and DDL. */
  public static final String RESOURCES = "/gpuward/connectors/";

  /** The DDL script, re-runnable. */
  public static final String DDL = RESOURCES + "sql/V1__gpuward_sink_tables.sql";

  /** The read-only role the DDL creates for Grafana: SELECT on the sink tables only. */
  public static final String GRAFANA_ROLE = "gpuward_grafana";

  /** Default name of the sink connectors' dead-letter topic (raw failed records, with headers). */
  public static final String DLQ_TOPIC = "gpuward.sink.dlq.v1";

  /** One sink: connector config file, table, and the topic it reads. */
  public record Sink(String file, String table, Function<Topics, String> topic) {}

  /** Every sink, in the order the tables are described. */
  public static final List<Sink> ALL =
      List.of(
          new Sink("sink-gpu-verdicts.json", "gpu_verdicts", t -> t.verdicts.name()),
          new Sink("sink-fleet-incidents.json", "fleet_incidents", t -> t.incidents.name()),
          new Sink("sink-node-health.json", "node_health", t -> t.health.name()),
          new Sink("sink-remediation-audit.json", "remediation_audit", t -> t.audit.name()),
          new Sink("sink-gpu-telemetry-rollup.json", "gpu_telemetry_rollup", t -> t.rollup.name()));

  private static final ObjectMapper JSON = new ObjectMapper();

  private SinkTables() {}

  /** The table DDL (see {@code connectors/sql/}). */
  public static String ddl() {
    return LocalPostgres.resource(DDL);
  }

  /** Where the connectors write and read. */
  public record Target(
      String jdbcUrl, String user, String password, String registryUrl, String topicPrefix) {}

  /** A connector's name and config, as in the Connect REST API. */
  public record ConnectorConfig(String name, Map<String, String> config) {}

  /** Every sink connector's config from its file, pointed at {@code target}. */
  public static List<ConnectorConfig> configs(Topics topics, Target target) {
    return ALL.stream().map(s -> config(s, topics, target)).toList();
  }

  static ConnectorConfig config(Sink sink, Topics topics, Target target) {
    JsonNode doc;
    try {
      doc = JSON.readTree(LocalPostgres.resource(RESOURCES + sink.file()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + sink.file(), e);
    }
    Map<String, String> cfg = new LinkedHashMap<>();
    doc.path("config").fields().forEachRemaining(e -> cfg.put(e.getKey(), e.getValue().asText()));
    cfg.put("topics", sink.topic().apply(topics));
    cfg.put("connection.url", target.jdbcUrl());
    cfg.put("connection.username", target.user());
    cfg.put("connection.password", target.password() == null ? "" : target.password());
    cfg.put("value.converter.schema.registry.url", target.registryUrl());
    String prefix = target.topicPrefix() == null ? "" : target.topicPrefix();
    cfg.put("errors.deadletterqueue.topic.name", prefix + DLQ_TOPIC);
    String name = doc.path("name").asText();
    cfg.put("name", name);
    return new ConnectorConfig(name, cfg);
  }
}
