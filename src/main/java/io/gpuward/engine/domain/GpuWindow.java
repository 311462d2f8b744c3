package io.gpuward.engine.domain;

import io.gpuward.avro.GpuSample;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Per-node aggregate of one event-time window: for each GPU (by UUID) what its samples showed.
 * Cumulative DCGM counters are turned into deltas: increments between consecutive samples (in event
 * time), where a decrease means the counter was reset (GPU reset, driver reload) and the new value
 * counts as the increment. Samples older than the GPU's latest are counted but add no delta. A GPU
 * entered with {@link #carryIn} starts from the node's previous readings ({@link CounterCarry}), so
 * the increment from the last sample before the window to its first one is counted here too.
 * Mutable accumulator, serialised into the window store.
 */
public final class GpuWindow {

  /** The cumulative counters a window follows (an index into {@link Gpu#counters}). */
  public static final int SBE = 0;

  public static final int DBE = 1;
  public static final int NVLINK_CRC = 2;
  public static final int NVLINK_REPLAY = 3;
  public static final int NVLINK_RECOVERY = 4;

  /** DCGM's thermal violation time, in ns. */
  public static final int THERMAL_VIOLATION = 5;

  public static final int COUNTERS = 6;

  /** Fields that are not counters, as bits of {@link Gpu#reported} after the counters'. */
  public static final int ROW_REMAP = 6;

  public static final int RETIRED_PENDING = 7;

  /** The clock event reasons bitmask. */
  public static final int CLOCK_REASONS = 8;

  /** Counters windows stored before {@link #THERMAL_VIOLATION} held (their layouts' length). */
  public static final int COUNTERS_BEFORE_THERMAL = 5;

  /** Per counter, four longs: last value, its event time, delta in the window, max value. */
  public static final int LAST = 0;

  public static final int LAST_TS = 1;
  public static final int DELTA = 2;
  public static final int MAX = 3;
  public static final int FIELDS = 4;

  /** One GPU in the window. */
  public static final class Gpu {
    public int index;
    public String pciBusId;
    public int samples;
    public int hot;
    public double maxTempC;

    /**
     * The counters' progress, {@link #FIELDS} longs per counter (one array, not an object per
     * counter: this is most of the engine's heap per GPU).
     */
    public long[] counters = newCounters();

    public long retiredPending;
    public boolean rowRemapFailure;
    public boolean rowRemapPending;
    public long lastSampleTs;

    /** Samples whose clock event reasons show a slowdown the thermal rule counts. */
    public int slowdown;

    /** Every clock event reason any sample in the window showed (OR of the bitmasks). */
    public long reasonsSeen;

    /**
     * The pods (namespace/name) the GPU's samples in the window attributed it to, sorted and
     * distinct; null when none did (attribution unknown: dcgm-exporter without its pod mapping, or
     * an idle GPU). An array, not a sorted set: it is held for every GPU of every open window, and
     * almost always holds one pod.
     */
    private String[] pods;

    /** The window's pods of this GPU, sorted; empty when unknown. */
    public List<String> podList() {
      return pods == null ? List.of() : List.of(pods);
    }

    /** Adds the pods of a sample's {@code pod} field (one, or several joined by commas). */
    void addPods(String field) {
      if (field == null || field.isBlank()) {
        return;
      }
      if (pods != null && pods.length == 1 && pods[0].equals(field)) {
        return; // the common case: every sample names the same one pod
      }
      for (String p : field.split(",")) {
        if (!p.isBlank()) {
          addPod(p.strip());
        }
      }
    }

    /** Adds one pod (namespace/name). */
    public void addPod(String pod) {
      if (pods == null) {
        pods = new String[] {pod};
        return;
      }
      int i = Arrays.binarySearch(pods, pod);
      if (i >= 0) {
        return;
      }
      int at = -i - 1;
      String[] grown = new String[pods.length + 1];
      System.arraycopy(pods, 0, grown, 0, at);
      grown[at] = pod;
      System.arraycopy(pods, at, grown, at + 1, pods.length - at);
      pods = grown;
    }

    /**
     * Which counters and other fields the GPU reported in the window, bit {@code 1 << field}
     * (SBE..THERMAL_VIOLATION, ROW_REMAP, RETIRED_PENDING, CLOCK_REASONS): a field never reported
     * says nothing.
     */
    public int reported;

    /** Increments of counter {@code c} between consecutive samples in the window. */
    public long delta(int c) {
      return counters[c * FIELDS + DELTA];
    }

    /** Whether the GPU reported counter or memory field {@code f} at all in the window. */
    public boolean reported(int f) {
      return (reported & (1 << f)) != 0;
    }

    /**
     * Each counter's last reading, {@code (value, event time)} pairs by counter; time {@link
     * Long#MIN_VALUE} for none. Includes a reading carried in from before the window.
     */
    public long[] readings() {
      long[] r = CounterCarry.none();
      for (int c = 0; c < COUNTERS; c++) {
        r[2 * c] = counters[c * FIELDS + LAST];
        r[2 * c + 1] = counters[c * FIELDS + LAST_TS];
      }
      return r;
    }

    /**
     * Sets {@link #reported} from what a window stored before it existed held: a counter with a
     * reading, a memory flag that is set.
     */
    public void inferReported() {
      for (int c = 0; c < COUNTERS; c++) {
        if (counters[c * FIELDS + LAST_TS] != Long.MIN_VALUE) {
          reported |= 1 << c;
        }
      }
      if (rowRemapFailure || rowRemapPending) {
        reported |= 1 << ROW_REMAP;
      }
      if (retiredPending > 0) {
        reported |= 1 << RETIRED_PENDING;
      }
    }

    /** Largest value of counter {@code c} in the window. */
    public long max(int c) {
      return counters[c * FIELDS + MAX];
    }

    /**
     * Adds a counter reading: a decrease is a reset (the new value is the increment), and an
     * out-of-order reading inside the window adds no delta.
     */
    void add(int c, Long value, long ts) {
      if (value == null) {
        return;
      }
      reported |= 1 << c;
      int o = c * FIELDS;
      long v = value;
      if (v > counters[o + MAX]) {
        counters[o + MAX] = v;
      }
      if (ts < counters[o + LAST_TS]) {
        return; // out of order inside the window: no delta from it
      }
      long last = counters[o + LAST];
      if (last >= 0) {
        counters[o + DELTA] += v >= last ? v - last : v; // a decrease is a reset
      }
      counters[o + LAST] = v;
      counters[o + LAST_TS] = ts;
    }

    private static long[] newCounters() {
      long[] c = new long[COUNTERS * FIELDS];
      for (int i = 0; i < COUNTERS; i++) {
        c[i * FIELDS + LAST] = -1;
        c[i * FIELDS + LAST_TS] = Long.MIN_VALUE;
      }
      return c;
    }
  }

  /** GPUs by UUID (sorted, so evaluation order is deterministic). */
  public TreeMap<String, Gpu> gpus = new TreeMap<>();

  /**
   * Enters a GPU not in the window yet with its counters' last readings from before the window
   * ({@link Gpu#readings} layout; {@code null} for none): its first sample's increment over them
   * counts. They neither make a counter reported nor raise its maximum.
   */
  public void carryIn(String uuid, long[] readings) {
    if (readings == null || gpus.containsKey(uuid)) {
      return;
    }
    Gpu g = new Gpu();
    for (int c = 0; c < COUNTERS; c++) {
      if (readings[2 * c + 1] != Long.MIN_VALUE) {
        g.counters[c * FIELDS + LAST] = readings[2 * c];
        g.counters[c * FIELDS + LAST_TS] = readings[2 * c + 1];
      }
    }
    gpus.put(uuid, g);
  }

  /**
   * Adds a sample; {@code hot} and {@code slowdown} are the thermal rules' judgements of it (over a
   * temperature limit, clock event reasons showing a thermal slowdown).
   */
  public GpuWindow add(GpuSample s, boolean hot, boolean slowdown) {
    Gpu g = gpus.computeIfAbsent(s.getUuid(), k -> new Gpu());
    long ts = s.getEventTime().toEpochMilli();
    g.index = s.getGpuIndex();
    String bus = s.getPciBusId();
    if (bus != null && !bus.equals(g.pciBusId)) {
      g.pciBusId = bus.intern(); // a handful of distinct values fleet-wide: kept once
    } else if (bus == null) {
      g.pciBusId = null;
    }
    g.samples++;
    if (hot) {
      g.hot++;
    }
    g.maxTempC = Math.max(g.maxTempC, orZero(s.getTemperatureC()));
    g.maxTempC = Math.max(g.maxTempC, orZero(s.getMemoryTemperatureC()));
    g.add(SBE, s.getEccSbeVolatile(), ts);
    g.add(DBE, s.getEccDbeVolatile(), ts);
    g.add(NVLINK_CRC, sum(s.getNvlinkCrcFlitErrors(), s.getNvlinkCrcDataErrors()), ts);
    g.add(NVLINK_REPLAY, s.getNvlinkReplayErrors(), ts);
    g.add(NVLINK_RECOVERY, s.getNvlinkRecoveryErrors(), ts);
    g.add(THERMAL_VIOLATION, s.getThermalViolationNs(), ts);
    if (s.getClockEventReasons() != null) {
      g.reported |= 1 << CLOCK_REASONS;
      g.reasonsSeen |= s.getClockEventReasons();
      if (slowdown) {
        g.slowdown++;
      }
    }
    if (s.getRetiredPagesPending() != null) {
      g.retiredPending = Math.max(g.retiredPending, s.getRetiredPagesPending());
      g.reported |= 1 << RETIRED_PENDING;
    }
    if (s.getRowRemapFailure() != null || s.getRowRemapPending() != null) {
      g.reported |= 1 << ROW_REMAP;
    }
    g.rowRemapFailure |= Boolean.TRUE.equals(s.getRowRemapFailure());
    g.rowRemapPending |= Boolean.TRUE.equals(s.getRowRemapPending());
    g.lastSampleTs = Math.max(g.lastSampleTs, ts);
    g.addPods(s.getPod());
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
