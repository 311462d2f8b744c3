package io.gpuward.engine.domain;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * GPU_THERMAL: a GPU hot for most of a window opens (or keeps) a verdict; a window in which it is
 * almost never hot is recovery evidence. Between the two fractions nothing changes (hysteresis).
 */
public final class ThermalRule {
  public static final String RULE_ID = "thermal.window-fraction";

  private final ThermalParams p;

  public ThermalRule(ThermalParams params) {
    this.p = params;
  }

  public ThermalParams params() {
    return p;
  }

  /** Whether one sample is over a limit. */
  public boolean isHot(GpuSample s) {
    Double t = s.getTemperatureC();
    Double m = s.getMemoryTemperatureC();
    return (t != null && t >= p.gpuTempLimitC()) || (m != null && m >= p.memoryTempLimitC());
  }

  /** Signals for one closed window of one node. */
  public List<Signal> evaluate(String node, Instant start, Instant end, ThermalWindow w) {
    List<Signal> out = new ArrayList<>();
    List<String> cool = new ArrayList<>();
    for (var e : w.gpus.entrySet()) {
      ThermalWindow.Gpu g = e.getValue();
      if (g.samples < p.minSamples()) {
        continue;
      }
      double fraction = (double) g.hot / g.samples;
      if (fraction >= p.openFraction()) {
        var evidence =
            Evidences.of(Evidences.NONE, null, end, "gpu_hot_fraction")
                .setSource("window:thermal")
                .setValue(fraction)
                .setWindowStart(start)
                .setWindowEnd(end)
                .setGpuUuid(e.getKey())
                .setDetail(
                    String.format(
                        Locale.ROOT,
                        "%d of %d samples at or over limit (GPU %.0f C / memory %.0f C), max %.1f C",
                        g.hot,
                        g.samples,
                        p.gpuTempLimitC(),
                        p.memoryTempLimitC(),
                        g.maxTempC))
                .build();
        out.add(
            new Signal.Detected(
                node,
                FaultClass.GPU_THERMAL,
                Severity.MAJOR,
                RemediationAction.CORDON,
                List.of(
                    GpuRef.newBuilder()
                        .setUuid(e.getKey())
                        .setIndex(g.index)
                        .setPciBusId(g.pciBusId)
                        .build()),
                evidence,
                RULE_ID,
                end,
                String.format(
                    Locale.ROOT,
                    "GPU %d over temperature limit for %.0f%% of a %ds window (max %.1f C)",
                    g.index,
                    fraction * 100,
                    p.window().toSeconds(),
                    g.maxTempC),
                null));
      } else if (fraction <= p.clearFraction()) {
        cool.add(e.getKey());
      }
    }
    if (!cool.isEmpty()) {
      var evidence =
          Evidences.of(Evidences.NONE, null, end, "gpu_hot_fraction")
              .setSource("window:thermal")
              .setValue(0.0)
              .setWindowStart(start)
              .setWindowEnd(end)
              .setDetail(cool.size() + " GPU(s) within limits for the window")
              .build();
      out.add(
          new Signal.Recovered(
              node,
              Set.of(FaultClass.GPU_THERMAL),
              cool,
              "temperature back within limits for a full window",
              evidence,
              end));
    }
    return out;
  }
}
