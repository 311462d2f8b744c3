package io.gpuward.sim;

import java.time.Duration;
import java.time.Instant;

/** Mutable state of one simulated GPU (simulator thread only). */
final class GpuSim {

  final int index;
  final String uuid;
  final String pciBusId;
  final String kernelPci;

  /** Per-GPU temperature offset (°C), so GPUs of one node differ a little. */
  final double tempOffset;

  double temp;
  double util;

  /** Fell off the bus (XID 79): out of telemetry until reboot. */
  boolean lost;

  /** Missing from NVML without an XID: out of telemetry until reboot. */
  boolean missing;

  /**
   * The device plugin's health check marked it unhealthy (an XID): still on the bus and in
   * telemetry, out of the node's allocatable until a reset or reboot clears the XID.
   */
  boolean unhealthy;

  /** Fatal XID that stays as the last XID until reset (or reboot); 0 = none. */
  int stickyXid;

  boolean stickyNeedsReboot;

  /** Last non-sticky XID and until when it shows; 0 = none. */
  int recentXid;

  Instant recentXidUntil;

  long sbeVol;
  long dbeVol;
  long sbeAgg;
  long dbeAgg;
  long retiredSbe;
  long retiredDbe;
  long retiredPending;
  long rowCorr;
  long rowUncorr;
  boolean rowFailure;
  boolean rowPending;
  long nvCrcFlit;
  long nvCrcData;
  long nvReplay;
  long nvRecovery;
  long pcie;
  long thermalViolationNs;

  /** SBE storm rate per second (0 = none) and the fault that set it. */
  double sbeStormRate;

  int sbeStormFault = -1;
  double sbeCarry;

  /** NVLink error rate per second (0 = none) and the fault that set it. */
  double nvlinkRate;

  int nvlinkFault = -1;
  double nvCarry;

  /** Active thermal excursion, or null. */
  Thermal thermal;

  /** Fault index that made the GPU missing (for timed recovery), -1 none. */
  int missingFault = -1;

  GpuSim(int index, String uuid, String pciBusId, double tempOffset, double temp) {
    this.index = index;
    this.uuid = uuid;
    this.pciBusId = pciBusId;
    this.kernelPci = GpuProfile.kernelPci(pciBusId);
    this.tempOffset = tempOffset;
    this.temp = temp;
  }

  boolean visible() {
    return !lost && !missing;
  }

  /** Advertised by the device plugin: on the bus and not marked unhealthy. */
  boolean allocatable() {
    return visible() && !unhealthy;
  }

  /** The last-XID gauge at {@code now}: the sticky fatal XID, else a recent one, else 0. */
  int lastXid(Instant now) {
    if (stickyXid != 0) {
      return stickyXid;
    }
    if (recentXid != 0 && recentXidUntil != null && now.isBefore(recentXidUntil)) {
      return recentXid;
    }
    return 0;
  }

  /** Volatile counters restart (driver reload or GPU reset); lifetime counters stay. */
  void resetVolatile() {
    sbeVol = 0;
    dbeVol = 0;
    nvCrcFlit = 0;
    nvCrcData = 0;
    nvReplay = 0;
    nvRecovery = 0;
    pcie = 0;
    thermalViolationNs = 0;
    rowPending = false;
    retiredPending = 0;
    sbeStormRate = 0;
    sbeStormFault = -1;
    nvlinkRate = 0;
    nvlinkFault = -1;
    recentXid = 0;
  }

  /**
   * A thermal excursion: linear ramp from {@code base} to {@code target} over {@code rampNanos}
   * from {@code start}, hold until {@code downAt}, linear ramp back to the normal temperature.
   */
  static final class Thermal {
    final int fault;
    final Instant start;
    final double base;
    final double target;
    final long rampNanos;
    Instant downAt;

    /** HW thermal slowdown while holding, whatever the temperature. */
    final boolean hwThrottle;

    Thermal(
        int fault,
        Instant start,
        double base,
        double target,
        long rampNanos,
        Instant downAt,
        boolean hwThrottle) {
      this.hwThrottle = hwThrottle;
      this.fault = fault;
      this.start = start;
      this.base = base;
      this.target = target;
      this.rampNanos = Math.max(1, rampNanos);
      this.downAt = downAt;
    }

    private double up(Instant t) {
      long el = Duration.between(start, t).toNanos();
      double f = Math.min(1.0, Math.max(0.0, (double) el / rampNanos));
      return base + (target - base) * f;
    }

    /** True while ramping up or holding. */
    boolean rising(Instant t) {
      return t.isBefore(downAt);
    }

    /** Whether the GPU shows HW thermal slowdown at {@code t} below the temperature for it. */
    boolean throttling(Instant t) {
      return hwThrottle && holding(t);
    }

    boolean holding(Instant t) {
      return t.isBefore(downAt) && Duration.between(start, t).toNanos() >= rampNanos;
    }

    boolean over(Instant t) {
      return Duration.between(downAt, t).toNanos() >= rampNanos;
    }

    /** Temperature at {@code t} given the normal temperature the GPU would have now. */
    double temperature(Instant t, double normal) {
      if (t.isBefore(downAt)) {
        return up(t);
      }
      double peak = up(downAt);
      double f = Math.min(1.0, (double) Duration.between(downAt, t).toNanos() / rampNanos);
      return peak + (normal - peak) * f;
    }
  }
}
