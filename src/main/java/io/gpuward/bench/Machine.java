package io.gpuward.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What the benchmark ran on.
 *
 * @param cores processors available to the JVM
 * @param maxHeapMiB the JVM's maximum heap ({@code -Xmx})
 * @param java Java version
 * @param vm VM name
 * @param os operating system and architecture
 * @param gc garbage collectors in use
 * @param loadAverage 1-minute system load average when the run started (other processes included;
 *     -1 when unknown)
 */
public record Machine(
    int cores,
    long maxHeapMiB,
    String java,
    String vm,
    String os,
    List<String> gc,
    double loadAverage) {

  /** This JVM and machine. */
  public static Machine current() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / (1024 * 1024),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName)
            .toList(),
        CpuMeter.loadAverage());
  }
}
