package io.gpuward.contract;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A topic with its serdes: the one way roles name a topic. Keys are strings (node or scope).
 *
 * @param spec the topic as catalogued
 * @param valueType the Avro record class its values carry
 * @param valueSerde Confluent-framed Avro serde for the values
 */
public record Topic<V>(TopicSpec spec, Class<V> valueType, Serde<V> valueSerde) {

  public String name() {
    return spec.name();
  }

  public Serde<String> keySerde() {
    return Serdes.String();
  }
}
