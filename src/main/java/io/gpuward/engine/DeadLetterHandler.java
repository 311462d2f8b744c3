package io.gpuward.engine;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.contract.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poison bytes (not Confluent-framed, unknown schema id, undecodable Avro) become a {@link
 * DeadLetter} on the DLQ topic, written by Streams in the same transaction as the task's output;
 * processing continues. Logged with coordinates and counted. The engine's inputs never get here:
 * they are decoded by a {@link DecodingSerde} and dead-lettered by their check, in the transaction
 * that commits past them (a record skipped here is committed past only with the next record of its
 * partition). This stays the safety net for what the engine reads besides (its repartition topic,
 * the incidents it writes).
 *
 * <p>So does a record whose processing throws: a rule that cannot cope with one record must not
 * stop the engine for the whole fleet (a stopped thread stops every node's verdicts). The dead
 * letter holds the source record's bytes, the processor and the exception, so the bug can be
 * reproduced; the counter makes it visible.
 *
 * <p>Configured through the Streams config: {@link #DLQ_TOPIC}, {@link #SERIALIZER} (a {@code
 * Serializer<DeadLetter>}), {@link #METERS} (a {@link MeterRegistry}), {@link #CLOCK}.
 */
public final class DeadLetterHandler
    implements DeserializationExceptionHandler, ProcessingExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);

  public static final String DLQ_TOPIC = "gpuward.dlq.topic";
  public static final String SERIALIZER = "gpuward.dlq.serializer";
  public static final String METERS = "gpuward.meters";
  public static final String CLOCK = "gpuward.clock";
  public static final String APPLICATION = "gpuward.application";

  private String topic;
  private Serializer<DeadLetter> serializer;
  private MeterRegistry meters;
  private Clock clock;
  private String application;

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs) {
    topic = (String) require(configs, DLQ_TOPIC);
    serializer = (Serializer<DeadLetter>) require(configs, SERIALIZER);
    meters = (MeterRegistry) require(configs, METERS);
    Object c = configs.get(CLOCK);
    clock = c instanceof Clock cl ? cl : Clock.systemUTC();
    Object app = configs.get(APPLICATION);
    application = app == null ? "gpuward-engine" : app.toString();
  }

  private static Object require(Map<String, ?> configs, String key) {
    Object v = configs.get(key);
    if (v == null) {
      throw new IllegalStateException(DeadLetterHandler.class.getSimpleName() + " needs " + key);
    }
    return v;
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    String reason = rootMessage(exception);
    log.warn(
        "dead-lettered undecodable record topic={} partition={} offset={}: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        reason);
    meters
        .counter(
            EngineMetrics.DEAD_LETTERS,
            "topic",
            record.topic(),
            "kind",
            DeadLetterKind.DESERIALIZATION.name())
        .increment();
    DeadLetter dl =
        DeadLetters.of(
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp(),
            record.key(),
            record.value(),
            DeadLetterKind.DESERIALIZATION,
            reason,
            exception,
            application,
            clock.instant());
    byte[] value = serializer.serialize(topic, dl);
    return DeserializationExceptionHandler.Response.resume(
        List.of(new ProducerRecord<>(topic, null, record.key(), value)));
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    String reason = "processor " + context.processorNodeId() + " failed: " + rootMessage(exception);
    log.error(
        "dead-lettered a record whose processing failed topic={} partition={} offset={}: {}",
        context.topic(),
        context.partition(),
        context.offset(),
        reason,
        exception);
    meters
        .counter(
            EngineMetrics.DEAD_LETTERS,
            "topic",
            String.valueOf(context.topic()),
            "kind",
            DeadLetterKind.PROCESSING.name())
        .increment();
    DeadLetter dl =
        DeadLetters.of(
            String.valueOf(context.topic()),
            context.partition(),
            context.offset(),
            context.timestamp(),
            context.sourceRawKey(),
            context.sourceRawValue(),
            DeadLetterKind.PROCESSING,
            reason,
            exception,
            application,
            clock.instant());
    byte[] value = serializer.serialize(topic, dl);
    return ProcessingExceptionHandler.Response.resume(
        List.of(new ProducerRecord<>(topic, null, context.sourceRawKey(), value)));
  }

  static String rootMessage(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && !b.toString().contains(c.getMessage())) {
        if (!b.isEmpty()) {
          b.append(": ");
        }
        b.append(c.getMessage());
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return b.isEmpty() ? t.getClass().getSimpleName() : b.toString();
  }
}
