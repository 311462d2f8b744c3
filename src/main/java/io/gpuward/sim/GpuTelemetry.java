package io.gpuward.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The GPUs' physics, one tick at a time: utilisation follows the workload, temperature follows
 * utilisation (and any thermal excursion), clocks and power follow temperature, and the error
 * counters grow with background noise and injected storms. Produces one {@link GpuReading} per GPU
 * still on the bus; a GPU that fell off the bus or went missing reads nothing, as DCGM shows it.
 *
 * <p>All randomness is the node's seeded generator, drawn in a fixed order, so the same scenario
 * and seed read the same values.
 */
final class GpuTelemetry {

  private static final long REASON_IDLE = 0x1;
  private static final long REASON_HW_SLOWDOWN = 0x08;
  private static final long REASON_SW_THERMAL = 0x20;
  private static final long REASON_HW_THERMAL = 0x40;

  private final long intervalNanos;
  private final double dt;

  /**
   * @param intervalNanos time between two readings of a GPU
   */
  GpuTelemetry(long intervalNanos) {
    this.intervalNanos = intervalNanos;
    this.dt = intervalNanos / 1e9;
  }

  /** Every visible GPU of {@code n} at {@code t}, in index order. */
  List<GpuReading> read(NodeSim n, Instant t) {
    List<GpuReading> out = new ArrayList<>(n.gpus.length);
    boolean failing = n.activeContainerError() != null;
    for (GpuSim g : n.gpus) {
      if (g.visible()) {
        out.add(read(n, g, t, failing));
      }
    }
    return out;
  }

  private GpuReading read(NodeSim n, GpuSim g, Instant t, boolean failing) {
    GpuProfile p = n.group.profile;
    SplittableRandom r = n.rng;
    String pod = n.podByGpu[g.index];
    boolean busy = pod != null && !failing;
    double util =
        busy ? Math.min(100, Math.max(0, n.group.busyUtil + (r.nextDouble() - 0.5) * 8)) : 0;
    g.util = util;
    double temp = temperature(g, p, util, r, t);
    long reasons = busy ? 0 : REASON_IDLE;
    double clockFactor = 1;
    if (temp >= GpuProfile.HW_THERMAL_C || (g.thermal != null && g.thermal.throttling(t))) {
      reasons |= REASON_HW_THERMAL | REASON_HW_SLOWDOWN | REASON_SW_THERMAL;
      clockFactor = 0.5;
    } else if (temp >= GpuProfile.SW_THERMAL_C) {
      reasons |= REASON_SW_THERMAL;
      clockFactor = 0.75;
    }
    if ((reasons & (REASON_SW_THERMAL | REASON_HW_THERMAL)) != 0) {
      g.thermalViolationNs += intervalNanos;
    }
    double power =
        (p.idleW() + (p.tdpW() * 0.92 - p.idleW()) * util / 100) * (0.98 + r.nextDouble() * 0.04);
    power *= clockFactor < 1 ? 0.5 + clockFactor * 0.5 : 1;
    long sm = busy ? Math.round(p.boostMHz() * clockFactor) : p.idleMHz();
    long reserved = p.fbTotalMiB() / 150;
    long used = busy ? (long) (p.fbTotalMiB() * 0.82) + r.nextInt(64) : 1;
    countErrors(g, p, r);
    Double memTemp = p.hbm() ? round1(temp + 3 + (r.nextDouble() - 0.5)) : null;
    Gauges gauges =
        new Gauges(temp, memTemp, power, util, used, p.fbTotalMiB() - reserved - used, sm, reasons);
    return reading(n, g, t, pod, busy, gauges);
  }

  /** The readings of one GPU that are not its counters. */
  private record Gauges(
      double temp,
      Double memTemp,
      double power,
      double util,
      long fbUsed,
      long fbFree,
      long smClock,
      long reasons) {}

  private static GpuReading reading(
      NodeSim n, GpuSim g, Instant t, String pod, boolean busy, Gauges v) {
    GpuProfile p = n.group.profile;
    boolean ampere = p.ampereOrLater();
    boolean nv = p.nvlink();
    return new GpuReading(
        g.index,
        g.uuid,
        g.pciBusId,
        g.kernelPci,
        p.dcgmName(),
        n.group.spec.driverVersion(),
        pod,
        round1(v.temp()),
        v.memTemp(),
        round1(v.power()),
        round1(v.util()),
        busy ? round1(v.util() * 0.4) : 0.0,
        v.fbUsed(),
        v.fbFree(),
        v.smClock(),
        g.sbeVol,
        g.dbeVol,
        g.sbeAgg,
        g.dbeAgg,
        ampere ? null : g.retiredSbe,
        ampere ? null : g.retiredDbe,
        ampere ? null : g.retiredPending,
        ampere ? g.rowCorr : null,
        ampere ? g.rowUncorr : null,
        ampere ? g.rowFailure : null,
        ampere ? g.rowPending : null,
        g.lastXid(t),
        nv ? g.nvCrcFlit : null,
        nv ? g.nvCrcData : null,
        nv ? g.nvReplay : null,
        nv ? g.nvRecovery : null,
        g.pcie,
        v.reasons(),
        g.thermalViolationNs);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double temperature(
      GpuSim g, GpuProfile p, double util, SplittableRandom r, Instant t) {
    double normalTarget = 32 + (p.loadTempC() - 32) * util / 100 + g.tempOffset;
    g.temp += (normalTarget - g.temp) * 0.25 + (r.nextDouble() - 0.5) * 0.6;
    double temp = g.temp;
    GpuSim.Thermal th = g.thermal;
    if (th != null) {
      if (th.over(t)) {
        g.thermal = null;
      } else {
        temp = th.temperature(t, g.temp);
        if (th.holding(t)) {
          temp += (r.nextDouble() - 0.5) * 0.4;
        }
      }
    }
    return temp;
  }

  /** Counters: rare background noise, storms when injected; monotone between resets. */
  private void countErrors(GpuSim g, GpuProfile p, SplittableRandom r) {
    if (r.nextInt(4000) == 0) {
      g.sbeVol++;
      g.sbeAgg++;
    }
    if (r.nextInt(2000) == 0) {
      g.pcie += 1 + r.nextInt(3);
    }
    if (g.sbeStormRate > 0) {
      g.sbeCarry += g.sbeStormRate * dt * (0.5 + r.nextDouble());
      long add = (long) g.sbeCarry;
      g.sbeCarry -= add;
      g.sbeVol += add;
      g.sbeAgg += add;
      if (p.ampereOrLater()) {
        if (r.nextInt(20) == 0) {
          g.rowCorr++;
        }
      } else if (r.nextInt(20) == 0) {
        g.retiredSbe++;
        g.retiredPending++;
      }
    }
    if (p.nvlink()) {
      countNvlink(g, r);
    }
  }

  private void countNvlink(GpuSim g, SplittableRandom r) {
    if (r.nextInt(5000) == 0) {
      g.nvCrcFlit++;
    }
    if (g.nvlinkRate > 0) {
      g.nvCarry += g.nvlinkRate * dt * (0.5 + r.nextDouble());
      long add = (long) g.nvCarry;
      g.nvCarry -= add;
      g.nvCrcFlit += add;
      g.nvCrcData += add / 3;
      g.nvReplay += Math.max(1, add / 10);
      if (r.nextInt(10) == 0) {
        g.nvRecovery++;
      }
    }
  }
}
