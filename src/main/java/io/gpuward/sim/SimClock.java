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
 *
 * <p>A clock built with {@link #notAfter} never reads later than a ceiling clock (the wall clock):
 * Kafka and gpuward refuse event times in the future. A run placed by {@link SimTimeline} never
 * reaches the ceiling; after its end (while the remediator finishes) simulated time then follows
 * the wall clock at speed 1.
 */
public final class SimClock extends Clock {

  private final Instant start;
  private final double speed;
  private final LongSupplier nanoTime;
  private volatile long originNanos;
  private volatile boolean held;
  private final ZoneId zone;
  private final Clock ceiling;

  /** Simulated time from {@code start}, advancing {@code speed} times faster than wall time. */
  public SimClock(Instant start, double speed) {
    this(start, speed, System::nanoTime, ZoneOffset.UTC);
  }

  /** For tests: a custom monotonic nano source. */
  SimClock(Instant start, double speed, LongSupplier nanoTime, ZoneId zone) {
    this(start, speed, nanoTime, nanoTime.getAsLong(), zone, null);
  }

  /** For tests: a custom monotonic nano source and a ceiling. */
  SimClock(Instant start, double speed, LongSupplier nanoTime, Clock ceiling) {
    this(start, speed, nanoTime, nanoTime.getAsLong(), ZoneOffset.UTC, ceiling);
  }

  private SimClock(
      Instant start, double speed, LongSupplier nanoTime, long origin, ZoneId zone, Clock ceiling) {
    this.start = Objects.requireNonNull(start, "start");
    if (!(speed > 0) || Double.isInfinite(speed)) {
      throw new IllegalArgumentException("speed must be a positive number: " + speed);
    }
    this.speed = speed;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.originNanos = origin;
    this.zone = Objects.requireNonNull(zone, "zone");
    this.ceiling = ceiling;
  }

  /**
   * Simulated time from {@code start} at {@code speed}, never later than {@code ceiling} (nor
   * earlier than {@code start}).
   */
  public static SimClock notAfter(Instant start, double speed, Clock ceiling) {
    return new SimClock(
        start,
        speed,
        System::nanoTime,
        System.nanoTime(),
        ZoneOffset.UTC,
        Objects.requireNonNull(ceiling, "ceiling"));
  }

  @Override
  public Instant instant() {
    Instant t = start.plusNanos(simulatedNanos());
    if (ceiling == null) {
      return t;
    }
    Instant limit = ceiling.instant();
    if (!t.isAfter(limit)) {
      return t;
    }
    return limit.isBefore(start) ? start : limit;
  }

  @Override
  public long millis() {
    return instant().toEpochMilli();
  }

  /** Simulated time elapsed since the start. */
  public Duration elapsed() {
    return Duration.between(start, instant());
  }

  /**
   * A clock like {@link #notAfter} that stays at {@code start} until {@link #release}: the world
   * can be built, served and seen by gpuward's watcher before its time begins to run.
   */
  public static SimClock heldNotAfter(Instant start, double speed, Clock ceiling) {
    SimClock c = notAfter(start, speed, ceiling);
    c.held = true;
    return c;
  }

  /** Lets a held clock run from {@code start}, as of now; does nothing on a running clock. */
  public synchronized void release() {
    if (held) {
      originNanos = nanoTime.getAsLong();
      held = false;
    }
  }

  private long simulatedNanos() {
    if (held) {
      return 0;
    }
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
    return new SimClock(start, speed, nanoTime, originNanos, newZone, ceiling);
  }

  @Override
  public String toString() {
    return "SimClock[start=" + start + ", speed=" + speed + "]";
  }
}
