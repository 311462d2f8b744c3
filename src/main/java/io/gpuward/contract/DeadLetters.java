package io.gpuward.contract;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds {@link DeadLetter} records. */
public final class DeadLetters {
  /** How much of a rejected key or name a log line or reason quotes. */
  public static final int QUOTE_LIMIT = 80;

  private DeadLetters() {}

  /**
   * {@code text} as a log line or reason may quote it: at most {@link #QUOTE_LIMIT} characters (a
   * forged 10 KB node name must not flood the log), control characters escaped (nor forge lines).
   */
  public static String printable(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    int i = 0;
    for (; i < text.length() && b.length() < QUOTE_LIMIT; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (i < text.length()) {
      b.append("… (").append(text.length()).append(" chars)");
    }
    return b.toString();
  }

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
