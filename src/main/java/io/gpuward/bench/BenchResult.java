package io.gpuward.bench;

/**
 * Every number of one benchmark run.
 *
 * @param machine what it ran on
 * @param settings what was asked for
 * @param nodes nodes of the fleet
 * @param preload phase 1
 * @param rawEos phase 2, exactly-once
 * @param raw phase 2, no transactions
 * @param engine phase 3
 * @param latency phase 4
 * @param memory phase 5
 * @param scaleOut the scale-out phase, or null when it did not run ({@code --instances 1})
 * @param restore restore times after a kill -9 of the engine, or null when not measured
 */
public record BenchResult(
    Machine machine,
    BenchSettings settings,
    int nodes,
    Preload.Result preload,
    RawPipe.Result rawEos,
    RawPipe.Result raw,
    Engine engine,
    LatencyPhase.Result latency,
    Memory memory,
    ScaleOutPhase.Result scaleOut,
    CrashRestore.Result restore) {

  /**
   * The engine's catch-up.
   *
   * @param samples GPU samples it processed (the whole GPU topic)
   * @param records every input record it processed (samples, kube events, inventory)
   * @param startSeconds from start until RUNNING (state restore, group join)
   * @param seconds from RUNNING until its committed offsets reached the end of the GPU topic
   * @param commitIntervalMs its commit interval
   * @param cacheMaxBytes its record cache size ({@code statestore.cache.max.bytes})
   * @param threadCpuSeconds CPU time of its stream thread while catching up
   * @param processCpuSeconds CPU time of the whole JVM while it caught up (broker included)
   * @param gcMillis time in garbage collection while it caught up
   */
  public record Engine(
      long samples,
      long records,
      double startSeconds,
      double seconds,
      long commitIntervalMs,
      long cacheMaxBytes,
      double threadCpuSeconds,
      double processCpuSeconds,
      long gcMillis) {
    public double rate() {
      return samples / seconds;
    }

    /** Samples per CPU-second of the stream thread. */
    public double cpuRate() {
      return samples / threadCpuSeconds;
    }
  }

  /**
   * Memory, of the whole JVM (broker, registry and clients included, as they share it).
   *
   * @param heapBeforeEngineBytes live heap after a full GC before the engine started
   * @param heapWithEngineBytes live heap after a full GC with the engine caught up
   * @param peakHeapBytes most heap in use at one instant (sampled every 20 ms) from engine start to
   *     the end of the run
   * @param poolPeakSumBytes sum of the heap pools' own peaks over the same span: never misses a
   *     spike, but an upper bound that can exceed the maximum heap
   * @param stateBytesRunning on-disk size of the engine's state directory when caught up (what
   *     RocksDB still holds in memtables is not on disk yet)
   * @param stateBytes on-disk size of the engine's state directory after it closed (memtables
   *     flushed), at the end of the run
   * @param rocksMemBytes RocksDB native memory the engine's stores report (memtables, table
   *     readers, block cache), when caught up; -1 when not reported
   */
  public record Memory(
      long heapBeforeEngineBytes,
      long heapWithEngineBytes,
      long peakHeapBytes,
      long poolPeakSumBytes,
      long stateBytesRunning,
      long stateBytes,
      long rocksMemBytes) {}

  /** Engine samples/s over raw exactly-once consume+produce records/s of the same records. */
  public double ratio() {
    return engine.rate() / rawEos.rate();
  }

  /** Samples/s of the N instances over the one instance's, or NaN without the phase. */
  public double scaleOutRatio() {
    return scaleOut == null ? Double.NaN : scaleOut.rate() / engine.rate();
  }

  /** The same ratio per CPU-second of the one thread each runs on (less sensitive to load). */
  public double cpuRatio() {
    return engine.cpuRate() / rawEos.cpuRate();
  }

  /**
   * Share of the machine's cores this JVM used while the engine caught up (1.0 = all cores); well
   * below 1 with an idle stream thread means other processes took the CPU.
   */
  public double engineCpuShare() {
    return engine.processCpuSeconds() / (engine.seconds() * machine.cores());
  }

  /** Engine heap growth per GPU, bytes (may be noisy for small fleets). */
  public double heapPerGpuBytes() {
    return (double) (memory.heapWithEngineBytes() - memory.heapBeforeEngineBytes())
        / settings.gpus();
  }

  /** Stream-thread CPU time per sample while catching up, microseconds. */
  public double cpuMicrosPerSample() {
    return engine.threadCpuSeconds() * 1e6 / engine.samples();
  }

  public double stateBytesPerGpu() {
    return (double) memory.stateBytes() / settings.gpus();
  }
}
