package io.gpuward.engine;

import io.gpuward.engine.domain.Evidences;
import io.gpuward.engine.domain.Signal;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Runs a pure rule over each input record, giving it the record's Kafka coordinates so the verdict
 * can name its evidence (topic/partition/offset).
 */
final class SignalProcessor<V> implements FixedKeyProcessor<String, V, Signal> {
  private final BiFunction<V, Evidences.Coordinates, Optional<? extends Signal>> rule;
  private FixedKeyProcessorContext<String, Signal> context;

  SignalProcessor(BiFunction<V, Evidences.Coordinates, Optional<? extends Signal>> rule) {
    this.rule = rule;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Signal> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    if (record.value() == null) {
      return;
    }
    Evidences.Coordinates at =
        context
            .recordMetadata()
            .map(m -> new Evidences.Coordinates(m.topic(), m.partition(), m.offset()))
            .orElse(Evidences.NONE);
    rule.apply(record.value(), at).ifPresent(s -> context.forward(record.withValue(s)));
  }
}
