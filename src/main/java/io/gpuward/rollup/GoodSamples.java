package io.gpuward.rollup;

import io.gpuward.avro.GpuSample;
import io.gpuward.engine.EventTimeExtractor;
import io.gpuward.engine.domain.InputChecks;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Passes on the samples the verdict engine accepts: keyed, valid, and with a believed event time
 * (the extractor gave the record its own event time). The others are dropped here because the
 * engine dead-letters them already.
 */
final class GoodSamples implements Processor<String, GpuSample, String, GpuSample> {
  private ProcessorContext<String, GpuSample> context;

  @Override
  public void init(ProcessorContext<String, GpuSample> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, GpuSample> record) {
    GpuSample s = record.value();
    if (record.key() == null
        || s == null
        || EventTimeExtractor.wasRefused(s, record.timestamp())
        || InputChecks.check(record.key(), s).isPresent()) {
      return;
    }
    context.forward(record);
  }
}
