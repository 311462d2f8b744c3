package io.gpuward.remediation;

import io.gpuward.avro.DeadLetter;
import io.gpuward.contract.DeadLetters;
import io.gpuward.contract.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letter of a record the remediator refused, logged with its coordinates and counted. A
 * shadow remediator reads the same verdicts, control and inventory as the live one, which
 * dead-letters what both refuse: the shadow counts and logs it but writes nothing, so the DLQ holds
 * each bad record once.
 */
final class DeadLetterRecords {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterRecords.class);

  private final Topics topics;
  private final Serializer<DeadLetter> values;
  private final String groupId;
  private final Clock clock;
  private final MeterRegistry meters;
  private final boolean writes;

  /**
   * @param writes whether the dead letters are written; false for a shadow remediator
   */
  DeadLetterRecords(
      Topics topics, String groupId, Clock clock, MeterRegistry meters, boolean writes) {
    this.writes = writes;
    this.topics = topics;
    this.values = topics.dlq.valueSerde().serializer();
    this.groupId = groupId;
    this.clock = clock;
    this.meters = meters;
  }

  /** The dead letter to write for {@code r}, or empty when this remediator writes none. */
  Optional<ProducerRecord<byte[], byte[]>> of(
      ConsumerRecord<byte[], byte[]> r, Intake.Refused<?> refused) {
    log.warn(
        "{} record topic={} partition={} offset={} kind={}: {}",
        writes ? "dead-lettered" : "refused (the live remediator dead-letters it)",
        r.topic(),
        r.partition(),
        r.offset(),
        refused.kind(),
        refused.reason());
    meters
        .counter(RemediationMetrics.DEAD_LETTERS, "topic", r.topic(), "kind", refused.kind().name())
        .increment();
    if (!writes) {
      return Optional.empty();
    }
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
    return Optional.of(
        new ProducerRecord<>(topics.dlq.name(), r.key(), values.serialize(topics.dlq.name(), dl)));
  }
}
