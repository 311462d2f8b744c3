package io.gpuward.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topic catalog ({@code streams/topics.yaml}, shipped in the jar): every topic of the product
 * contract, by catalog id. Loaded once at startup; a malformed catalog fails with the offending
 * key.
 */
public final class TopicCatalog {

  /** Classpath location of the catalog shipped in the jar. */
  public static final String RESOURCE = "/gpuward/streams/topics.yaml";

  private final Map<String, TopicSpec> byId;

  private TopicCatalog(Map<String, TopicSpec> byId) {
    // Insertion-ordered: all() promises catalog order, which generated deploy files rely on.
    this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
  }

  /** Loads the catalog shipped in the jar and applies {@code prefix} to every topic name. */
  public static TopicCatalog load(String prefix) {
    try (InputStream in = TopicCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("topic catalog " + RESOURCE + " missing from classpath");
      }
      return parse(in, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read topic catalog " + RESOURCE, e);
    }
  }

  static TopicCatalog parse(InputStream yaml, String prefix) throws IOException {
    String pfx = prefix == null ? "" : prefix;
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    JsonNode defaults = root.path("defaults");
    int defPartitions = defaults.path("partitions").asInt(1);
    short defRf = (short) defaults.path("replicationFactor").asInt(1);
    JsonNode topics = root.path("topics");
    if (!topics.isObject() || topics.isEmpty()) {
      throw new IllegalArgumentException("topic catalog: 'topics' must be a non-empty map");
    }
    Map<String, TopicSpec> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = topics.fields(); it.hasNext(); ) {
      var e = it.next();
      String id = e.getKey();
      JsonNode t = e.getValue();
      String where = "topic catalog: topics." + id;
      String name = required(t, "name", where);
      String value = required(t, "value", where);
      TopicKind kind;
      try {
        kind = TopicKind.parse(required(t, "kind", where));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(where + ".kind: " + ex.getMessage(), ex);
      }
      Map<String, String> configs = new LinkedHashMap<>();
      t.path("configs")
          .fields()
          .forEachRemaining(c -> configs.put(c.getKey(), c.getValue().asText()));
      out.put(
          id,
          new TopicSpec(
              id,
              pfx + name,
              value,
              kind,
              t.path("partitions").asInt(defPartitions),
              (short) t.path("replicationFactor").asInt(defRf),
              configs));
    }
    return new TopicCatalog(out);
  }

  private static String required(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.asText().isBlank()) {
      throw new IllegalArgumentException(where + "." + field + " is required");
    }
    return v.asText();
  }

  /** The spec for catalog id {@code id}; fails naming the id when it is not in the catalog. */
  public TopicSpec spec(String id) {
    TopicSpec spec = byId.get(id);
    if (spec == null) {
      throw new IllegalArgumentException("topic catalog has no topic '" + id + "'");
    }
    return spec;
  }

  /** All topics, in catalog order. */
  public List<TopicSpec> all() {
    return new ArrayList<>(byId.values());
  }

  /** The same catalog with every partition count replaced (benchmarks, tests, small demos). */
  public TopicCatalog withPartitions(int partitions) {
    return map(
        s ->
            new TopicSpec(
                s.id(),
                s.name(),
                s.valueRecord(),
                s.kind(),
                partitions,
                s.replicationFactor(),
                s.configs()));
  }

  /**
   * The same catalog with no time limit on any stream topic ({@code retention.ms=-1}). For the
   * embedded demo broker only: a simulated run replays hours or days of event time, and retention
   * is measured against record timestamps, so the catalog's retention would delete a run's first
   * records while it is still going.
   */
  public TopicCatalog withUnlimitedRetention() {
    return map(
        s -> {
          if (s.kind() != TopicKind.STREAM) {
            return s;
          }
          Map<String, String> configs = new LinkedHashMap<>(s.configs());
          configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
          return new TopicSpec(
              s.id(),
              s.name(),
              s.valueRecord(),
              s.kind(),
              s.partitions(),
              s.replicationFactor(),
              configs);
        });
  }

  private TopicCatalog map(UnaryOperator<TopicSpec> change) {
    Map<String, TopicSpec> out = new LinkedHashMap<>();
    byId.forEach((id, s) -> out.put(id, change.apply(s)));
    return new TopicCatalog(out);
  }
}
