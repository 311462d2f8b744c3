package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import java.time.Instant;

/** Builds {@link Evidence} values; rules name their evidence the same way. */
public final class Evidences {
  private Evidences() {}

  /** Where an input record sits in Kafka, or {@link #NONE} for derived inputs. */
  public record Coordinates(String topic, Integer partition, Long offset) {}

  public static final Coordinates NONE = new Coordinates("derived", null, null);

  public static Evidence.Builder of(
      Coordinates at, String eventId, Instant eventTime, String signal) {
    return Evidence.newBuilder()
        .setSource(at.topic())
        .setPartition(at.partition())
        .setOffset(at.offset())
        .setEventId(eventId)
        .setEventTime(eventTime)
        .setSignal(signal)
        .setValue(null)
        .setWindowStart(null)
        .setWindowEnd(null)
        .setGpuUuid(null)
        .setDetail(null);
  }
}
