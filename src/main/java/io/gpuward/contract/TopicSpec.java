package io.gpuward.contract;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a topic is on the broker: its full name (prefix applied), how it is kept, and how it is
 * created.
 *
 * @param id catalog id (e.g. {@code verdicts}), stable across prefixes
 * @param name full topic name
 * @param valueRecord simple name of the Avro record in {@code schemas/} the values carry
 * @param kind stream or compacted
 * @param partitions partition count at creation
 * @param replicationFactor replication factor at creation
 * @param configs topic configs at creation (cleanup.policy is derived from {@code kind})
 */
public record TopicSpec(
    String id,
    String name,
    String valueRecord,
    TopicKind kind,
    int partitions,
    short replicationFactor,
    Map<String, String> configs) {

  public TopicSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(valueRecord, "valueRecord");
    Objects.requireNonNull(kind, "kind");
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("topic " + name + ": replicationFactor must be >= 1");
    }
    configs = Map.copyOf(configs);
  }

  /** Topic configs to create the topic with, including the cleanup policy its kind implies. */
  public Map<String, String> creationConfigs() {
    var all = new TreeMap<>(configs);
    all.put("cleanup.policy", kind == TopicKind.COMPACTED ? "compact" : "delete");
    return all;
  }

  /** Subject the value schema is registered under (TopicNameStrategy). */
  public String valueSubject() {
    return name + "-value";
  }
}
