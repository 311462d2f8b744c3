package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClockTest {

  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void shouldRunSimulatedTimeAtSpeedTimesWallTime() {
    AtomicLong nanos = new AtomicLong(1_000);
    SimClock clock = new SimClock(T0, 10, nanos::get, ZoneOffset.UTC);
    assertThat(clock.instant()).isEqualTo(T0);

    nanos.addAndGet(Duration.ofMillis(1500).toNanos());
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(15));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(15));
    assertThat(clock.millis()).isEqualTo(T0.plusSeconds(15).toEpochMilli());
    assertThat(clock.wallTimeFor(Duration.ofMinutes(3))).isEqualTo(Duration.ofSeconds(18));

    SimClock slow = new SimClock(T0, 0.5, nanos::get, ZoneOffset.UTC);
    nanos.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(slow.instant()).isEqualTo(T0.plusSeconds(2));

    var zoned = clock.withZone(ZoneId.of("Europe/Berlin"));
    assertThat(zoned.instant()).isEqualTo(clock.instant());
    assertThat(zoned.getZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
  }

  @Test
  void shouldNeverReadLaterThanItsCeiling() {
    AtomicLong nanos = new AtomicLong();
    ManualClock wall = new ManualClock(T0.plusSeconds(100));
    SimClock clock = new SimClock(T0, 10, nanos::get, wall);
    nanos.addAndGet(Duration.ofSeconds(5).toNanos());
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(50));

    nanos.addAndGet(Duration.ofSeconds(20).toNanos());
    assertThat(clock.instant()).as("held at the wall clock").isEqualTo(T0.plusSeconds(100));
    wall.advance(Duration.ofSeconds(3));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(103));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(103));
    assertThat(clock.withZone(ZoneId.of("Europe/Berlin")).instant()).isEqualTo(T0.plusSeconds(103));
  }

  @Test
  void shouldRejectANonPositiveSpeed() {
    assertThatThrownBy(() -> new SimClock(T0, 0)).hasMessageContaining("speed");
    assertThatThrownBy(() -> new SimClock(T0, -2)).hasMessageContaining("speed");
    assertThatThrownBy(() -> new SimClock(T0, Double.NaN)).hasMessageContaining("speed");
  }

  @Test
  void shouldMoveAManualClockOnlyWhenTold() {
    ManualClock clock = new ManualClock(T0);
    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(T0.plusSeconds(90));
    clock.set(T0.plusSeconds(5));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(5));
    var zoned = clock.withZone(ZoneId.of("Asia/Tokyo"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(zoned.instant()).isEqualTo(T0.plusSeconds(6));
  }
}
