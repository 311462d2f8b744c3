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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poison bytes (not Confluent-framed, unknown schema id, undecodable Avro) become a {@link
 * DeadLetter} on the DLQ topic, written by Streams in the same transaction as the task's output;
 * processing continues. Logged with coordinates and counted.
 *
 * <p>Configured through the Streams config: {@link #DLQ_TOPIC}, {@link #SERIALIZER} (a {@code
 * Serializer<DeadLetter>}), {@link #METERS} (a {@link MeterRegistry}), {@link #CLOCK}.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
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
  public Response handleError(
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
    return Response.resume(List.of(new ProducerRecord<>(topic, null, record.key(), value)));
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
