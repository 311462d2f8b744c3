package io.gpuward.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Simulated time running at {@code speed} times wall time: {@code start + (wall elapsed × speed)},
 * wall elapsed measured with {@link System#nanoTime()} from construction. Immutable and
 * thread-safe; the demo hands one instance to the simulator, the simulated cluster and the
 * remediator so they all share one timeline.
 */
public final class SimClock extends Clock {

  private final Instant start;
  private final double speed;
  private final LongSupplier nanoTime;
  private final long originNanos;
  private final ZoneId zone;

  /** Simulated time from {@code start}, advancing {@code speed} times faster than wall time. */
  public SimClock(Instant start, double speed) {
    this(start, speed, System::nanoTime, ZoneOffset.UTC);
  }

  /** For tests: a custom monotonic nano source. */
  SimClock(Instant start, double speed, LongSupplier nanoTime, ZoneId zone) {
    this(start, speed, nanoTime, nanoTime.getAsLong(), zone);
  }

  private SimClock(Instant start, double speed, LongSupplier nanoTime, long origin, ZoneId zone) {
    this.start = Objects.requireNonNull(start, "start");
    if (!(speed > 0) || Double.isInfinite(speed)) {
      throw new IllegalArgumentException("speed must be a positive number: " + speed);
    }
    this.speed = speed;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.originNanos = origin;
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  @Override
  public Instant instant() {
    return start.plusNanos(simulatedNanos());
  }

  @Override
  public long millis() {
    return instant().toEpochMilli();
  }

  /** Simulated time elapsed since the start. */
  public Duration elapsed() {
    return Duration.ofNanos(simulatedNanos());
  }

  private long simulatedNanos() {
    long wall = nanoTime.getAsLong() - originNanos;
    return (long) (wall * speed);
  }

  /** The simulated start instant. */
  public Instant start() {
    return start;
  }

  /** Simulated seconds per wall second. */
  public double speed() {
    return speed;
  }

  /** Wall time it takes for {@code simulated} to pass. */
  public Duration wallTimeFor(Duration simulated) {
    return Duration.ofNanos((long) (simulated.toNanos() / speed));
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId newZone) {
    return new SimClock(start, speed, nanoTime, originNanos, newZone);
  }

  @Override
  public String toString() {
    return "SimClock[start=" + start + ", speed=" + speed + "]";
  }
}
