package io.gpuward.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * Heap readings from the memory pool beans: used heap after a full GC, and the peak since the last
 * reset. The peak is the sum of each heap pool's own peak, an upper bound of the true peak (the
 * pools need not peak at the same moment).
 */
final class HeapMeter {
  private final List<MemoryPoolMXBean> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
          .toList();

  /** Starts a new peak measurement. */
  void resetPeaks() {
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  /** Sum of the heap pools' peaks since {@link #resetPeaks()}, bytes. */
  long peakBytes() {
    return heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  /** Heap in use right after full collections (what is live), bytes. */
  long usedAfterGc() {
    long used = Long.MAX_VALUE;
    // A few rounds: finalizers and soft references can free more on the next collection.
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, usedBytes());
    }
    return used;
  }

  private long usedBytes() {
    return heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }
}
