package io.gpuward.remediation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs work for one node strictly in order, and work for different nodes concurrently: a long drain
 * on one node never delays a cordon on another. A node always maps to the same lane.
 */
final class NodeLanes implements AutoCloseable {
  private final List<ExecutorService> lanes = new ArrayList<>();
  private final AtomicInteger pending = new AtomicInteger();

  NodeLanes(int count) {
    for (int i = 0; i < count; i++) {
      int n = i;
      lanes.add(
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "gpuward-remediator-lane-" + n);
                t.setDaemon(true);
                return t;
              }));
    }
  }

  void submit(String node, Runnable work) {
    pending.incrementAndGet();
    try {
      lanes
          .get(Math.floorMod(node.hashCode(), lanes.size()))
          .execute(
              () -> {
                try {
                  work.run();
                } finally {
                  pending.decrementAndGet();
                }
              });
    } catch (RuntimeException e) {
      pending.decrementAndGet();
      throw e;
    }
  }

  /** True when no work is queued or running on any lane. */
  boolean idle() {
    return pending.get() == 0;
  }

  /**
   * Interrupts what runs and drops what is queued, waiting at most {@code grace} for the lanes to
   * end: a step cut short stays STARTED in the ledger, which the next instance reconciles.
   */
  void stop(Duration grace) {
    lanes.forEach(ExecutorService::shutdownNow);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ExecutorService e : lanes) {
      try {
        e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    lanes.forEach(ExecutorService::shutdown);
    for (ExecutorService e : lanes) {
      try {
        if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
          e.shutdownNow();
        }
      } catch (InterruptedException ex) {
        e.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
