package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.XidEvent;
import io.gpuward.contract.EventTimeBounds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class EventTimeExtractorTest {

  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
  private static final Instant PAST = NOW.minus(Duration.ofHours(2));
  private final EventTimeExtractor extractor =
      new EventTimeExtractor(Clock.fixed(NOW, ZoneOffset.UTC), EventTimeBounds.DEFAULT);

  @Test
  void shouldUseTheEventTimeARecordCarriesWhateverItsTimestamp() {
    XidEvent x = EngineFixtures.xid("p5-train-1", 79, "GPU-1", PAST);
    assertThat(extractor.extract(record(new Decoded.Ok<>(x), NOW.toEpochMilli()), -1))
        .isEqualTo(PAST.toEpochMilli());
  }

  @Test
  void shouldGiveAnEventTimeFromTheFutureThePartitionTime() {
    XidEvent x = EngineFixtures.xid("p5-train-1", 79, "GPU-1", NOW.plus(Duration.ofDays(1)));
    long partitionTime = PAST.toEpochMilli();
    long ts = extractor.extract(record(new Decoded.Ok<>(x), NOW.toEpochMilli()), partitionTime);
    assertThat(ts).isEqualTo(partitionTime);
    assertThat(EventTimeExtractor.wasRefused(new Decoded.Ok<>(x), ts)).isTrue();
  }

  @Test
  void shouldNotLetATombstoneStampedByAWallClockAheadMoveStreamTime() {
    long partitionTime = PAST.toEpochMilli();
    assertThat(extractor.extract(record(null, NOW.toEpochMilli()), partitionTime))
        .isEqualTo(partitionTime);
    assertThat(extractor.extract(record(new Decoded.Ok<>(null), NOW.toEpochMilli()), partitionTime))
        .isEqualTo(partitionTime);
  }

  @Test
  void shouldKeepAnOlderTombstoneTimestampAndUseItBeforeAnyPartitionTime() {
    long older = PAST.minusSeconds(60).toEpochMilli();
    assertThat(extractor.extract(record(null, older), PAST.toEpochMilli())).isEqualTo(older);
    assertThat(extractor.extract(record(null, NOW.toEpochMilli()), -1))
        .isEqualTo(NOW.toEpochMilli());
    assertThat(extractor.extract(record(null, -1), -1)).isZero();
  }

  private static ConsumerRecord<Object, Object> record(Object value, long timestamp) {
    return new ConsumerRecord<>(
        "t",
        0,
        0L,
        timestamp,
        TimestampType.CREATE_TIME,
        0,
        0,
        "p5-train-1",
        value,
        new RecordHeaders(),
        Optional.empty());
  }
}
