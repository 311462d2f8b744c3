package io.gpuward.engine;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.EventTimeBounds;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The engine runs on event time: each input carries its own, which is used whatever timestamp the
 * producer put on the record. An event time outside the {@link EventTimeBounds} is not believed:
 * the record gets its partition's current time instead (0 before the first record), so it cannot
 * move stream time, and the check that follows the source sees that its timestamp is not its event
 * time and dead-letters it ({@link #wasRefused}).
 */
public final class EventTimeExtractor implements TimestampExtractor {
  /** The event time of a value with none: it is never refused here. */
  public static final long NONE = Long.MIN_VALUE;

  private final Clock wall;
  private final EventTimeBounds bounds;

  public EventTimeExtractor(Clock wall, EventTimeBounds bounds) {
    this.wall = wall;
    this.bounds = bounds;
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof Decoded.Undecodable<?> u) {
      u.sourceTimestamp(record.timestamp());
      return Math.max(partitionTime, 0);
    }
    long eventTime = eventTime(record.value());
    if (eventTime == NONE) {
      return withoutEventTime(record.timestamp(), partitionTime);
    }
    if (bounds.accepts(eventTime, wall.millis())) {
      return eventTime;
    }
    return Math.max(partitionTime, 0);
  }

  /**
   * A record with no event time of its own (a tombstone) takes the producer's timestamp only when
   * it is not ahead of the partition: that timestamp is the producer's wall clock, which in a
   * cluster whose events run behind it (a replay, a simulated past) would otherwise expire open
   * windows.
   */
  static long withoutEventTime(long producerTimestamp, long partitionTime) {
    if (partitionTime < 0) {
      return Math.max(producerTimestamp, 0);
    }
    return producerTimestamp >= 0 ? Math.min(producerTimestamp, partitionTime) : partitionTime;
  }

  /** The event time a value carries, or {@link #NONE}. */
  public static long eventTime(Object value) {
    if (value instanceof Decoded.Ok<?> ok) {
      value = ok.value();
    }
    if (value instanceof GpuSample s && s.getEventTime() != null) {
      return s.getEventTime().toEpochMilli();
    }
    if (value instanceof XidEvent x && x.getEventTime() != null) {
      return x.getEventTime().toEpochMilli();
    }
    if (value instanceof NodeEvent e && e.getEventTime() != null) {
      return e.getEventTime().toEpochMilli();
    }
    if (value instanceof NodeInventory i && i.getUpdatedAt() != null) {
      return i.getUpdatedAt().toEpochMilli();
    }
    return NONE;
  }

  /**
   * Whether the extractor refused the event time of {@code value}, whose record got {@code
   * timestamp}: a believed event time is always the record's timestamp.
   */
  public static boolean wasRefused(Object value, long timestamp) {
    long eventTime = eventTime(value);
    return eventTime != NONE && eventTime != timestamp;
  }
}
