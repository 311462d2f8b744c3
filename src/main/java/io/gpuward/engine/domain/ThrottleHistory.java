package io.gpuward.engine.domain;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One node's HW slowdown streaks carried from window to window ({@link HwSlowdownRule}): per GPU,
 * how many of its last windows in a row were throttled or clean, and whether its slowdown holds
 * GPU_THERMAL open. Only consecutive windows count: a gap in the node's windows (no telemetry)
 * breaks every streak, as a GPU's absence from a window breaks its own. Mutable; stored with the
 * node's GPU presence (the engine's PresenceSerde: a field added here must be added there).
 */
public final class ThrottleHistory {
  /**
   * How long an open GPU missing from the node's windows is remembered: longer than GPU_THERMAL's
   * TTL, by which its verdict has expired anyway; then a GPU that left does not stay.
   */
  static final Duration FORGET_OPEN_AFTER = Duration.ofHours(1);

  /** End (epoch ms) of the last window judged; {@link Long#MIN_VALUE} before the first. */
  public long windowEnd = Long.MIN_VALUE;

  /** Streaks by GPU UUID; only GPUs with something to remember. */
  public TreeMap<String, Streak> gpus = new TreeMap<>();

  /** One GPU's streaks. */
  public static final class Streak {
    /** Throttled windows in a row up to the last one. */
    public int throttled;

    /** Clean windows in a row up to the last one. */
    public int clean;

    /** Whether its slowdown opened GPU_THERMAL and has not recovered. */
    public boolean open;

    /** End (epoch ms) of the last window the GPU was in. */
    public long lastSeen;

    boolean idle() {
      return throttled == 0 && clean == 0 && !open;
    }
  }

  /** Starts the window {@code [start, end)}: not right after the last one, every streak breaks. */
  void begin(long start) {
    if (windowEnd != start) {
      gpus.values().forEach(ThrottleHistory::breakStreak);
    }
  }

  /** The GPU's streak, created empty when it has none. */
  Streak of(String uuid) {
    return gpus.computeIfAbsent(uuid, u -> new Streak());
  }

  /** Whether the GPU's slowdown holds GPU_THERMAL open. */
  boolean open(String uuid) {
    Streak s = gpus.get(uuid);
    return s != null && s.open;
  }

  /**
   * Ends the window at {@code end}: GPUs not in it ({@code seen}) break their streaks; what is left
   * with nothing to remember is forgotten.
   */
  void finish(Set<String> seen, long end) {
    windowEnd = end;
    for (Iterator<Map.Entry<String, Streak>> it = gpus.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      Streak s = e.getValue();
      if (!seen.contains(e.getKey())) {
        breakStreak(s);
      }
      if (s.idle() || end - s.lastSeen > FORGET_OPEN_AFTER.toMillis()) {
        it.remove();
      }
    }
  }

  private static void breakStreak(Streak s) {
    s.throttled = 0;
    s.clean = 0;
  }
}
