package io.gpuward.remediation;

import io.gpuward.avro.DeadLetter;
import io.gpuward.contract.DeadLetters;
import io.gpuward.contract.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dead letter of a record the remediator refused, logged with its coordinates and counted. */
final class DeadLetterRecords {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterRecords.class);

  private final Topics topics;
  private final Serializer<DeadLetter> values;
  private final String groupId;
  private final Clock clock;
  private final MeterRegistry meters;

  DeadLetterRecords(Topics topics, String groupId, Clock clock, MeterRegistry meters) {
    this.topics = topics;
    this.values = topics.dlq.valueSerde().serializer();
    this.groupId = groupId;
    this.clock = clock;
    this.meters = meters;
  }

  ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> r, Intake.Refused<?> refused) {
    log.warn(
        "dead-lettered record topic={} partition={} offset={} kind={}: {}",
        r.topic(),
        r.partition(),
        r.offset(),
        refused.kind(),
        refused.reason());
    meters
        .counter(RemediationMetrics.DEAD_LETTERS, "topic", r.topic(), "kind", refused.kind().name())
        .increment();
    DeadLetter dl =
        DeadLetters.of(
            r.topic(),
            r.partition(),
            r.offset(),
            r.timestamp(),
            r.key(),
            r.value(),
            refused.kind(),
            refused.reason(),
            refused.error(),
            groupId,
            clock.instant());
    return new ProducerRecord<>(
        topics.dlq.name(), r.key(), values.serialize(topics.dlq.name(), dl));
  }
}
