package io.gpuward.rollup;

import java.time.Duration;

/**
 * Window of the telemetry rollup.
 *
 * @param window tumbling window size (event time)
 * @param grace how long after the window's end out-of-order samples still count; the rollup is
 *     emitted once, when stream time passes {@code end + grace}
 */
public record RollupSettings(Duration window, Duration grace) {

  /** One-minute windows with 10 s of grace. */
  public static final RollupSettings DEFAULT =
      new RollupSettings(Duration.ofMinutes(1), Duration.ofSeconds(10));

  public RollupSettings {
    if (window == null || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("rollup window must be positive, got " + window);
    }
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("rollup grace must not be negative, got " + grace);
    }
  }
}
