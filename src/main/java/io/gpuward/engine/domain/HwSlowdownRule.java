package io.gpuward.engine.domain;

import io.gpuward.avro.GpuSample;
import java.util.Locale;

/**
 * GPU_THERMAL from the GPU's own thermal protection: its clock event reasons show a thermal
 * slowdown ({@link HwSlowdownParams#reasons}) in enough samples of a window, or DCGM's thermal
 * violation time grew enough in it. Such a GPU is a cooling fault even at a temperature under the
 * limit (the reported temperature is one sensor; the slowdown trips on the hottest spot).
 *
 * <p>Hysteresis over consecutive windows ({@link ThrottleHistory}): {@code openWindows} throttled
 * windows in a row open, {@code clearWindows} clean ones in a row recover. A window showing neither
 * field is unknown: it is not clean and it breaks both streaks. A window with some slowdown, but
 * under both limits, breaks both streaks too.
 */
public final class HwSlowdownRule {

  /** What one window of a GPU showed. */
  public enum Judgement {
    THROTTLED,
    CLEAN,
    BELOW,
    UNKNOWN
  }

  private final HwSlowdownParams params;
  private final long mask;

  public HwSlowdownRule(HwSlowdownParams params) {
    this.params = params;
    this.mask = params.mask();
  }

  public HwSlowdownParams params() {
    return params;
  }

  /** Whether one sample's clock event reasons show a slowdown the rule counts. */
  public boolean isSlowedDown(GpuSample s) {
    Long reasons = s.getClockEventReasons();
    return reasons != null && (reasons & mask) != 0;
  }

  /** Thermal violation time added in the window, in ms. */
  static long violationMs(GpuWindow.Gpu g) {
    return g.delta(GpuWindow.THERMAL_VIOLATION) / 1_000_000;
  }

  /** Judges one GPU's window. */
  public Judgement judge(GpuWindow.Gpu g) {
    boolean reasons = g.reported(GpuWindow.CLOCK_REASONS);
    boolean violation = g.reported(GpuWindow.THERMAL_VIOLATION);
    if (!reasons && !violation) {
      return Judgement.UNKNOWN;
    }
    long ms = violationMs(g);
    if (g.slowdown >= params.minSamples() || ms >= params.violationMsPerWindow()) {
      return Judgement.THROTTLED;
    }
    return g.slowdown == 0 && ms == 0 ? Judgement.CLEAN : Judgement.BELOW;
  }

  /**
   * Applies a window's judgement to the GPU's streak; whether the GPU is throttled for long enough
   * to raise GPU_THERMAL now.
   */
  boolean advance(ThrottleHistory.Streak s, Judgement j, long end) {
    s.lastSeen = end;
    switch (j) {
      case THROTTLED -> {
        s.throttled++;
        s.clean = 0;
        if (s.throttled >= params.openWindows()) {
          s.open = true;
        }
      }
      case CLEAN -> {
        s.clean++;
        s.throttled = 0;
        if (s.clean >= params.clearWindows()) {
          s.open = false;
        }
      }
      default -> {
        s.throttled = 0;
        s.clean = 0;
      }
    }
    return j == Judgement.THROTTLED && s.open;
  }

  /** What the window showed, for evidence. */
  static String detail(GpuWindow.Gpu g, int windows) {
    return String.format(
        Locale.ROOT,
        "HW thermal slowdown: clock event reasons 0x%x in %d of %d samples, thermal violation %d ms"
            + " in the window, %d throttled window(s) in a row, max %.1f C",
        g.reasonsSeen,
        g.slowdown,
        g.samples,
        violationMs(g),
        windows,
        g.maxTempC);
  }
}
