package io.gpuward.engine;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The engine runs on event time: each input carries its own, which is used whatever timestamp the
 * producer put on the record.
 */
public final class EventTimeExtractor implements TimestampExtractor {
  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    Object v = record.value();
    if (v instanceof GpuSample s) {
      return s.getEventTime().toEpochMilli();
    }
    if (v instanceof XidEvent x) {
      return x.getEventTime().toEpochMilli();
    }
    if (v instanceof NodeEvent e) {
      return e.getEventTime().toEpochMilli();
    }
    if (v instanceof NodeInventory i) {
      return i.getUpdatedAt().toEpochMilli();
    }
    return record.timestamp() >= 0 ? record.timestamp() : partitionTime;
  }
}
