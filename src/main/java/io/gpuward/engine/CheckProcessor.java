package io.gpuward.engine;

import io.gpuward.avro.DeadLetterKind;
import io.micrometer.core.instrument.Counter;
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
 * Validates input records with a pure check; an invalid record becomes a dead letter (its bytes
 * re-encoded, its coordinates and the reason kept), is logged with its coordinates and counted.
 */
final class CheckProcessor<V> implements FixedKeyProcessor<String, V, Checked<V>> {
  private static final Logger log = LoggerFactory.getLogger(CheckProcessor.class);

  private final BiFunction<String, V, Optional<String>> check;
  private final Serializer<V> serializer;
  private final String application;
  private final Counter rejected;
  private FixedKeyProcessorContext<String, Checked<V>> context;

  CheckProcessor(
      BiFunction<String, V, Optional<String>> check,
      Serializer<V> serializer,
      String application,
      Counter rejected) {
    this.check = check;
    this.serializer = serializer;
    this.application = application;
    this.rejected = rejected;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Checked<V>> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    V value = record.value();
    Optional<String> problem =
        value == null
            ? Optional.of("null value (tombstone) on a stream topic")
            : check.apply(record.key(), value);
    if (problem.isEmpty()) {
      context.forward(record.withValue(new Checked.Valid<>(value)));
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
    rejected.increment();
    byte[] bytes = value == null ? null : serializer.serialize(topic, value);
    var dl =
        DeadLetters.of(
            topic,
            partition,
            offset,
            record.timestamp(),
            record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
            bytes,
            DeadLetterKind.VALIDATION,
            problem.get(),
            null,
            application,
            Instant.ofEpochMilli(record.timestamp()));
    context.forward(record.withValue(new Checked.Invalid<>(dl)));
  }
}
