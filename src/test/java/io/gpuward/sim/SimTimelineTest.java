package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where a run sits on the wall clock: it never ends after now, and never starts too long ago. */
class SimTimelineTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.700Z");
  private static final Duration THREE_HOURS = Duration.ofHours(3);

  @Test
  void shouldStartAFastRunSoThatItEndsAtTheWallClock() {
    // 3 h at 200x takes 54 s of wall time: the run starts 3 h - 54 s before now.
    Instant start = SimTimeline.startFor(NOW, THREE_HOURS, 200);
    Instant latest = NOW.minus(THREE_HOURS).plusSeconds(54);
    assertThat(start).isBeforeOrEqualTo(latest).isAfter(latest.minusSeconds(3));
    assertThat(start.getNano()).as("rounded to the second").isZero();
    Instant wallAtEnd = NOW.plusSeconds(54);
    assertThat(start.plus(THREE_HOURS)).isBeforeOrEqualTo(wallAtEnd);
  }

  @Test
  void shouldStartARunAtOrSlowerThanRealTimeNow() {
    assertThat(SimTimeline.startFor(NOW, THREE_HOURS, 1))
        .isEqualTo(Instant.parse("2026-03-01T11:59:59Z"));
    assertThat(SimTimeline.startFor(NOW, THREE_HOURS, 0.5))
        .as("a slow run never starts in the future")
        .isEqualTo(Instant.parse("2026-03-01T11:59:59Z"));
  }

  @Test
  void shouldComputeTheStartWhenTheScenarioDeclaresNone() {
    assertThat(SimTimeline.start(Optional.empty(), NOW, THREE_HOURS, 200))
        .isEqualTo(SimTimeline.startFor(NOW, THREE_HOURS, 200));
  }

  @Test
  void shouldHonourADeclaredStartThatEndsBeforeTheWallClock() {
    Instant declared = NOW.minus(Duration.ofDays(2));
    assertThat(SimTimeline.start(Optional.of(declared), NOW, THREE_HOURS, 200)).isEqualTo(declared);
  }

  @Test
  void shouldRejectADeclaredStartThatRunsPastTheWallClockNamingTheKey() {
    Instant declared = NOW.minus(Duration.ofHours(1));
    assertThatThrownBy(() -> SimTimeline.start(Optional.of(declared), NOW, THREE_HOURS, 200))
        .isInstanceOfSatisfying(
            ScenarioException.class, e -> assertThat(e.key()).isEqualTo("start"))
        .hasMessageStartingWith("start: 2026-03-01T11:00:00.700Z runs past the wall clock")
        .hasMessageContaining("3h at 200x must start at or before 2026-03-01T09:00:54Z");
  }

  @Test
  void shouldRejectADeclaredStartInTheFutureEvenAtRealTime() {
    assertThatThrownBy(
            () -> SimTimeline.start(Optional.of(NOW.plusSeconds(60)), NOW, THREE_HOURS, 1))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("runs past the wall clock");
  }

  @Test
  void shouldRejectADeclaredStartOlderThanSevenDays() {
    Instant declared = NOW.minus(Duration.ofDays(8));
    assertThatThrownBy(() -> SimTimeline.start(Optional.of(declared), NOW, THREE_HOURS, 200))
        .isInstanceOfSatisfying(
            ScenarioException.class, e -> assertThat(e.key()).isEqualTo("start"))
        .hasMessageContaining("is too old")
        .hasMessageContaining("more than the 7 days gpuward accepts");
  }

  @Test
  void shouldRejectASlowRunThatDriftsOlderThanSevenDays() {
    // At 0.5x a 3 h run takes 6 h of wall time: it ends 3 h further behind the wall clock.
    Instant declared = NOW.minus(Duration.ofDays(7)).plus(Duration.ofHours(1));
    assertThatThrownBy(() -> SimTimeline.start(Optional.of(declared), NOW, THREE_HOURS, 0.5))
        .hasMessageContaining("would be 170h old");
  }
}
