package io.gpuward.engine;

/**
 * What a {@link DecodingSerde} read from an input record: its value, or why it could not be read.
 * Reading never throws, so Kafka Streams hands every input record to the {@code *-check} processor
 * instead of its deserialization handler: a record the handler skips is committed past only when
 * the next record of its partition is processed, so a commit and a crash in between dead-letter it
 * again on restart, while a processed record's dead letter and offset share one transaction.
 */
sealed interface Decoded<V> permits Decoded.Ok, Decoded.Undecodable {

  /** A value that decoded. */
  record Ok<V>(V value) implements Decoded<V> {}

  /**
   * Bytes that are not a record of any schema the engine knows: not Confluent-framed, an unknown
   * schema id, undecodable Avro. Keeps what the dead letter needs: the failure and the raw key and
   * value.
   */
  final class Undecodable<V> implements Decoded<V> {
    private final String reason;
    private final RuntimeException error;
    private final byte[] rawKey;
    private final byte[] rawValue;
    private long sourceTimestamp = -1;

    Undecodable(String reason, RuntimeException error, byte[] rawKey, byte[] rawValue) {
      this.reason = reason;
      this.error = error;
      this.rawKey = rawKey;
      this.rawValue = rawValue;
    }

    String reason() {
      return reason;
    }

    RuntimeException error() {
      return error;
    }

    byte[] rawKey() {
      return rawKey;
    }

    byte[] rawValue() {
      return rawValue;
    }

    /** The record's own Kafka timestamp, or -1 if it has none. */
    long sourceTimestamp() {
      return sourceTimestamp;
    }

    /**
     * Set by the {@link EventTimeExtractor}, the only reader that sees the record's own timestamp:
     * it gives the record the partition's time instead, so that bytes nobody can read cannot move
     * stream time, and the dead letter still names the timestamp the record was written with.
     */
    void sourceTimestamp(long timestamp) {
      this.sourceTimestamp = timestamp;
    }
  }
}
