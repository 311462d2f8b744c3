package io.gpuward.remediation;

import io.gpuward.avro.DeadLetterKind;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * One record the remediator read as bytes: decoded and checked, or refused with the reason. The
 * remediator's consumers read bytes and decode here, one record at a time, so that a record that
 * cannot be read is dead-lettered instead of stopping the poll loop.
 */
sealed interface Intake<V> permits Intake.Accepted, Intake.Refused {

  /** A record to use; {@code value} is null only for a tombstone where those are allowed. */
  record Accepted<V>(String key, V value) implements Intake<V> {}

  /** A record to dead-letter: the stage that refused it, why, and the exception if one did. */
  record Refused<V>(DeadLetterKind kind, String reason, Throwable error) implements Intake<V> {}

  /**
   * Decodes {@code r} with {@code values} (the topic's serde, so its registry caching applies) and
   * checks it.
   *
   * @param tombstones whether a null value is a deletion (compacted topics) rather than garbage
   * @param check why a decoded record is refused, or empty
   */
  static <V> Intake<V> read(
      ConsumerRecord<byte[], byte[]> r,
      Deserializer<V> values,
      boolean tombstones,
      BiFunction<String, V, Optional<String>> check) {
    if (r.key() == null) {
      return new Refused<>(DeadLetterKind.VALIDATION, "record has no key", null);
    }
    String key = new String(r.key(), StandardCharsets.UTF_8);
    if (r.value() == null) {
      return tombstones
          ? new Accepted<>(key, null)
          : new Refused<>(DeadLetterKind.VALIDATION, "record has no value", null);
    }
    V value;
    try {
      value = values.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      return new Refused<>(DeadLetterKind.DESERIALIZATION, messages(e), e);
    }
    Optional<String> problem = check.apply(key, value);
    return problem.isPresent()
        ? new Refused<>(DeadLetterKind.VALIDATION, problem.get(), null)
        : new Accepted<>(key, value);
  }

  /** The messages along the cause chain, each once: a registry failure keeps its cause. */
  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && b.indexOf(c.getMessage()) < 0) {
        b.append(b.isEmpty() ? "" : ": ").append(c.getMessage());
      }
    }
    return b.isEmpty() ? t.getClass().getSimpleName() : b.toString();
  }
}
