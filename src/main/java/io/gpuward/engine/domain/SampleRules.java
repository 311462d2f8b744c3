package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rules over one closed window of a node's GPU samples ({@link GpuWindow}):
 *
 * <ul>
 *   <li>GPU_THERMAL: hot for at least {@code openFraction} of the window; or HW thermal slowdown
 *       ({@link HwSlowdownRule}) for {@code openWindows} windows in a row. Recovered when the
 *       window is cool (at or under {@code clearFraction} hot) and the GPU's slowdown holds nothing
 *       open nor is throttled now (hysteresis both ways).
 *   <li>GPU_MEMORY_DEGRADED: row-remap failure (REPLACE), volatile double-bit ECC errors
 *       (RESET_GPU), pending page retirement or row remap (RESET_GPU), an SBE storm (RESET_GPU);
 *       recovered when a window of a GPU that reports double-bit, row-remap or page-retirement
 *       fields shows none of them.
 *   <li>NVLINK_DEGRADED: NVLink CRC errors or any replay/recovery errors over the window's limits
 *       (CORDON); recovered when a window of a GPU that reports NVLink counters adds none.
 * </ul>
 */
public final class SampleRules {
  public static final String THERMAL = "thermal.window-fraction";
  public static final String HW_SLOWDOWN = "thermal.hw-slowdown";
  public static final String MEMORY = "memory.ecc-window";
  public static final String NVLINK = "nvlink.error-window";

  private final ThermalParams thermal;
  private final HwSlowdownRule slowdown;
  private final long windowSeconds;
  private final MemoryParams memory;
  private final NvlinkParams nvlink;

  public SampleRules(
      RuleParams.SampleWindow window,
      ThermalParams thermal,
      HwSlowdownParams hwSlowdown,
      MemoryParams memory,
      NvlinkParams nvlink) {
    this.windowSeconds = window.size().toSeconds();
    this.thermal = thermal;
    this.slowdown = new HwSlowdownRule(hwSlowdown);
    this.memory = memory;
    this.nvlink = nvlink;
  }

  /** The rules of a rule catalog. */
  public SampleRules(RuleCatalog rules) {
    this(rules.sampleWindow(), rules.thermal(), rules.hwSlowdown(), rules.memory(), rules.nvlink());
  }

  /** Whether one sample is over a temperature limit. */
  public boolean isHot(GpuSample s) {
    Double t = s.getTemperatureC();
    Double m = s.getMemoryTemperatureC();
    return (t != null && t >= thermal.gpuTempLimitC())
        || (m != null && m >= thermal.memoryTempLimitC());
  }

  /** Whether one sample's clock event reasons show a thermal slowdown. */
  public boolean isSlowedDown(GpuSample s) {
    return slowdown.isSlowedDown(s);
  }

  /**
   * Signals for one closed window of one node. {@code history} holds the node's slowdown streaks
   * from its earlier windows and is advanced by this one; {@code null} for a window older than the
   * last one judged, which then neither counts for the slowdown rule nor recovers GPU_THERMAL.
   */
  public List<Signal> evaluate(
      String node, Instant start, Instant end, GpuWindow w, ThrottleHistory history) {
    List<Signal> out = new ArrayList<>();
    List<String> cool = new ArrayList<>();
    List<String> memoryClean = new ArrayList<>();
    List<String> linksClean = new ArrayList<>();
    if (history != null) {
      history.begin(start.toEpochMilli());
    }
    for (Map.Entry<String, GpuWindow.Gpu> e : w.gpus.entrySet()) {
      String uuid = e.getKey();
      GpuWindow.Gpu g = e.getValue();
      GpuRef ref =
          GpuRef.newBuilder()
              .setUuid(uuid)
              .setIndex(g.index)
              .setPciBusId(g.pciBusId)
              .setPods(g.podList())
              .build();
      boolean wasCool = temperature(node, start, end, uuid, g, ref, out);
      boolean slowdownClear = slowdown(node, start, end, uuid, g, ref, out, history);
      if (wasCool && slowdownClear) {
        cool.add(uuid);
      }
      memory(node, start, end, uuid, g, ref, out, memoryClean);
      nvlink(node, start, end, uuid, g, ref, out, linksClean);
    }
    if (history != null) {
      history.finish(w.gpus.keySet(), end.toEpochMilli());
    }
    recovered(
        out,
        node,
        FaultClass.GPU_THERMAL,
        cool,
        start,
        end,
        "temperature back within limits and no HW thermal slowdown for a full window");
    recovered(
        out,
        node,
        FaultClass.GPU_MEMORY_DEGRADED,
        memoryClean,
        start,
        end,
        "no uncorrectable or pending memory errors for a full window (GPU reset or replaced)");
    recovered(
        out,
        node,
        FaultClass.NVLINK_DEGRADED,
        linksClean,
        start,
        end,
        "no new NVLink errors for a full window");
    return out;
  }

  /** The temperature rule on one GPU's window; whether the window was cool. */
  private boolean temperature(
      String node,
      Instant start,
      Instant end,
      String uuid,
      GpuWindow.Gpu g,
      GpuRef ref,
      List<Signal> out) {
    if (g.samples < thermal.minSamples()) {
      return false;
    }
    double fraction = (double) g.hot / g.samples;
    if (fraction < thermal.openFraction()) {
      return fraction <= thermal.clearFraction();
    }
    String detail =
        String.format(
            Locale.ROOT,
            "%d of %d samples at or over limit (GPU %.0f C / memory %.0f C), max %.1f C",
            g.hot,
            g.samples,
            thermal.gpuTempLimitC(),
            thermal.memoryTempLimitC(),
            g.maxTempC);
    String summary =
        String.format(
            Locale.ROOT,
            "GPU %d over temperature limit for %.0f%% of a %ds window (max %.1f C)",
            g.index,
            fraction * 100,
            windowSeconds,
            g.maxTempC);
    out.add(
        detected(
            node,
            FaultClass.GPU_THERMAL,
            Severity.MAJOR,
            RemediationAction.CORDON,
            ref,
            evidence(start, end, uuid, "gpu_hot_fraction", fraction, detail),
            THERMAL,
            end,
            summary));
    return false;
  }

  /**
   * The HW slowdown rule on one GPU's window; whether its slowdown lets GPU_THERMAL recover (holds
   * nothing open and is not throttled now).
   */
  private boolean slowdown(
      String node,
      Instant start,
      Instant end,
      String uuid,
      GpuWindow.Gpu g,
      GpuRef ref,
      List<Signal> out,
      ThrottleHistory history) {
    if (history == null) {
      return false;
    }
    HwSlowdownRule.Judgement j = slowdown.judge(g);
    ThrottleHistory.Streak streak = history.of(uuid);
    if (slowdown.advance(streak, j, end.toEpochMilli())) {
      String detail = HwSlowdownRule.detail(g, streak.throttled);
      String summary =
          String.format(
              Locale.ROOT,
              "GPU %d HW thermal slowdown for %d windows in a row at max %.1f C (clock event"
                  + " reasons 0x%x, %d ms thermal violation in the last %ds)",
              g.index,
              streak.throttled,
              g.maxTempC,
              g.reasonsSeen,
              HwSlowdownRule.violationMs(g),
              windowSeconds);
      out.add(
          detected(
              node,
              FaultClass.GPU_THERMAL,
              Severity.MAJOR,
              RemediationAction.CORDON,
              ref,
              evidence(
                  start,
                  end,
                  uuid,
                  "gpu_hw_thermal_slowdown",
                  HwSlowdownRule.violationMs(g),
                  detail),
              HW_SLOWDOWN,
              end,
              summary));
    }
    return !streak.open && j != HwSlowdownRule.Judgement.THROTTLED;
  }

  private void memory(
      String node,
      Instant start,
      Instant end,
      String uuid,
      GpuWindow.Gpu g,
      GpuRef ref,
      List<Signal> out,
      List<String> clean) {
    Severity sev;
    RemediationAction action;
    String what;
    double value;
    if (g.rowRemapFailure) {
      sev = Severity.CRITICAL;
      action = RemediationAction.REPLACE;
      what = "row remapping failed: no spare rows left (unrecoverable memory damage)";
      value = 1;
    } else if (g.max(GpuWindow.DBE) > 0) {
      sev = Severity.CRITICAL;
      action = RemediationAction.RESET_GPU;
      what = g.max(GpuWindow.DBE) + " volatile double-bit ECC error(s)";
      value = g.max(GpuWindow.DBE);
    } else if (g.rowRemapPending || g.retiredPending > 0) {
      sev = Severity.MAJOR;
      action = RemediationAction.RESET_GPU;
      what =
          g.rowRemapPending
              ? "row remap pending: activates on the next GPU reset"
              : g.retiredPending + " page(s) pending retirement";
      value = g.rowRemapPending ? 1 : g.retiredPending;
    } else if (g.delta(GpuWindow.SBE) >= memory.sbeStormPerWindow()) {
      sev = Severity.MAJOR;
      action = RemediationAction.RESET_GPU;
      what = "single-bit ECC storm: " + g.delta(GpuWindow.SBE) + " errors in the window";
      value = g.delta(GpuWindow.SBE);
    } else {
      if (g.delta(GpuWindow.SBE) <= memory.sbeClearPerWindow() && reportsMemory(g)) {
        // Only a GPU that reports uncorrectable or pending errors can show it has none: telemetry
        // without those fields (dcgm-exporter not asked for them) would clear an XID 48 verdict.
        clean.add(uuid);
      }
      return;
    }
    out.add(
        detected(
            node,
            FaultClass.GPU_MEMORY_DEGRADED,
            sev,
            action,
            ref,
            evidence(start, end, uuid, "gpu_memory_errors", value, what),
            MEMORY,
            end,
            "GPU " + g.index + " memory degraded: " + what));
  }

  private void nvlink(
      String node,
      Instant start,
      Instant end,
      String uuid,
      GpuWindow.Gpu g,
      GpuRef ref,
      List<Signal> out,
      List<String> clean) {
    long crc = g.delta(GpuWindow.NVLINK_CRC);
    long hard = g.delta(GpuWindow.NVLINK_REPLAY) + g.delta(GpuWindow.NVLINK_RECOVERY);
    if (crc >= nvlink.crcErrorsPerWindow() || hard >= nvlink.replayOrRecoveryPerWindow()) {
      String what = crc + " CRC and " + hard + " replay/recovery NVLink errors in the window";
      out.add(
          detected(
              node,
              FaultClass.NVLINK_DEGRADED,
              hard > 0 ? Severity.CRITICAL : Severity.MAJOR,
              RemediationAction.CORDON,
              ref,
              evidence(start, end, uuid, "nvlink_errors", crc + hard, what),
              NVLINK,
              end,
              "GPU " + g.index + " NVLink degraded: " + what));
    } else if (crc == 0 && hard == 0 && reportsNvlink(g)) {
      // A GPU without NVLink counters (no NVLink, or an exporter not asked for them) tells
      // nothing about its links: calling it clean would clear an XID 74 verdict within a window.
      clean.add(uuid);
    }
  }

  private static boolean reportsMemory(GpuWindow.Gpu g) {
    return g.reported(GpuWindow.DBE)
        || g.reported(GpuWindow.ROW_REMAP)
        || g.reported(GpuWindow.RETIRED_PENDING);
  }

  private static boolean reportsNvlink(GpuWindow.Gpu g) {
    return g.reported(GpuWindow.NVLINK_CRC)
        || g.reported(GpuWindow.NVLINK_REPLAY)
        || g.reported(GpuWindow.NVLINK_RECOVERY);
  }

  private static Signal.Detected detected(
      String node,
      FaultClass c,
      Severity sev,
      RemediationAction action,
      GpuRef ref,
      Evidence e,
      String ruleId,
      Instant at,
      String summary) {
    return new Signal.Detected(node, c, sev, action, List.of(ref), e, ruleId, at, summary, null);
  }

  private static Evidence evidence(
      Instant start, Instant end, String uuid, String signal, double value, String detail) {
    return Evidences.of(Evidences.NONE, null, end, signal)
        .setSource("window:gpu")
        .setValue(value)
        .setWindowStart(start)
        .setWindowEnd(end)
        .setGpuUuid(uuid)
        .setDetail(detail)
        .build();
  }

  private static void recovered(
      List<Signal> out,
      String node,
      FaultClass c,
      List<String> uuids,
      Instant start,
      Instant end,
      String reason) {
    if (uuids.isEmpty()) {
      return;
    }
    Evidence e =
        Evidences.of(Evidences.NONE, null, end, "window_clean")
            .setSource("window:gpu")
            .setWindowStart(start)
            .setWindowEnd(end)
            .setDetail(uuids.size() + " GPU(s) clean for the window")
            .build();
    out.add(new Signal.Recovered(node, Set.of(c), uuids, reason, e, end));
  }
}
