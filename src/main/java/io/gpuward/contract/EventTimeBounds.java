package io.gpuward.contract;

import io.gpuward.config.Durations;
import io.gpuward.config.GpuwardConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The event times gpuward believes. A node with a wrong clock stamps its telemetry hours or years
 * off; one record far ahead would advance the engine's stream time (closing every window and
 * expiring every open verdict early) and is refused by the broker's changelog writes, one far
 * behind would open verdicts on evidence nobody can act on and outlive no retention. So an event
 * more than {@code maxAhead} ahead of the wall clock, or more than {@code maxAge} behind it, is
 * refused with a reason before it can move any clock.
 *
 * @param maxAhead how far ahead of the wall clock an event time may be (clock skew allowed)
 * @param maxAge how old an event may be (at most the input topics' retention)
 */
public record EventTimeBounds(Duration maxAhead, Duration maxAge) {

  /** Two minutes of skew ahead, and a week (the telemetry topics' retention) behind. */
  public static final EventTimeBounds DEFAULT =
      new EventTimeBounds(Duration.ofMinutes(2), Duration.ofDays(7));

  /**
   * The bounds {@code cfg} sets ({@code event.time.max.ahead.ms}, {@code event.time.max.age.ms}).
   */
  public static EventTimeBounds of(GpuwardConfig cfg) {
    return new EventTimeBounds(cfg.eventTimeMaxAhead(), cfg.eventTimeMaxAge());
  }

  public EventTimeBounds {
    Objects.requireNonNull(maxAhead, "maxAhead");
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAhead.isNegative() || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException(
          "event time bounds must be positive: ahead " + maxAhead + ", age " + maxAge);
    }
  }

  /** Why an event at {@code eventTime} is refused when the wall clock reads {@code now}. */
  public Optional<String> check(long eventTime, long now) {
    if (eventTime - now > maxAhead.toMillis()) {
      return Optional.of(
          "event time "
              + Instant.ofEpochMilli(eventTime)
              + " is "
              + Durations.format(Duration.ofMillis(eventTime - now))
              + " ahead of the wall clock (at most "
              + Durations.format(maxAhead)
              + ")");
    }
    if (now - eventTime > maxAge.toMillis()) {
      return Optional.of(
          "event time "
              + Instant.ofEpochMilli(eventTime)
              + " is "
              + Durations.format(Duration.ofMillis(now - eventTime))
              + " old (at most "
              + Durations.format(maxAge)
              + ")");
    }
    return Optional.empty();
  }

  /** Whether an event at {@code eventTime} is believed when the wall clock reads {@code now}. */
  public boolean accepts(long eventTime, long now) {
    long ahead = eventTime - now;
    return ahead <= maxAhead.toMillis() && -ahead <= maxAge.toMillis();
  }
}
