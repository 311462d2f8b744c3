package io.gpuward.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.function.Predicate;

/**
 * CPU time of threads and of the whole JVM. On a shared machine wall-clock rates move with what
 * else runs; CPU time per record does much less, so the bench reports both.
 */
final class CpuMeter {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuMeter() {}

  /** CPU time of the live threads whose name matches, nanoseconds (0 when unsupported). */
  static long threadCpuNanos(Predicate<String> name) {
    if (!THREADS.isThreadCpuTimeSupported()) {
      return 0;
    }
    long sum = 0;
    for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (t != null && name.test(t.getThreadName())) {
        long cpu = THREADS.getThreadCpuTime(t.getThreadId());
        if (cpu > 0) {
          sum += cpu;
        }
      }
    }
    return sum;
  }

  /** CPU time of the calling thread, nanoseconds (0 when unsupported). */
  static long currentThreadCpuNanos() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  /** CPU time of this JVM, all threads, nanoseconds (-1 when unknown). */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Time the JVM's collectors spent in collections (stop-the-world pauses for G1), ms. */
  static long gcMillis() {
    long sum = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  /** The 1-minute system load average (-1 when unknown). */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
