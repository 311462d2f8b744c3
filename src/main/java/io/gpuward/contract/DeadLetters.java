package io.gpuward.contract;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds {@link DeadLetter} records. */
public final class DeadLetters {
  private DeadLetters() {}

  public static DeadLetter of(
      String topic,
      int partition,
      long offset,
      Long timestamp,
      byte[] key,
      byte[] value,
      DeadLetterKind kind,
      String reason,
      Throwable error,
      String application,
      Instant failedAt) {
    Integer schemaId = null;
    if (value != null) {
      var id = WireFormat.schemaIdOf(value);
      schemaId = id.isPresent() ? id.getAsInt() : null;
    }
    return DeadLetter.newBuilder()
        .setOriginalTopic(topic)
        .setOriginalPartition(partition)
        .setOriginalOffset(offset)
        .setOriginalTimestamp(
            timestamp == null || timestamp < 0 ? null : Instant.ofEpochMilli(timestamp))
        .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
        .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
        .setKind(kind)
        .setReason(reason)
        .setErrorClass(error == null ? null : error.getClass().getName())
        .setSchemaId(schemaId)
        .setApplication(application)
        .setFailedAt(failedAt)
        .build();
  }
}
