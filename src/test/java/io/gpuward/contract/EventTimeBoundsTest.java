package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.config.GpuwardConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventTimeBoundsTest {
  private static final long NOW = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();
  private final EventTimeBounds bounds = EventTimeBounds.DEFAULT;

  @Test
  void shouldBelieveEventsWithinTheSkewAheadAndTheAgeBehind() {
    assertThat(bounds.check(NOW, NOW)).isEmpty();
    assertThat(bounds.check(NOW + 120_000, NOW)).isEmpty();
    assertThat(bounds.check(NOW - Duration.ofDays(7).toMillis(), NOW)).isEmpty();
    assertThat(bounds.accepts(NOW + 120_000, NOW)).isTrue();
  }

  @Test
  void shouldRefuseAnEventAheadOfTheWallClockSayingByHowMuch() {
    assertThat(bounds.check(NOW + 120_001, NOW))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .isEqualTo(
                        "event time 2026-12-06T12:02:00.001Z is 2m ahead of the wall clock (at most 2m)"));
    assertThat(bounds.accepts(NOW + 3_600_000, NOW)).isFalse();
  }

  @Test
  void shouldRefuseAnEventOlderThanTheAgeSayingHowOld() {
    assertThat(bounds.check(0, NOW))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .startsWith("event time 1970-01-01T00:00:00Z is ")
                    .endsWith(" old (at most 168h)"));
    assertThat(bounds.accepts(Long.MIN_VALUE / 2, NOW)).isFalse();
  }

  @Test
  void shouldTakeItsBoundsFromConfigAndRefuseNonsense() {
    var cfg =
        new GpuwardConfig(
            Map.of(
                GpuwardConfig.EVENT_TIME_MAX_AHEAD_MS, "5000",
                GpuwardConfig.EVENT_TIME_MAX_AGE_MS, "86400000"));
    assertThat(EventTimeBounds.of(cfg))
        .isEqualTo(new EventTimeBounds(Duration.ofSeconds(5), Duration.ofDays(1)));
    assertThatThrownBy(
            () -> new GpuwardConfig(Map.of(GpuwardConfig.EVENT_TIME_MAX_AHEAD_MS, "7200000")))
        .hasMessageContaining(GpuwardConfig.EVENT_TIME_MAX_AHEAD_MS);
    assertThatThrownBy(() -> new EventTimeBounds(Duration.ofMinutes(-1), Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
