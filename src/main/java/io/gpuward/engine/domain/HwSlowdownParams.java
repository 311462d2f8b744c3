package io.gpuward.engine.domain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HW thermal slowdown rule data ({@code rules.yaml: thermal.hwSlowdown}): GPU_THERMAL from the
 * clock event reasons and the thermal violation counter, whatever the temperature reads.
 *
 * @param reasons clock event reasons (dcgm-exporter's {@code clock_event} names) that count as
 *     slowdown
 * @param minSamples samples with one of {@code reasons} set that make a window throttled
 * @param violationMsPerWindow thermal violation time (ms) added within one window that makes it
 *     throttled on its own
 * @param openWindows consecutive throttled windows that open a verdict
 * @param clearWindows consecutive clean windows after which it may recover (hysteresis)
 */
public record HwSlowdownParams(
    List<String> reasons,
    int minSamples,
    long violationMsPerWindow,
    int openWindows,
    int clearWindows) {

  /**
   * The reasons that may be chosen, by the bit DCGM sets ({@code DCGM_CLOCKS_EVENT_REASON_*}):
   * HW_SLOWDOWN, SW_THERMAL, HW_THERMAL. Power brake and power cap are not thermal.
   */
  public static final Map<String, Long> REASON_BITS = reasonBits();

  /** The rule when rules.yaml has no {@code thermal.hwSlowdown}. */
  public static final HwSlowdownParams DEFAULTS =
      new HwSlowdownParams(List.of("hw_thermal"), 2, 1000, 2, 4);

  public HwSlowdownParams {
    reasons = List.copyOf(reasons);
    if (reasons.isEmpty()) {
      throw new IllegalArgumentException("thermal.hwSlowdown.reasons must name at least one");
    }
    for (String r : reasons) {
      if (!REASON_BITS.containsKey(r)) {
        throw new IllegalArgumentException(
            "thermal.hwSlowdown.reasons: '" + r + "' is not one of " + REASON_BITS.keySet());
      }
    }
    positive(minSamples, "minSamples");
    positive(violationMsPerWindow, "violationMsPerWindow");
    positive(openWindows, "openWindows");
    positive(clearWindows, "clearWindows");
  }

  /** The clock event reasons bitmask of {@link #reasons}. */
  public long mask() {
    long m = 0;
    for (String r : reasons) {
      m |= REASON_BITS.get(r);
    }
    return m;
  }

  private static void positive(long v, String key) {
    if (v < 1) {
      throw new IllegalArgumentException("thermal.hwSlowdown." + key + " must be >= 1, not " + v);
    }
  }

  private static Map<String, Long> reasonBits() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("hw_slowdown", 0x08L);
    m.put("sw_thermal", 0x20L);
    m.put("hw_thermal", 0x40L);
    return Collections.unmodifiableMap(m);
  }
}
