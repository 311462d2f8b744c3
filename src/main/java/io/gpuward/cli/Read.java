package io.gpuward.cli;

import java.time.Instant;

/**
 * One record as {@code status} and {@code explain} read it: where it is, its key, and its decoded
 * value (null for a tombstone on a compacted topic).
 */
record Read<V>(String topic, int partition, long offset, Instant timestamp, String key, V value) {

  /** A record of the same place with another value (tests build records with this). */
  static <V> Read<V> of(String topic, int partition, long offset, String key, V value) {
    return new Read<>(topic, partition, offset, Instant.EPOCH, key, value);
  }
}
