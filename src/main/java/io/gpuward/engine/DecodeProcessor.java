package io.gpuward.engine;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The edge of an input that has no other check (inventory): a value that could not be decoded
 * becomes a dead letter, for the dead-letter child only; every other record, tombstones included,
 * goes on unwrapped to every child (the dead-letter child passes only dead letters on).
 */
final class DecodeProcessor<V> implements FixedKeyProcessor<String, Decoded<V>, Object> {
  private final CheckProcessor.Edge edge;
  private final String deadLetterChild;
  private FixedKeyProcessorContext<String, Object> context;

  DecodeProcessor(CheckProcessor.Edge edge, String deadLetterChild) {
    this.edge = edge;
    this.deadLetterChild = deadLetterChild;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, Decoded<V>> record) {
    if (record.value() instanceof Decoded.Undecodable<V> u) {
      Undecodables.deadLetter(context, edge, record, u, deadLetterChild);
      return;
    }
    Object value = record.value() == null ? null : ((Decoded.Ok<V>) record.value()).value();
    context.forward(record.withValue(value));
  }
}
