package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DeadLetterHandlerTest {

  @Test
  void shouldTurnPoisonBytesIntoADeadLetterAndResume() {
    var serde = new AvroSerdes(new InMemorySchemaRegistry(), true).valueSerde(DeadLetter.class);
    var meters = new SimpleMeterRegistry();
    Instant now = Instant.parse("2026-11-24T10:00:00Z");
    var handler = new DeadLetterHandler();
    handler.configure(
        Map.of(
            DeadLetterHandler.DLQ_TOPIC,
            "gpuward.dlq.v1",
            DeadLetterHandler.SERIALIZER,
            serde.serializer(),
            DeadLetterHandler.METERS,
            meters,
            DeadLetterHandler.CLOCK,
            Clock.fixed(now, ZoneOffset.UTC),
            DeadLetterHandler.APPLICATION,
            "engine-test"));
    byte[] value = {0, 0, 0, 0, 42, 1, 2};
    var record =
        new ConsumerRecord<>(
            "gpuward.telemetry.xid.v1",
            3,
            17L,
            "p5-train-1".getBytes(StandardCharsets.UTF_8),
            value);

    var response =
        handler.handleError(
            null,
            record,
            new SerializationException(
                "unknown schema id 42 in registry (404/40403)",
                new RuntimeException("Schema 42 not found")));

    assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    var out = response.deadLetterQueueRecords().get(0);
    assertThat(out.topic()).isEqualTo("gpuward.dlq.v1");
    assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo("p5-train-1");
    DeadLetter dl = serde.deserializer().deserialize(out.topic(), out.value());
    assertThat(dl.getKind()).isEqualTo(DeadLetterKind.DESERIALIZATION);
    assertThat(dl.getOriginalTopic()).isEqualTo("gpuward.telemetry.xid.v1");
    assertThat(dl.getOriginalPartition()).isEqualTo(3);
    assertThat(dl.getOriginalOffset()).isEqualTo(17L);
    assertThat(dl.getSchemaId()).isEqualTo(42);
    assertThat(dl.getReason()).contains("unknown schema id 42").contains("Schema 42 not found");
    assertThat(dl.getOriginalValue().array()).isEqualTo(value);
    assertThat(dl.getFailedAt()).isEqualTo(now);
    assertThat(meters.get(EngineMetrics.DEAD_LETTERS).counter().count()).isEqualTo(1.0);
  }

  @Test
  void shouldTurnARecordWhoseProcessingThrowsIntoADeadLetterAndResume() {
    var serde = new AvroSerdes(new InMemorySchemaRegistry(), true).valueSerde(DeadLetter.class);
    var meters = new SimpleMeterRegistry();
    var handler = new DeadLetterHandler();
    handler.configure(
        Map.of(
            DeadLetterHandler.DLQ_TOPIC,
            "gpuward.dlq.v1",
            DeadLetterHandler.SERIALIZER,
            serde.serializer(),
            DeadLetterHandler.METERS,
            meters));
    byte[] key = "p5-train-1".getBytes(StandardCharsets.UTF_8);
    byte[] value = {0, 0, 0, 0, 1, 9, 9};

    var response =
        handler.handleError(
            new SourceContext("gpuward.telemetry.gpu.v1", 2, 99L, key, value),
            new Record<>("p5-train-1", "decoded", 0L),
            new IllegalStateException("rule bug"));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    var out = response.deadLetterQueueRecords().get(0);
    DeadLetter dl = serde.deserializer().deserialize(out.topic(), out.value());
    assertThat(dl.getKind()).isEqualTo(DeadLetterKind.PROCESSING);
    assertThat(dl.getReason()).isEqualTo("processor gpu-check failed: rule bug");
    assertThat(dl.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
    assertThat(dl.getOriginalValue().array()).isEqualTo(value);
    assertThat(dl.getOriginalOffset()).isEqualTo(99L);
    assertThat(out.key()).isEqualTo(key);
    assertThat(
            meters
                .counter(
                    EngineMetrics.DEAD_LETTERS,
                    "topic",
                    "gpuward.telemetry.gpu.v1",
                    "kind",
                    "PROCESSING")
                .count())
        .isEqualTo(1.0);
  }

  private record SourceContext(
      String topic, int partition, long offset, byte[] sourceRawKey, byte[] sourceRawValue)
      implements ErrorHandlerContext {
    @Override
    public Headers headers() {
      return new RecordHeaders();
    }

    @Override
    public String processorNodeId() {
      return "gpu-check";
    }

    @Override
    public TaskId taskId() {
      return new TaskId(0, partition);
    }

    @Override
    public long timestamp() {
      return 1_700_000_000_000L;
    }
  }
}
