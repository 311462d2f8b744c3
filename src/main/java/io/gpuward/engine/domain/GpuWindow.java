package io.gpuward.engine.domain;

import io.gpuward.avro.GpuSample;
import java.util.TreeMap;

/**
 * Per-node aggregate of one event-time window: for each GPU (by UUID) what its samples showed.
 * Cumulative DCGM counters are turned into deltas: increments between consecutive samples (in event
 * time), where a decrease means the counter was reset (GPU reset, driver reload) and the new value
 * counts as the increment. Samples older than the GPU's latest are counted but add no delta.
 * Mutable accumulator, serialised into the window store.
 */
public final class GpuWindow {

  /** A cumulative counter's progress inside the window. */
  public static final class Counter {
    public long last = -1;
    public long lastTs = Long.MIN_VALUE;
    public long delta;
    public long max;

    void add(Long value, long ts) {
      if (value == null) {
        return;
      }
      long v = value;
      if (v > max) {
        max = v;
      }
      if (ts < lastTs) {
        return; // out of order inside the window: no delta from it
      }
      if (last >= 0) {
        delta += v >= last ? v - last : v; // a decrease is a reset
      }
      last = v;
      lastTs = ts;
    }
  }

  /** One GPU in the window. */
  public static final class Gpu {
    public int index;
    public String pciBusId;
    public int samples;
    public int hot;
    public double maxTempC;
    public Counter sbeVolatile = new Counter();
    public Counter dbeVolatile = new Counter();
    public Counter nvlinkCrc = new Counter();
    public Counter nvlinkReplay = new Counter();
    public Counter nvlinkRecovery = new Counter();
    public long retiredPending;
    public boolean rowRemapFailure;
    public boolean rowRemapPending;
    public long lastSampleTs;
  }

  /** GPUs by UUID (sorted, so evaluation order is deterministic). */
  public TreeMap<String, Gpu> gpus = new TreeMap<>();

  /** Adds a sample; {@code hot} is the thermal rule's judgement of it. */
  public GpuWindow add(GpuSample s, boolean hot) {
    Gpu g = gpus.computeIfAbsent(s.getUuid(), k -> new Gpu());
    long ts = s.getEventTime().toEpochMilli();
    g.index = s.getGpuIndex();
    g.pciBusId = s.getPciBusId();
    g.samples++;
    if (hot) {
      g.hot++;
    }
    g.maxTempC = Math.max(g.maxTempC, orZero(s.getTemperatureC()));
    g.maxTempC = Math.max(g.maxTempC, orZero(s.getMemoryTemperatureC()));
    g.sbeVolatile.add(s.getEccSbeVolatile(), ts);
    g.dbeVolatile.add(s.getEccDbeVolatile(), ts);
    Long crc = sum(s.getNvlinkCrcFlitErrors(), s.getNvlinkCrcDataErrors());
    g.nvlinkCrc.add(crc, ts);
    g.nvlinkReplay.add(s.getNvlinkReplayErrors(), ts);
    g.nvlinkRecovery.add(s.getNvlinkRecoveryErrors(), ts);
    if (s.getRetiredPagesPending() != null) {
      g.retiredPending = Math.max(g.retiredPending, s.getRetiredPagesPending());
    }
    g.rowRemapFailure |= Boolean.TRUE.equals(s.getRowRemapFailure());
    g.rowRemapPending |= Boolean.TRUE.equals(s.getRowRemapPending());
    g.lastSampleTs = Math.max(g.lastSampleTs, ts);
    return this;
  }

  private static double orZero(Double d) {
    return d == null ? 0 : d;
  }

  private static Long sum(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a + b;
  }
}
