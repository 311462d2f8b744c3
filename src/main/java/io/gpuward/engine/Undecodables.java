package io.gpuward.engine;

import io.gpuward.avro.DeadLetterKind;
import io.gpuward.contract.DeadLetters;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dead letters of input records whose value could not be decoded ({@link Decoded.Undecodable}). */
final class Undecodables {
  private static final Logger log = LoggerFactory.getLogger(Undecodables.class);

  private Undecodables() {}

  /**
   * The same dead letter Kafka Streams' deserialization handler ({@link DeadLetterHandler}) would
   * write: the raw key and value, the record's own timestamp, the decoder's exception.
   */
  static <V> void deadLetter(
      FixedKeyProcessorContext<String, Object> context,
      CheckProcessor.Edge edge,
      FixedKeyRecord<String, Decoded<V>> record,
      Decoded.Undecodable<V> u,
      String deadLetterChild) {
    var meta = context.recordMetadata();
    String topic = meta.map(RecordMetadata::topic).orElse("unknown");
    int partition = meta.map(RecordMetadata::partition).orElse(-1);
    long offset = meta.map(RecordMetadata::offset).orElse(-1L);
    log.warn(
        "dead-lettered undecodable record topic={} partition={} offset={}: {}",
        topic,
        partition,
        offset,
        u.reason());
    edge.meters()
        .counter(
            EngineMetrics.DEAD_LETTERS,
            "topic",
            topic,
            "kind",
            DeadLetterKind.DESERIALIZATION.name())
        .increment();
    Instant now = edge.wall().instant();
    var dl =
        DeadLetters.of(
            topic,
            partition,
            offset,
            u.sourceTimestamp(),
            u.rawKey(),
            u.rawValue(),
            DeadLetterKind.DESERIALIZATION,
            u.reason(),
            u.error(),
            edge.application(),
            now);
    // Its timestamp is the partition's time, not the record's: stamp it now, as for EVENT_TIME.
    context.forward(
        record.withValue((Object) dl).withTimestamp(now.toEpochMilli()), deadLetterChild);
  }
}
