package io.gpuward.engine;

import io.gpuward.avro.DeadLetterKind;
import io.gpuward.config.Durations;
import io.gpuward.contract.DeadLetters;
import io.gpuward.contract.EventTimeBounds;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge of the engine: every input record is checked here before any state sees it. In order:
 * bytes that could not be decoded ({@link Decoded.Undecodable}), a null key or value, an event time
 * the {@link EventTimeExtractor} refused, the record's own pure check, telemetry of nodes without
 * inventory ({@link InventoryGate}), and records too late for their window (instead of letting the
 * window drop them silently). A rejected record becomes a dead letter (its bytes re-encoded, its
 * coordinates and the reason kept), is logged with its coordinates and counted, and goes only to
 * the dead-letter child. A valid record goes on unchanged, to one named child when there is one
 * (the GPU sample path: no branch or unwrap step per sample), otherwise to every child.
 */
final class CheckProcessor<V> implements FixedKeyProcessor<String, Decoded<V>, Object> {
  private static final Logger log = LoggerFactory.getLogger(CheckProcessor.class);

  /**
   * Why a record at {@code ts} is too late, or empty, given the newest timestamp this check passed
   * ({@code Long.MIN_VALUE} before the first) and the task's stream time.
   */
  @FunctionalInterface
  interface LateCheck {
    Optional<String> tooLate(long ts, long newestSeen, long streamTime);

    /** Past the grace of its tumbling window of {@code size}, as the newest record places it. */
    static LateCheck pastWindowGrace(long size, long grace) {
      return (ts, newestSeen, streamTime) -> {
        if (newestSeen == Long.MIN_VALUE
            || ts - Math.floorMod(ts, size) + size + grace > newestSeen) {
          return Optional.empty();
        }
        return Optional.of(
            "event time "
                + Instant.ofEpochMilli(ts)
                + " is past its window's grace period (newest "
                + Instant.ofEpochMilli(newestSeen)
                + ")");
      };
    }

    /**
     * More than {@code limit} behind the task's stream time: the verdict it would open would be
     * past its validUntil at once, and the stream-time expiry would clear it at its next tick.
     */
    static LateCheck behindStreamTime(Duration limit) {
      long max = limit.toMillis();
      return (ts, newestSeen, streamTime) -> {
        if (streamTime < 0 || streamTime - ts <= max) {
          return Optional.empty();
        }
        return Optional.of(
            "event time "
                + Instant.ofEpochMilli(ts)
                + " is more than "
                + Durations.format(limit)
                + " (the longest TTL of a verdict it can open) behind stream time "
                + Instant.ofEpochMilli(streamTime)
                + ": its verdict would be born expired");
      };
    }
  }

  /** What every check of one engine shares. */
  record Edge(Clock wall, EventTimeBounds bounds, String application, MeterRegistry meters) {}

  private record Rejection(DeadLetterKind kind, String reason) {}

  private final BiFunction<String, V, Optional<String>> check;
  private final LateCheck late;
  private final Serializer<V> serializer;
  private final Edge edge;
  private final InventoryGate gate;
  private final String deadLetterChild;
  private final String validChild;
  private FixedKeyProcessorContext<String, Object> context;
  private long newestSeen = Long.MIN_VALUE;

  CheckProcessor(
      BiFunction<String, V, Optional<String>> check,
      LateCheck late,
      Serializer<V> serializer,
      Edge edge,
      InventoryGate gate,
      String deadLetterChild,
      String validChild) {
    this.check = check;
    this.late = late;
    this.serializer = serializer;
    this.edge = edge;
    this.gate = gate;
    this.deadLetterChild = deadLetterChild;
    this.validChild = validChild;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Object> context) {
    this.context = context;
    if (gate != null) {
      gate.init(context);
    }
  }

  @Override
  public void process(FixedKeyRecord<String, Decoded<V>> in) {
    if (in.value() instanceof Decoded.Undecodable<V> u) {
      Undecodables.deadLetter(context, edge, in, u, deadLetterChild);
      return;
    }
    V value = in.value() == null ? null : ((Decoded.Ok<V>) in.value()).value();
    FixedKeyRecord<String, V> record = in.withValue(value);
    Optional<Rejection> rejection = rejection(record);
    if (rejection.isEmpty()) {
      if (validChild != null) {
        context.forward(record, validChild);
      } else {
        context.forward(record); // the dead-letter child passes only dead letters on
      }
      return;
    }
    deadLetter(record, rejection.get());
  }

  private Optional<Rejection> rejection(FixedKeyRecord<String, V> record) {
    V value = record.value();
    if (value == null) {
      return validation("null value (tombstone) on a stream topic");
    }
    if (record.key() == null) {
      return validation("null key: records are keyed by node");
    }
    long ts = record.timestamp();
    if (EventTimeExtractor.wasRefused(value, ts)) {
      long eventTime = EventTimeExtractor.eventTime(value);
      String reason =
          edge.bounds()
              .check(eventTime, edge.wall().millis())
              .orElse("event time " + Instant.ofEpochMilli(eventTime) + " was out of bounds");
      return Optional.of(new Rejection(DeadLetterKind.EVENT_TIME, reason));
    }
    Optional<String> problem = check.apply(record.key(), value);
    if (problem.isEmpty() && gate != null) {
      problem = gate.check(record.key(), ts);
    }
    if (problem.isPresent()) {
      return validation(problem.get());
    }
    return lateness(ts);
  }

  private Optional<Rejection> lateness(long ts) {
    if (late == null) {
      return Optional.empty();
    }
    Optional<String> tooLate = late.tooLate(ts, newestSeen, context.currentStreamTimeMs());
    if (tooLate.isPresent()) {
      return Optional.of(new Rejection(DeadLetterKind.LATE_EVENT, tooLate.get()));
    }
    newestSeen = Math.max(newestSeen, ts);
    return Optional.empty();
  }

  private static Optional<Rejection> validation(String reason) {
    return Optional.of(new Rejection(DeadLetterKind.VALIDATION, reason));
  }

  private void deadLetter(FixedKeyRecord<String, V> record, Rejection rejection) {
    var meta = context.recordMetadata();
    String topic = meta.map(RecordMetadata::topic).orElse("unknown");
    int partition = meta.map(RecordMetadata::partition).orElse(-1);
    long offset = meta.map(RecordMetadata::offset).orElse(-1L);
    log.warn(
        "rejected invalid record topic={} partition={} offset={} key={}: {}",
        topic,
        partition,
        offset,
        DeadLetters.printable(record.key()),
        rejection.reason());
    edge.meters()
        .counter(EngineMetrics.DEAD_LETTERS, "topic", topic, "kind", rejection.kind().name())
        .increment();
    V value = record.value();
    long now = edge.wall().millis();
    var dl =
        DeadLetters.of(
            topic,
            partition,
            offset,
            record.timestamp(),
            record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
            value == null ? null : serializer.serialize(topic, value),
            rejection.kind(),
            rejection.reason(),
            null,
            edge.application(),
            Instant.ofEpochMilli(now));
    // A refused event time gave the record a stand-in timestamp (0 before the partition's first
    // record), which the dead-letter topic's retention would delete at once: stamp it now instead.
    long ts = rejection.kind() == DeadLetterKind.EVENT_TIME ? now : record.timestamp();
    context.forward(record.withValue((Object) dl).withTimestamp(ts), deadLetterChild);
  }
}
