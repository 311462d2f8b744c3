package io.gpuward.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Healthy while a counter keeps moving: down when it has not grown for longer than {@code
 * maxSilence} (e.g. no successful scrape, no consumer poll). The first {@code maxSilence} after
 * creation counts as progress, so a role that just started is up. Thread-safe.
 */
public final class ProgressCheck implements HealthCheck {
  private final String what;
  private final LongSupplier counter;
  private final Duration maxSilence;
  private final Clock clock;
  private long lastValue;
  private Instant lastChange;

  /**
   * @param what what the counter counts, for the reason ({@code "successful scrapes"})
   */
  public ProgressCheck(String what, LongSupplier counter, Duration maxSilence, Clock clock) {
    if (maxSilence.isNegative() || maxSilence.isZero()) {
      throw new IllegalArgumentException("maxSilence must be positive, was " + maxSilence);
    }
    this.what = what;
    this.counter = counter;
    this.maxSilence = maxSilence;
    this.clock = clock;
    this.lastValue = counter.getAsLong();
    this.lastChange = clock.instant();
  }

  @Override
  public synchronized Health check() {
    long now = counter.getAsLong();
    Instant t = clock.instant();
    if (now != lastValue) {
      lastValue = now;
      lastChange = t;
      return Health.UP;
    }
    Duration silent = Duration.between(lastChange, t);
    if (silent.compareTo(maxSilence) > 0) {
      return Health.down(
          "no "
              + what
              + " for "
              + silent.toSeconds()
              + "s (limit "
              + maxSilence.toSeconds()
              + "s)");
    }
    return Health.UP;
  }
}
