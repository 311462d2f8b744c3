package io.gpuward.engine.domain;

import io.gpuward.avro.GpuSample;
import java.util.TreeMap;

/**
 * Per-node thermal aggregate of one window: for each GPU (by UUID) how many samples it had and how
 * many were hot. Mutable accumulator, serialised into the window store.
 */
public final class ThermalWindow {

  /** One GPU's counts in the window. */
  public static final class Gpu {
    public int index;
    public String pciBusId;
    public int samples;
    public int hot;
    public double maxTempC;
  }

  /** GPUs by UUID (sorted, so evaluation order is deterministic). */
  public TreeMap<String, Gpu> gpus = new TreeMap<>();

  /** Adds a sample; {@code hot} is the rule's judgement of it. */
  public ThermalWindow add(GpuSample s, boolean hot) {
    Gpu g = gpus.computeIfAbsent(s.getUuid(), k -> new Gpu());
    g.index = s.getGpuIndex();
    g.pciBusId = s.getPciBusId();
    g.samples++;
    if (hot) {
      g.hot++;
    }
    Double t = s.getTemperatureC();
    if (t != null && t > g.maxTempC) {
      g.maxTempC = t;
    }
    Double m = s.getMemoryTemperatureC();
    if (m != null && m > g.maxTempC) {
      g.maxTempC = m;
    }
    return this;
  }
}
