package io.gpuward.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap readings: used heap after a full GC, and two peaks since the last reset — the heap in use
 * sampled every {@value #SAMPLE_MILLIS} ms (a real instant, but samples can miss a short spike),
 * and the sum of each heap pool's own peak (never misses one, but an upper bound: the pools need
 * not peak at the same moment, so it can exceed the maximum heap).
 */
final class HeapMeter implements AutoCloseable {
  static final long SAMPLE_MILLIS = 20;

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<MemoryPoolMXBean> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
          .toList();
  private final AtomicLong sampledPeak = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  HeapMeter() {
    sampler =
        new Thread(
            () -> {
              while (running) {
                long used = memory.getHeapMemoryUsage().getUsed();
                sampledPeak.accumulateAndGet(used, Math::max);
                try {
                  Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
            },
            "gpuward-bench-heap");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts new peak measurements. */
  void resetPeaks() {
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    sampledPeak.set(memory.getHeapMemoryUsage().getUsed());
  }

  /** Most heap in use at one sampled instant since {@link #resetPeaks()}, bytes. */
  long sampledPeakBytes() {
    return sampledPeak.get();
  }

  /** Sum of the heap pools' peaks since {@link #resetPeaks()}, bytes (an upper bound). */
  long poolPeakSumBytes() {
    return heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  /** Heap in use right after full collections (what is live), bytes. */
  long usedAfterGc() {
    long used = Long.MAX_VALUE;
    // A few rounds: finalizers and soft references can free more on the next collection.
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
