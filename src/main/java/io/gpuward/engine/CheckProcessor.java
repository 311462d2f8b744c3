package io.gpuward.engine;

import io.gpuward.avro.DeadLetterKind;
import io.gpuward.contract.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates input records with a pure check, optionally rejects telemetry of nodes without
 * inventory ({@link InventoryGate}), and optionally drops records too late for their window
 * (instead of letting the window drop them silently). A rejected record becomes a dead letter (its
 * bytes re-encoded, its coordinates and the reason kept), is logged with its coordinates and
 * counted, and goes only to the dead-letter child. A valid record goes on unchanged, to one named
 * child when there is one (the GPU sample path: no branch or unwrap step per sample), otherwise to
 * every child.
 */
final class CheckProcessor<V> implements FixedKeyProcessor<String, V, Object> {
  private static final Logger log = LoggerFactory.getLogger(CheckProcessor.class);

  /** Whether a record at {@code ts} is too late, given the newest timestamp seen so far. */
  @FunctionalInterface
  interface LateCheck {
    boolean tooLate(long ts, long newestSeen);
  }

  private final BiFunction<String, V, Optional<String>> check;
  private final LateCheck late;
  private final Serializer<V> serializer;
  private final String application;
  private final MeterRegistry meters;
  private final InventoryGate gate;
  private FixedKeyProcessorContext<String, Object> context;
  private final String deadLetterChild;
  private final String validChild;
  private long newestSeen = Long.MIN_VALUE;

  CheckProcessor(
      BiFunction<String, V, Optional<String>> check,
      LateCheck late,
      Serializer<V> serializer,
      String application,
      MeterRegistry meters,
      InventoryGate gate,
      String deadLetterChild,
      String validChild) {
    this.gate = gate;
    this.deadLetterChild = deadLetterChild;
    this.validChild = validChild;
    this.check = check;
    this.late = late;
    this.serializer = serializer;
    this.application = application;
    this.meters = meters;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Object> context) {
    this.context = context;
    if (gate != null) {
      gate.init(context);
    }
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    V value = record.value();
    Optional<String> problem =
        value == null
            ? Optional.of("null value (tombstone) on a stream topic")
            : check.apply(record.key(), value);
    DeadLetterKind kind = DeadLetterKind.VALIDATION;
    long ts = record.timestamp();
    if (problem.isEmpty() && gate != null) {
      problem = gate.check(record.key(), ts);
    }
    if (problem.isEmpty() && late != null) {
      if (newestSeen != Long.MIN_VALUE && late.tooLate(ts, newestSeen)) {
        kind = DeadLetterKind.LATE_EVENT;
        problem =
            Optional.of(
                "event time "
                    + Instant.ofEpochMilli(ts)
                    + " is past its window's grace period (newest "
                    + Instant.ofEpochMilli(newestSeen)
                    + ")");
      } else {
        newestSeen = Math.max(newestSeen, ts);
      }
    }
    if (problem.isEmpty()) {
      if (validChild != null) {
        context.forward(record, validChild);
      } else {
        context.forward(record); // the dead-letter child passes only dead letters on
      }
      return;
    }
    var meta = context.recordMetadata();
    String topic = meta.map(m -> m.topic()).orElse("unknown");
    int partition = meta.map(m -> m.partition()).orElse(-1);
    long offset = meta.map(m -> m.offset()).orElse(-1L);
    log.warn(
        "rejected invalid record topic={} partition={} offset={} key={}: {}",
        topic,
        partition,
        offset,
        record.key(),
        problem.get());
    meters.counter(EngineMetrics.DEAD_LETTERS, "topic", topic, "kind", kind.name()).increment();
    byte[] bytes = value == null ? null : serializer.serialize(topic, value);
    var dl =
        DeadLetters.of(
            topic,
            partition,
            offset,
            record.timestamp(),
            record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
            bytes,
            kind,
            problem.get(),
            null,
            application,
            Instant.ofEpochMilli(record.timestamp()));
    context.forward(record.withValue(dl), deadLetterChild);
  }
}
