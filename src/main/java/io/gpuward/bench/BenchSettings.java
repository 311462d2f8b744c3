package io.gpuward.bench;

import java.util.Map;

/**
 * What to benchmark.
 *
 * @param gpus GPUs in the synthetic fleet (8 per node)
 * @param ticks samples per GPU to pre-load (one tick per simulated second)
 * @param faults XID faults to inject for the latency measurement, one per node
 * @param partitions partitions of every topic
 * @param seed seed of the fleet and of the choice of faulty nodes
 * @param liveRate background samples per second during the latency phase; 0 = automatic (one sample
 *     per GPU per second, at most half the engine's measured rate)
 * @param faultRate faults injected per second
 * @param engineSettings gpuward settings for the engine under test only ({@code -D key=value})
 * @param instances engine instances of the scale-out phase; 1 skips it
 */
public record BenchSettings(
    int gpus,
    int ticks,
    int faults,
    int partitions,
    long seed,
    double liveRate,
    double faultRate,
    Map<String, String> engineSettings,
    int instances) {

  /** Samples the default run pre-loads, about. */
  public static final long DEFAULT_SAMPLES = 1_500_000;

  public BenchSettings {
    engineSettings = Map.copyOf(engineSettings);
  }

  /** Ticks giving about {@link #DEFAULT_SAMPLES} samples for {@code gpus} GPUs, at least 3. */
  public static int defaultTicks(int gpus) {
    return (int) Math.max(3, Math.round((double) DEFAULT_SAMPLES / gpus));
  }

  /** Nodes of a synthetic fleet of {@code gpus} GPUs. */
  public static int nodes(int gpus) {
    return (gpus + 7) / 8;
  }
}
