package io.gpuward.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * A latency distribution summarised by nearest-rank percentiles, in milliseconds.
 *
 * @param count how many latencies were measured
 * @param p50Ms median
 * @param p95Ms 95th percentile
 * @param p99Ms 99th percentile
 * @param maxMs the largest
 */
public record LatencyStats(int count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

  /** Nothing measured: every value is NaN (JSON null). */
  public static final LatencyStats NONE =
      new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  /** The summary of latencies given in nanoseconds. */
  public static LatencyStats ofNanos(Collection<Long> nanos) {
    if (nanos.isEmpty()) {
      return NONE;
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return new LatencyStats(
        sorted.length,
        millis(percentile(sorted, 50)),
        millis(percentile(sorted, 95)),
        millis(percentile(sorted, 99)),
        millis(sorted[sorted.length - 1]));
  }

  /**
   * The nearest-rank {@code p}-th percentile of ascending {@code sorted}: the smallest value with
   * at least p% of the values at or below it.
   *
   * @throws IllegalArgumentException when {@code sorted} is empty or p is outside (0, 100]
   */
  public static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(1, Math.min(sorted.length, rank)) - 1];
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
