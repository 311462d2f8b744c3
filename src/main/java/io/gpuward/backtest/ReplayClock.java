package io.gpuward.backtest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The replay's clock: set by the replay to each moment it plays (a record's time, a due wakeup, a
 * node's lane free again) and moved on by the replay world while an operation takes the time it
 * took live. Not thread-safe: a replay runs on one thread.
 */
public final class ReplayClock extends Clock {
  private Instant now;

  public ReplayClock(Instant start) {
    this.now = start;
  }

  /** Plays {@code t}; it may lie before the last moment played (another node's lane). */
  public void set(Instant t) {
    now = t;
  }

  /** Moves on by {@code d} (an operation that took that long). */
  public void advance(Duration d) {
    if (!d.isNegative()) {
      now = now.plus(d);
    }
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
