package io.gpuward.rollup;

/**
 * Count, sum and maximum of one telemetry field over a window; absent and NaN values are skipped.
 * Immutable.
 */
public record Stat(long n, double sum, double max) {

  public static final Stat EMPTY = new Stat(0, 0, 0);

  /** This statistic with {@code value} added; unchanged when {@code value} is null or NaN. */
  public Stat add(Number value) {
    if (value == null || Double.isNaN(value.doubleValue())) {
      return this;
    }
    double v = value.doubleValue();
    return new Stat(n + 1, sum + v, n == 0 ? v : Math.max(max, v));
  }

  /** The mean, or null when no value was added. */
  public Double avgOrNull() {
    return n == 0 ? null : sum / n;
  }

  /** The maximum, or null when no value was added. */
  public Double maxOrNull() {
    return n == 0 ? null : max;
  }
}
