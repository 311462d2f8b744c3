package io.gpuward.sim;

import io.gpuward.config.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link FleetSimulator} on one dedicated thread ({@code gpuward-sim}) until a simulated
 * duration has passed.
 *
 * <ul>
 *   <li>{@link #realTime}: every tick period of wall time (sample interval ÷ clock speed, kept
 *       between 5 ms and 1 s) it calls {@code advanceTo(clock.instant())}; with a {@link SimClock}
 *       at speed 10, a 3-minute scenario takes 18 s.
 *   <li>{@link #asFastAsPossible}: ticks back to back with no waiting (benchmarks); when given the
 *       cluster's {@link ManualClock}, it moves that clock to each tick first so the cluster's
 *       timers follow.
 * </ul>
 *
 * {@link #progress()} is safe from any thread, for a CLI's live progress line.
 */
public final class SimulationRunner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SimulationRunner.class);
  private static final long MIN_PERIOD_NANOS = Duration.ofMillis(5).toNanos();
  private static final long MAX_PERIOD_NANOS = Duration.ofSeconds(1).toNanos();

  /**
   * Where a run stands.
   *
   * @param simulatedElapsed simulated time covered by the ticks emitted
   * @param target simulated time the run covers in all
   * @param records records emitted so far, by type
   * @param done whether the run ended (completed, stopped or failed)
   * @param failure what made the run fail, when it did
   */
  public record Progress(
      Duration simulatedElapsed,
      Duration target,
      RecordCounts records,
      boolean done,
      Optional<Throwable> failure) {

    /** Share of the run done, 0..1. */
    public double fraction() {
      if (target.isZero()) {
        return 1;
      }
      return Math.min(1.0, (double) simulatedElapsed.toMillis() / target.toMillis());
    }
  }

  private final FleetSimulator sim;
  private final Clock clock;
  private final ManualClock manualClock;
  private final boolean fast;
  private final Duration target;
  private final Instant end;
  private final ScheduledExecutorService executor;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private SimulationRunner(
      FleetSimulator sim, Clock clock, ManualClock manualClock, boolean fast, Duration target) {
    this.sim = Objects.requireNonNull(sim, "sim");
    this.clock = clock;
    this.manualClock = manualClock;
    this.fast = fast;
    this.target = Objects.requireNonNull(target, "target");
    if (target.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative: " + target);
    }
    this.end = sim.start().plus(target);
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gpuward-sim");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Runs in step with {@code clock} (normally a {@link SimClock} shared with the cluster and the
   * remediator) until {@code simDuration} of simulated time after the simulator's start.
   */
  public static SimulationRunner realTime(FleetSimulator sim, Clock clock, Duration simDuration) {
    return new SimulationRunner(
        sim, Objects.requireNonNull(clock, "clock"), null, false, simDuration);
  }

  /** Runs in step with {@code clock} for the scenario's duration. */
  public static SimulationRunner realTime(FleetSimulator sim, Clock clock) {
    return realTime(sim, clock, sim.scenario().duration());
  }

  /**
   * Ticks without waiting until {@code simDuration} of simulated time after the simulator's start.
   *
   * @param clock the cluster's manual clock, moved to each tick first; null when nothing reads a
   *     clock
   */
  public static SimulationRunner asFastAsPossible(
      FleetSimulator sim, ManualClock clock, Duration simDuration) {
    return new SimulationRunner(sim, clock, clock, true, simDuration);
  }

  /** Starts the run on its thread; a second call does nothing. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    log.info(
        "sim runner: {} scenario {} for {} of simulated time",
        fast ? "as fast as possible," : "real time,",
        sim.scenario().name(),
        Durations.format(target));
    if (fast) {
      executor.execute(this::runFast);
    } else {
      long period = sim.scenario().sampleInterval().toNanos();
      if (clock instanceof SimClock sc) {
        period = (long) (period / sc.speed());
      }
      period = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, period));
      executor.scheduleAtFixedRate(this::step, 0, period, TimeUnit.NANOSECONDS);
    }
  }

  private void step() {
    if (finished.getCount() == 0) {
      return;
    }
    try {
      Instant now = clock.instant();
      Instant upTo = now.isAfter(end) ? end : now;
      sim.advanceTo(upTo);
      if (!now.isBefore(end)) {
        finish();
      }
    } catch (RuntimeException | Error e) {
      fail(e);
    }
  }

  private void runFast() {
    try {
      Duration interval = sim.scenario().sampleInterval();
      long k = sim.ticks();
      while (!stopped.get()) {
        Instant t = sim.start().plus(interval.multipliedBy(k));
        if (t.isAfter(end)) {
          break;
        }
        if (manualClock != null) {
          manualClock.set(t);
        }
        sim.advanceTo(t);
        k++;
      }
      finish();
    } catch (RuntimeException | Error e) {
      fail(e);
    }
  }

  private void finish() {
    if (finished.getCount() > 0) {
      log.info("sim runner: done, {} records {}", sim.counts().total(), sim.counts());
      finished.countDown();
      executor.shutdown();
    }
  }

  private void fail(Throwable e) {
    if (failure.compareAndSet(null, e)) {
      log.error("sim runner: simulation failed at {}", sim.lastTick().orElse(sim.start()), e);
    }
    finished.countDown();
    executor.shutdown();
  }

  /**
   * Waits until the run ends.
   *
   * @throws IllegalStateException when the simulation failed (the cause attached)
   */
  public void awaitCompletion() throws InterruptedException {
    finished.await();
    rethrow();
  }

  /**
   * Waits up to {@code timeout} (wall time) for the run to end; true when it ended.
   *
   * @throws IllegalStateException when the simulation failed (the cause attached)
   */
  public boolean awaitCompletion(Duration timeout) throws InterruptedException {
    boolean done = finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    rethrow();
    return done;
  }

  private void rethrow() {
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("simulation failed: " + t, t);
    }
  }

  /** Stops the run (idempotent); the records emitted so far stay emitted. */
  public void stop() {
    if (stopped.compareAndSet(false, true)) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      finished.countDown();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Where the run stands; safe from any thread. */
  public Progress progress() {
    Duration elapsed =
        sim.lastTick().map(t -> Duration.between(sim.start(), t)).orElse(Duration.ZERO);
    return new Progress(
        elapsed,
        target,
        sim.counts(),
        finished.getCount() == 0,
        Optional.ofNullable(failure.get()));
  }
}
