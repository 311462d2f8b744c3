package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.T0;
import static io.gpuward.engine.EngineFixtures.inventory;
import static io.gpuward.engine.EngineFixtures.sample;
import static io.gpuward.engine.EngineFixtures.xid;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.engine.domain.RuleCatalog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's edge: records a node with a wrong clock, a broken writer or a forger can send are
 * dead-lettered with a reason and counted, and move nothing: no stream time, no verdict.
 */
class EdgeTopologyTest {
  private static final String NODE = "p5-train-1";
  private static final String GPU = "GPU-11111111-2222-3333-4444-555555555555";
  private static final Instant NOW = T0.plus(Duration.ofMinutes(10));

  @TempDir Path stateDir;
  private EngineHarness h;

  @BeforeEach
  void setUp() {
    h =
        new EngineHarness(
            stateDir,
            RuleCatalog.load(),
            Clock.fixed(NOW, ZoneOffset.UTC),
            EventTimeBounds.DEFAULT);
    h.inventory.pipeInput(NODE, inventory(NODE, "p5.48xlarge", "al2023-nvidia", T0));
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void shouldDeadLetterASampleAnHourAheadWithoutMovingStreamTime() {
    h.gpu.pipeInput(NODE, sample(NODE, 0, GPU, 40, T0), T0);
    Instant ahead = NOW.plus(Duration.ofHours(1));
    h.gpu.pipeInput(NODE, sample(NODE, 0, GPU, 40, ahead), ahead);
    h.gpu.pipeInput(NODE, sample(NODE, 0, GPU, 40, T0.plusSeconds(40)), T0.plusSeconds(40));

    List<DeadLetter> dead = h.dlq.readValuesToList();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).getKind()).isEqualTo(DeadLetterKind.EVENT_TIME);
    assertThat(dead.get(0).getReason()).contains("1h ahead of the wall clock (at most 2m)");
    assertThat(deadLetters("gpuward.telemetry.gpu.v1", DeadLetterKind.EVENT_TIME)).isEqualTo(1);
  }

  @Test
  void shouldKeepAnOpenVerdictOpenWhenARecordFromTheFarFutureArrives() {
    h.xid.pipeInput(NODE, xid(NODE, 79, GPU, T0.plusSeconds(5)), T0.plusSeconds(5));
    Instant year2100 = Instant.parse("2100-01-01T00:00:00Z");
    h.xid.pipeInput(NODE, xid(NODE, 79, GPU, year2100), year2100);
    h.gpu.pipeInput(NODE, sample(NODE, 0, GPU, 40, year2100), year2100);

    List<FaultVerdict> out = h.verdicts.readValuesToList();
    assertThat(out).extracting(FaultVerdict::getState).containsExactly(VerdictState.OPEN);
    assertThat(h.dlq.readValuesToList())
        .extracting(DeadLetter::getKind)
        .containsExactly(DeadLetterKind.EVENT_TIME, DeadLetterKind.EVENT_TIME);
  }

  @Test
  void shouldOpenNoVerdictOnEvidenceFrom1970() {
    Instant epoch = Instant.ofEpochSecond(1);
    h.xid.pipeInput(NODE, xid(NODE, 79, GPU, epoch), epoch);

    assertThat(h.verdicts.isEmpty()).isTrue();
    DeadLetter dead = h.dlq.readValue();
    assertThat(dead.getKind()).isEqualTo(DeadLetterKind.EVENT_TIME);
    assertThat(dead.getReason()).contains("1970-01-01T00:00:01Z").contains("old (at most");
  }

  @Test
  void shouldDeadLetterANullKeyAndCarryOn() {
    h.gpu.pipeInput(null, sample(NODE, 0, GPU, 40, T0), T0);
    h.xid.pipeInput(NODE, xid(NODE, 79, GPU, T0.plusSeconds(5)), T0.plusSeconds(5));

    assertThat(h.dlq.readValue().getReason()).contains("null key");
    assertThat(h.verdicts.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldDeadLetterAbsurdButWellFormedRecords() {
    String huge = "n".repeat(10_000);
    h.xid.pipeInput(huge, xid(huge, 79, GPU, T0), T0);
    h.xid.pipeInput(NODE, xid(NODE, 99_999, GPU, T0), T0);
    String injection = "' OR 1=1; DROP TABLE verdicts; --";
    h.xid.pipeInput(injection, xid(injection, 79, GPU, T0), T0);
    h.gpu.pipeInput(NODE, sample(NODE, 0, GPU, 644_245_923.0, T0), T0);

    List<DeadLetter> dead = h.dlq.readValuesToList();
    assertThat(dead).extracting(DeadLetter::getKind).containsOnly(DeadLetterKind.VALIDATION);
    assertThat(dead)
        .extracting(DeadLetter::getReason)
        .satisfiesExactly(
            r -> assertThat(r).contains("is not a Kubernetes node name").hasSizeLessThan(300),
            r -> assertThat(r).contains("XID code 99999 is not a valid XID"),
            r -> assertThat(r).contains("is not a Kubernetes node name"),
            r -> assertThat(r).contains("temperatureC 6.44245923E8 is not a temperature"));
    assertThat(h.verdicts.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterAnUndecodableRecordByProcessingItNotThroughTheDeserializationHandler(
      @TempDir Path strictState) {
    // With a deserialization handler that stops the engine, only a record the engine itself
    // processes can become a dead letter: its dead letter and its offset then commit together.
    Map<String, Object> failOnPoison =
        Map.of(
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            LogAndFailExceptionHandler.class);
    try (var strict =
        new EngineHarness(
            strictState,
            RuleCatalog.load(),
            Clock.fixed(NOW, ZoneOffset.UTC),
            EventTimeBounds.DEFAULT,
            failOnPoison)) {
      byte[] key = {(byte) 0xff, 'p', '5'}; // not UTF-8: the dead letter keeps these bytes
      byte[] value = {0, 0, 0x7f, 0x7f, 0x7f, 1, 2, 3}; // a schema id no registry issued
      Instant written = T0.plusSeconds(7);
      strict.gpuRaw.pipeInput(key, value, written);

      var out = strict.dlq.readRecordsToList();
      assertThat(out).hasSize(1);
      DeadLetter dead = out.get(0).value();
      assertThat(dead.getKind()).isEqualTo(DeadLetterKind.DESERIALIZATION);
      assertThat(dead.getOriginalTopic()).isEqualTo("gpuward.telemetry.gpu.v1");
      assertThat(dead.getOriginalOffset()).isEqualTo(0L);
      assertThat(dead.getOriginalKey().array()).isEqualTo(key);
      assertThat(dead.getOriginalValue().array()).isEqualTo(value);
      assertThat(dead.getOriginalTimestamp()).isEqualTo(written);
      assertThat(dead.getSchemaId()).isEqualTo(0x007f7f7f);
      assertThat(dead.getReason()).isNotBlank();
      assertThat(dead.getErrorClass()).isNotBlank();
      assertThat(out.get(0).timestamp()).isEqualTo(NOW.toEpochMilli());
      assertThat(
              strict
                  .meters
                  .counter(
                      EngineMetrics.DEAD_LETTERS,
                      "topic",
                      "gpuward.telemetry.gpu.v1",
                      "kind",
                      "DESERIALIZATION")
                  .count())
          .isEqualTo(1.0);
    }
  }

  @Test
  void shouldDeadLetterPoisonInventoryAndKeepTheNodesInventory() {
    h.inventoryRaw.pipeInput(NODE, new byte[] {0x7b, 0x22, 0x6e, 0x22});
    h.xid.pipeInput(NODE, xid(NODE, 79, GPU, T0.plusSeconds(5)), T0.plusSeconds(5));

    DeadLetter dead = h.dlq.readValue();
    assertThat(dead.getKind()).isEqualTo(DeadLetterKind.DESERIALIZATION);
    assertThat(dead.getOriginalTopic()).isEqualTo("gpuward.inventory.nodes.v1");
    assertThat(dead.getReason()).contains("not Confluent-framed");
    assertThat(h.verdicts.readValue().getNodegroup()).isNotNull();
  }

  @Test
  void shouldDeadLetterADayOldXidAsLateInsteadOfOpeningAVerdictBornExpired() {
    Instant streamTime = T0.plus(Duration.ofMinutes(5));
    h.gpu.pipeInput(NODE, sample(NODE, 0, GPU, 40, streamTime), streamTime);
    Instant dayOld = streamTime.minus(Duration.ofDays(1));
    h.xid.pipeInput(NODE, xid(NODE, 13, GPU, dayOld), dayOld);

    assertThat(h.verdicts.isEmpty()).isTrue();
    DeadLetter dead = h.dlq.readValue();
    assertThat(dead.getKind()).isEqualTo(DeadLetterKind.LATE_EVENT);
    assertThat(dead.getReason()).contains("more than 30m").contains("born expired");
    assertThat(deadLetters("gpuward.telemetry.xid.v1", DeadLetterKind.LATE_EVENT)).isEqualTo(1);
  }

  @Test
  void shouldOpenAVerdictForAnXidLateByLessThanTheLongestXidTtl() {
    h.gpu.pipeInput(NODE, sample(NODE, 0, GPU, 40, NOW), NOW);
    Instant late = NOW.minus(Duration.ofMinutes(29));
    h.xid.pipeInput(NODE, xid(NODE, 79, GPU, late), late);

    assertThat(h.verdicts.readValue().getState()).isEqualTo(VerdictState.OPEN);
    assertThat(h.dlq.isEmpty()).isTrue();
  }

  private double deadLetters(String topic, DeadLetterKind kind) {
    return h.meters
        .counter(EngineMetrics.DEAD_LETTERS, "topic", topic, "kind", kind.name())
        .count();
  }
}
