package io.gpuward.rollup;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.GpuTelemetryRollup;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-GPU statistics of one node over one window, by GPU UUID. The rollup aggregates per node
 * (the topic's key) so it needs no repartition topic; it emits one record per GPU. Immutable.
 */
public record NodeWindow(Map<String, GpuStats> gpus) {

  public NodeWindow {
    gpus = Map.copyOf(gpus);
  }

  public static NodeWindow empty() {
    return new NodeWindow(Map.of());
  }

  /** This window with {@code s} counted for its GPU. */
  public NodeWindow add(GpuSample s) {
    Map<String, GpuStats> next = new TreeMap<>(gpus);
    next.merge(s.getUuid(), GpuStats.EMPTY.add(s), (old, ignored) -> old.add(s));
    return new NodeWindow(next);
  }

  /** One rollup per GPU, ordered by GPU index then UUID. */
  public List<GpuTelemetryRollup> rollups(String node, Instant start, Instant end) {
    return gpus.entrySet().stream()
        .sorted(
            Comparator.<Map.Entry<String, GpuStats>>comparingInt(e -> e.getValue().gpuIndex())
                .thenComparing(Map.Entry::getKey))
        .map(e -> e.getValue().toRollup(node, e.getKey(), start, end))
        .toList();
  }
}
