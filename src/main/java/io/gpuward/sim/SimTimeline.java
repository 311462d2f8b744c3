package io.gpuward.sim;

import io.gpuward.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a simulated run sits on the wall clock. Kafka and gpuward refuse event times ahead of the
 * wall clock (the broker's {@code log.message.timestamp.after.max.ms}, the engine's bounded event
 * time) and the engine dead-letters event times older than {@link #MAX_AGE}. A run of {@code
 * duration} at {@code speed} therefore starts far enough in the past that its simulated clock
 * reaches its end no later than the wall clock does: {@code start = now - (duration -
 * duration/speed)}, never after now.
 */
public final class SimTimeline {

  /** Oldest event time the engine accepts by default ({@code event.time.max.age.ms}). */
  public static final Duration MAX_AGE = Duration.ofDays(7);

  /**
   * Slack under the wall clock for a computed start: the runner's first tick and the clocks it
   * compares (nano time, wall time) may differ by a few milliseconds.
   */
  static final Duration MARGIN = Duration.ofSeconds(1);

  private SimTimeline() {}

  /**
   * The latest start at which a run of {@code duration} at {@code speed}, begun at wall time {@code
   * now}, never gets ahead of the wall clock.
   */
  public static Instant latestStart(Instant now, Duration duration, double speed) {
    checkSpeed(speed);
    Duration wall = Duration.ofNanos((long) (duration.toNanos() / speed));
    Duration ahead = duration.minus(wall);
    return ahead.isNegative() ? now : now.minus(ahead);
  }

  /** The computed start: {@link #latestStart} less a small margin, rounded down to the second. */
  public static Instant startFor(Instant now, Duration duration, double speed) {
    return latestStart(now, duration, speed).minus(MARGIN).truncatedTo(ChronoUnit.SECONDS);
  }

  /**
   * The start of a run: the scenario's own {@code start:} when it declares one, checked against the
   * wall clock; else {@link #startFor}.
   *
   * @throws ScenarioException naming {@code start} when the declared start would run past the wall
   *     clock at that speed, or is older than {@link #MAX_AGE} at some point of the run
   */
  public static Instant start(
      Optional<Instant> declared, Instant now, Duration duration, double speed) {
    Objects.requireNonNull(declared, "declared");
    if (declared.isEmpty()) {
      return startFor(now, duration, speed);
    }
    Instant start = declared.get();
    Instant latest = latestStart(now, duration, speed);
    if (start.isAfter(latest)) {
      throw new ScenarioException(
          "start",
          String.format(
              Locale.ROOT,
              "%s runs past the wall clock: %s at %sx must start at or before %s",
              start,
              Durations.format(duration),
              speed(speed),
              latest.truncatedTo(ChronoUnit.SECONDS)));
    }
    Duration oldest = oldestAge(start, now, duration, speed);
    if (oldest.compareTo(MAX_AGE) > 0) {
      throw new ScenarioException(
          "start",
          String.format(
              Locale.ROOT,
              "%s is too old: events of this run would be %s old, more than the %s gpuward"
                  + " accepts",
              start,
              Durations.format(oldest),
              MAX_AGE.toDays() + " days"));
    }
    return start;
  }

  /**
   * The largest gap between the wall clock and the simulated clock during the run: at its start, or
   * at its end when the run is slower than real time.
   */
  static Duration oldestAge(Instant start, Instant now, Duration duration, double speed) {
    Duration atStart = Duration.between(start, now);
    Instant wallAtEnd = now.plusNanos((long) (duration.toNanos() / speed));
    Duration atEnd = Duration.between(start.plus(duration), wallAtEnd);
    return atStart.compareTo(atEnd) >= 0 ? atStart : atEnd;
  }

  private static void checkSpeed(double speed) {
    if (!(speed > 0) || Double.isInfinite(speed)) {
      throw new IllegalArgumentException("speed must be a positive number: " + speed);
    }
  }

  private static String speed(double speed) {
    return speed == Math.rint(speed) ? Long.toString((long) speed) : Double.toString(speed);
  }
}
