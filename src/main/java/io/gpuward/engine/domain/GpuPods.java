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
   * {@code gpus} with the pods of each GPU whose pods are unknown taken from {@code podsByGpu}
   * (keyed by GPU UUID or PCI bus id, as the node's last window saw them).
   */
  public static List<GpuRef> attribute(List<GpuRef> gpus, Map<String, List<String>> podsByGpu) {
    if (podsByGpu == null || podsByGpu.isEmpty()) {
      return gpus;
    }
    List<GpuRef> out = new ArrayList<>(gpus.size());
    for (GpuRef g : gpus) {
      List<String> pods = podsByGpu.get(g.getUuid());
      if (pods == null && g.getPciBusId() != null) {
        pods = podsByGpu.get(g.getPciBusId());
      }
      boolean unknown = g.getPods() == null || g.getPods().isEmpty();
      out.add(
          unknown && pods != null && !pods.isEmpty()
              ? GpuRef.newBuilder(g).setPods(List.copyOf(pods)).build()
              : g);
    }
    return out;
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
