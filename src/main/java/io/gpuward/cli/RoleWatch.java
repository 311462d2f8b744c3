package io.gpuward.cli;

import io.gpuward.config.Durations;
import io.gpuward.ops.Health;
import io.gpuward.ops.HealthCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches the roles of an in-process run (engine, rollup, remediator, simulator) and keeps the
 * first one that stopped or fell too far behind, with why. A run with a stopped role is incomplete:
 * its results must not be presented as the whole run.
 */
final class RoleWatch implements AutoCloseable {

  /** A role that stopped, and why, in words for one line. */
  record Stopped(String role, String why) {
    String line() {
      return role + " " + why;
    }
  }

  /** Blocks until a role stops; returns its failure, or null when it stopped without one. */
  @FunctionalInterface
  interface StopAwaiter {
    Throwable awaitStop() throws InterruptedException;
  }

  private final AtomicReference<Stopped> first = new AtomicReference<>();
  private final Map<String, HealthCheck> checks = new LinkedHashMap<>();
  private final List<Thread> waiters = new ArrayList<>();
  private volatile boolean closing;

  /** Waits on a daemon thread for a role that can block until it stops (a Streams application). */
  void awaitStop(String role, StopAwaiter awaiter) {
    Thread t =
        new Thread(
            () -> {
              try {
                Throwable failure = awaiter.awaitStop();
                if (!closing) {
                  stopped(
                      role, failure == null ? "stopped" : "failed: " + Errors.describe(failure));
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the watch is closing
              }
            },
            "gpuward-watch-" + role.replace(' ', '-'));
    t.setDaemon(true);
    waiters.add(t);
    t.start();
  }

  /** A role asked at each {@link #stopped()}: down means it stopped, for the check's reason. */
  synchronized void check(String role, HealthCheck check) {
    checks.put(role, check);
  }

  /** Records that {@code role} stopped; only the first role that stops is kept. */
  void stopped(String role, String why) {
    if (!closing) {
      first.compareAndSet(null, new Stopped(role, why));
    }
  }

  /**
   * Records that {@code role} is too far behind to recover when it is more than {@code maxWall} of
   * wall time behind, i.e. {@code behind} of simulated time at {@code speed}.
   */
  void behind(String role, Optional<Duration> behind, double speed, Duration maxWall) {
    if (behind.isEmpty()) {
      return;
    }
    Duration wall = Duration.ofNanos((long) (behind.get().toNanos() / speed));
    if (wall.compareTo(maxWall) > 0) {
      stopped(
          role,
          String.format(
              Locale.ROOT,
              "fell behind beyond recovery: %s behind the simulated fleet (%s of wall time at"
                  + " %sx, limit %s)",
              Durations.format(behind.get()),
              Durations.format(wall),
              DemoFormat.speed(speed),
              Durations.format(maxWall)));
    }
  }

  /** The first role that stopped, asking the polled checks first. */
  synchronized Optional<Stopped> stopped() {
    for (var e : checks.entrySet()) {
      if (e.getValue().check() instanceof Health.Down d) {
        stopped(e.getKey(), d.reason());
      }
    }
    return Optional.ofNullable(first.get());
  }

  /** From now on the roles are stopped on purpose: nothing more counts as a failure. */
  void closing() {
    closing = true;
  }

  @Override
  public void close() {
    closing();
    waiters.forEach(Thread::interrupt);
  }
}
