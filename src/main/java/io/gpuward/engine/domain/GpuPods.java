package io.gpuward.engine.domain;

import io.gpuward.avro.GpuRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which pods a verdict's GPUs ran, for draining only those: a GPU's {@code pods} is what its
 * telemetry last attributed to it (dcgm-exporter's pod mapping). Empty means unknown, never "no
 * pods": the remediator then drains the whole node.
 */
public final class GpuPods {
  private GpuPods() {}

  /**
   * {@code gpus} with the pods of each GPU whose pods are unknown taken from {@code podsByGpu}, and
   * its index when unknown from {@code indexByGpu} (both keyed by GPU UUID or PCI bus id, as the
   * node's last window saw them).
   */
  public static List<GpuRef> attribute(
      List<GpuRef> gpus, Map<String, List<String>> podsByGpu, Map<String, Integer> indexByGpu) {
    if (podsByGpu == null || podsByGpu.isEmpty()) {
      return gpus;
    }
    List<GpuRef> out = new ArrayList<>(gpus.size());
    for (GpuRef g : gpus) {
      List<String> pods = lookUp(podsByGpu, g);
      boolean unknown = g.getPods() == null || g.getPods().isEmpty();
      if (!unknown || pods == null || pods.isEmpty()) {
        out.add(g);
        continue;
      }
      Integer index = g.getIndex() != null ? g.getIndex() : lookUp(indexByGpu, g);
      out.add(GpuRef.newBuilder(g).setPods(List.copyOf(pods)).setIndex(index).build());
    }
    return out;
  }

  private static <T> T lookUp(Map<String, T> byGpu, GpuRef g) {
    if (byGpu == null) {
      return null;
    }
    T v = byGpu.get(g.getUuid());
    return v == null && g.getPciBusId() != null ? byGpu.get(g.getPciBusId()) : v;
  }

  /** {@code was}, with {@code now}'s pods when {@code was} did not know them. */
  public static GpuRef filled(GpuRef was, GpuRef now) {
    boolean unknown = was.getPods() == null || was.getPods().isEmpty();
    if (unknown && now.getPods() != null && !now.getPods().isEmpty()) {
      return GpuRef.newBuilder(was).setPods(now.getPods()).build();
    }
    return was;
  }
}
