package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verdicts to plan again at a moment on the remediator's clock, off the lanes: a timer looks every
 * 50 ms and hands each due verdict's newest version to the replan hook. Without the timer (a replay
 * on a manual clock) the caller asks {@link #nextDue()} and calls {@link #wake()} itself, so that
 * simulated time never runs past a wakeup.
 */
final class Wakeups {
  private static final Logger log = LoggerFactory.getLogger(Wakeups.class);

  private final Clock clock;
  private final Function<String, FaultVerdict> newest;
  private final Consumer<FaultVerdict> replan;
  private final Map<String, Instant> deferred = new ConcurrentHashMap<>();
  private final AtomicBoolean timerStarted = new AtomicBoolean();
  private final boolean timed;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gpuward-remediator-settle");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param newest the newest version of an open verdict by id, or null once it cleared
   * @param replan where a due verdict goes
   */
  Wakeups(Clock clock, Function<String, FaultVerdict> newest, Consumer<FaultVerdict> replan) {
    this(clock, newest, replan, true);
  }

  /**
   * @param timed false: no timer thread; the owner drives {@link #wake()} at {@link #nextDue()}
   */
  Wakeups(
      Clock clock,
      Function<String, FaultVerdict> newest,
      Consumer<FaultVerdict> replan,
      boolean timed) {
    this.clock = clock;
    this.newest = newest;
    this.replan = replan;
    this.timed = timed;
  }

  /** The earliest moment a deferred verdict is due, if any is deferred. */
  Optional<Instant> nextDue() {
    return deferred.values().stream().min(Comparator.naturalOrder());
  }

  /** Plans {@code v} again once the remediator's clock reaches {@code until}, off the lane. */
  void at(FaultVerdict v, Instant until) {
    // The earliest wake wins: planning again early costs nothing, missing a moment loses it.
    deferred.merge(v.getVerdictId(), until, (a, b) -> a.isBefore(b) ? a : b);
    if (timed && timerStarted.compareAndSet(false, true)) {
      timer.scheduleWithFixedDelay(this::wake, 50, 50, TimeUnit.MILLISECONDS);
    }
  }

  void cancel(String verdictId) {
    deferred.remove(verdictId);
  }

  /** Plans again every deferred verdict whose time has come on the remediator's clock. */
  void wake() {
    Instant now = clock.instant();
    for (var e : deferred.entrySet()) {
      if (!now.isBefore(e.getValue()) && deferred.remove(e.getKey(), e.getValue())) {
        FaultVerdict v = newest.apply(e.getKey());
        if (v == null) {
          continue;
        }
        try {
          replan.accept(v);
        } catch (RuntimeException ex) {
          // One verdict that cannot be handed on (e.g. lanes closing) must not end the timer:
          // an exception out of a fixed-delay task cancels it, and every later wake with it.
          log.warn(
              "deferred verdict not planned again node={} verdictId={}: {}",
              v.getNode(),
              v.getVerdictId(),
              ex.toString());
        }
      }
    }
  }

  /** Stops the timer. */
  void close() {
    timer.shutdownNow();
  }
}
