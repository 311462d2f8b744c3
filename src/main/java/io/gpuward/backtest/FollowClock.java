package io.gpuward.backtest;

import java.time.Duration;
import java.time.Instant;

/**
 * The present for {@code backtest --shadow --follow}, on the audit records' own clock: the newest
 * record's time, plus the wall time since it was read. Records carry the remediators' clock, which
 * is the wall clock in production but a simulated one in a demo or a world process (behind the wall
 * clock, or faster than it); against the wall clock every simulated record would look settled at
 * once and half-finished operations would print as differences. Between records it moves at wall
 * speed, so a quiet period still lets the last changes settle (later than they would on a faster
 * simulated clock, never earlier). Pure.
 */
public final class FollowClock {
  private Instant newest;
  private long newestReadNanos;

  /** The newest record time among those read so far, read at {@code nanos} (System.nanoTime). */
  public void saw(Instant recordTime, long nanos) {
    if (recordTime != null && (newest == null || recordTime.isAfter(newest))) {
      newest = recordTime;
      newestReadNanos = nanos;
    }
  }

  /** The present at {@code nanos}; null before any record (the comparison then uses its own). */
  public Instant now(long nanos) {
    return newest == null ? null : newest.plus(Duration.ofNanos(nanos - newestReadNanos));
  }
}
