package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FollowClockTest {
  private static final Instant SIM = Instant.parse("2026-12-07T10:00:00Z");
  private static final long S = Duration.ofSeconds(1).toNanos();

  @Test
  void shouldRunOnTheRecordsClockNotTheWallClock() {
    FollowClock clock = new FollowClock();
    assertThat(clock.now(0)).isNull();
    clock.saw(SIM, 0);
    clock.saw(SIM.plusSeconds(40), 2 * S); // a demo at 20x: 40 s simulated in 2 s of wall time
    assertThat(clock.now(2 * S)).isEqualTo(SIM.plusSeconds(40));
    assertThat(clock.now(5 * S)).as("quiet: wall speed").isEqualTo(SIM.plusSeconds(43));
  }

  @Test
  void shouldIgnoreAnOlderRecordReadLater() {
    FollowClock clock = new FollowClock();
    clock.saw(SIM.plusSeconds(10), 0);
    clock.saw(SIM, 3 * S);
    assertThat(clock.now(3 * S)).isEqualTo(SIM.plusSeconds(13));
  }
}
