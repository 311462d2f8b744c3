package io.gpuward.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class HealthTest {

  /** A clock the test moves. */
  static final class TestClock extends java.time.Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void progressCheckIsUpWhileTheCounterMovesAndDownAfterTheSilenceLimit() {
    var clock = new TestClock();
    var count = new AtomicLong();
    var check = new ProgressCheck("scrapes", count::get, Duration.ofSeconds(30), clock);

    assertThat(check.check().isUp()).as("just started: grace").isTrue();
    clock.now = clock.now.plusSeconds(30);
    assertThat(check.check().isUp()).as("exactly at the limit").isTrue();
    clock.now = clock.now.plusSeconds(1);
    assertThat(check.check()).isEqualTo(Health.down("no scrapes for 31s (limit 30s)"));

    count.incrementAndGet();
    assertThat(check.check().isUp()).as("moved again").isTrue();
    clock.now = clock.now.plusSeconds(20);
    assertThat(check.check().isUp()).isTrue();
    clock.now = clock.now.plusSeconds(20);
    assertThat(check.check().isUp()).as("40s since the last move").isFalse();
  }

  @Test
  void streamsHealthFollowsTheEngineState() {
    assertThat(RoleHealth.streams(() -> null).check()).isEqualTo(Health.down("engine starting"));
    for (KafkaStreams.State s : KafkaStreams.State.values()) {
      boolean up = s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
      assertThat(RoleHealth.streams(() -> s).check().isUp()).as(s.name()).isEqualTo(up);
    }
    assertThat(RoleHealth.streams(() -> KafkaStreams.State.ERROR).check())
        .isEqualTo(Health.down("engine state ERROR"));
  }

  @Test
  void shouldFailWhenABackgroundReaderDied() {
    var alive = new java.util.concurrent.atomic.AtomicBoolean(true);
    HealthCheck reader = RoleHealth.alive("control and inventory reader", alive::get);
    assertThat(reader.check().isUp()).isTrue();
    alive.set(false);
    assertThat(HealthCheck.all(Map.of("control", reader)).check())
        .isEqualTo(Health.down("control: control and inventory reader stopped"));
  }

  @Test
  void allIsUpOnlyWhenEveryCheckIsAndNamesTheFailingOnes() {
    assertThat(HealthCheck.all(Map.of("a", () -> Health.UP, "b", () -> Health.UP)).check())
        .isEqualTo(Health.UP);
    HealthCheck mixed =
        HealthCheck.all(
            Map.of(
                "remediator", () -> Health.down("no polls"),
                "engine", () -> Health.down("engine state ERROR"),
                "sim", () -> Health.UP));
    assertThat(mixed.check())
        .isEqualTo(Health.down("engine: engine state ERROR; remediator: no polls"));
  }
}
