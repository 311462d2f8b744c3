package io.gpuward.contract;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/** Makes the value serde of a topic: Confluent-framed Avro of one record type. */
@FunctionalInterface
public interface SerdeFactory {
  <V extends SpecificRecord> Serde<V> valueSerde(Class<V> type);
}
