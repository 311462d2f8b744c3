package io.gpuward.engine.domain;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node's last reading of each GPU's cumulative counters, carried from its closed windows into
 * the next ones ({@link GpuWindow#carryIn}). Without it an increment between a window's last sample
 * and the next window's first would be in no window's delta: with 10 s samples in 30 s windows, a
 * third of all errors.
 *
 * <p>A reading is carried for at most {@code maxAge} of event time: an increment over a longer gap
 * in a GPU's telemetry would be counted in one window as if it happened there (an SBE storm out of
 * hours of slow growth), and readings of a GPU that left the node must not be kept for ever.
 * Mutable; serialised into the carry store.
 */
public final class CounterCarry {
  /** Readings by GPU UUID, in the {@link GpuWindow.Gpu#readings} layout. */
  public TreeMap<String, long[]> gpus = new TreeMap<>();

  /** Readings of no counter. */
  public static long[] none() {
    long[] r = new long[2 * GpuWindow.COUNTERS];
    for (int c = 0; c < GpuWindow.COUNTERS; c++) {
      r[2 * c] = -1;
      r[2 * c + 1] = Long.MIN_VALUE;
    }
    return r;
  }

  /** Takes each GPU's readings from a window, each counter's newer one winning. */
  public void remember(GpuWindow w) {
    for (Map.Entry<String, GpuWindow.Gpu> e : w.gpus.entrySet()) {
      long[] mine = gpus.get(e.getKey());
      long[] theirs = e.getValue().readings();
      gpus.put(e.getKey(), mine == null ? theirs : newest(mine, theirs));
    }
  }

  /**
   * {@code uuid} as this carry holds it, or {@code uuid} itself when it holds none: a window that
   * keys its GPU with the carry's string keeps one string per GPU in memory, not one per window.
   */
  public String sameUuid(String uuid) {
    String held = gpus.ceilingKey(uuid);
    return uuid.equals(held) ? held : uuid;
  }

  /**
   * A GPU's readings from before {@code start} and no older than {@code maxAge} before {@code at}
   * (its first sample in the window), or {@code null} if none is.
   */
  public long[] before(String uuid, long start, long at, long maxAge) {
    long[] r = gpus.get(uuid);
    return r == null ? null : usable(r, start, at, maxAge);
  }

  /**
   * Per counter, the reading with the later event time of {@code a} and {@code b} (either null).
   */
  public static long[] newest(long[] a, long[] b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    long[] r = Arrays.copyOf(a, a.length);
    for (int c = 0; c < GpuWindow.COUNTERS; c++) {
      if (b[2 * c + 1] > r[2 * c + 1]) {
        r[2 * c] = b[2 * c];
        r[2 * c + 1] = b[2 * c + 1];
      }
    }
    return r;
  }

  /** {@code r} without readings at or after {@code start} or older than {@code at - maxAge}. */
  public static long[] usable(long[] r, long start, long at, long maxAge) {
    long[] out = none();
    boolean any = false;
    for (int c = 0; c < GpuWindow.COUNTERS; c++) {
      long ts = r[2 * c + 1];
      if (ts != Long.MIN_VALUE && ts < start && at - ts <= maxAge) {
        out[2 * c] = r[2 * c];
        out[2 * c + 1] = ts;
        any = true;
      }
    }
    return any ? out : null;
  }

  /**
   * Forgets readings older than {@code before}, and GPUs left without any; whether anything was
   * forgotten.
   */
  public boolean expire(long before) {
    boolean changed = false;
    for (Iterator<long[]> it = gpus.values().iterator(); it.hasNext(); ) {
      long[] r = it.next();
      boolean any = false;
      for (int c = 0; c < GpuWindow.COUNTERS; c++) {
        if (r[2 * c + 1] == Long.MIN_VALUE) {
          continue;
        }
        if (r[2 * c + 1] < before) {
          r[2 * c] = -1;
          r[2 * c + 1] = Long.MIN_VALUE;
          changed = true;
        } else {
          any = true;
        }
      }
      if (!any) {
        it.remove();
        changed = true;
      }
    }
    return changed;
  }
}
