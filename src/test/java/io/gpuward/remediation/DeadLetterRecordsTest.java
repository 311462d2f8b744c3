package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.DeadLetterKind;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DeadLetterRecordsTest {
  private final Topics topics =
      new Topics(TopicCatalog.load(""), new AvroSerdes(new InMemorySchemaRegistry(), true));
  private final Clock clock = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ConsumerRecord<byte[], byte[]> garbage =
      new ConsumerRecord<>(
          topics.control.name(),
          0,
          42,
          "k".getBytes(StandardCharsets.UTF_8),
          "not avro".getBytes(StandardCharsets.UTF_8));
  private final Intake.Refused<Object> refused =
      new Intake.Refused<>(DeadLetterKind.DESERIALIZATION, "not framed", null);

  private double counted() {
    return meters
        .counter(
            RemediationMetrics.DEAD_LETTERS,
            "topic",
            topics.control.name(),
            "kind",
            DeadLetterKind.DESERIALIZATION.name())
        .count();
  }

  @Test
  void shouldWriteTheDeadLetterOfARefusedRecordOnTheLiveRemediator() {
    var live = new DeadLetterRecords(topics, "gpuward-remediator", clock, meters, true);

    assertThat(live.of(garbage, refused))
        .get()
        .satisfies(r -> assertThat(r.topic()).isEqualTo(topics.dlq.name()));
    assertThat(counted()).isEqualTo(1.0);
  }

  @Test
  void shouldCountButNotWriteARefusedRecordOnTheShadow() {
    var shadow = new DeadLetterRecords(topics, "gpuward-remediator-shadow", clock, meters, false);

    assertThat(shadow.of(garbage, refused)).as("the live remediator writes it").isEmpty();
    assertThat(counted()).isEqualTo(1.0);
  }
}
