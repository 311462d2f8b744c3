package io.gpuward.sim;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Renders one node's {@link GpuReading}s as the page dcgm-exporter 3.x/4.x serves on {@code
 * :9400/metrics}: per metric a {@code # HELP} and a {@code # TYPE} line, then one series per GPU
 * with the labels {@code gpu}, {@code UUID}, {@code pci_bus_id}, {@code device}, {@code modelName},
 * {@code Hostname}, {@code DCGM_FI_DRIVER_VERSION}, and {@code container}/{@code namespace}/{@code
 * pod}/{@code pod_uid} on a GPU a workload holds. Legacy ({@code DCGM_FI_DEV_*}) metric names, as
 * every shipped counters CSV up to DCGM 4.5 uses; integer fields as integers, power and ratios as
 * {@code %f}. A field the GPU does not report has no series for that GPU, and a GPU that is not in
 * the readings (fell off the bus) has none at all.
 *
 * <p>One deliberate difference: DCGM reports temperature and utilisation in whole units; the
 * simulator keeps a tenth, written as a decimal, so thermal ramps cross thresholds when the
 * scenario says.
 */
final class DcgmExposition {

  private record Family(String name, String type, String help, Function<GpuReading, String> v) {}

  private static final List<Family> FAMILIES =
      List.of(
          gauge("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).", r -> num(r.smClockMHz())),
          gauge(
              "DCGM_FI_DEV_MEMORY_TEMP",
              "Memory temperature (in C).",
              r -> dec(r.memoryTemperatureC())),
          gauge("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", r -> dec(r.temperatureC())),
          gauge("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", r -> fixed6(r.powerW())),
          counter(
              "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
              "Total number of PCIe retries.",
              r -> num(r.pcieReplays())),
          gauge("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", r -> dec(r.gpuUtilPct())),
          gauge(
              "DCGM_FI_DEV_MEM_COPY_UTIL",
              "Memory utilization (in %).",
              r -> dec(r.memCopyUtilPct())),
          gauge(
              "DCGM_FI_DEV_XID_ERRORS",
              "Value of the last XID error encountered.",
              r -> num(r.lastXid())),
          gauge(
              "DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).", r -> num(r.fbFreeMiB())),
          gauge(
              "DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", r -> num(r.fbUsedMiB())),
          counter(
              "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
              "Total number of single-bit volatile ECC errors.",
              r -> num(r.eccSbeVolatile())),
          counter(
              "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
              "Total number of double-bit volatile ECC errors.",
              r -> num(r.eccDbeVolatile())),
          counter(
              "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL",
              "Total number of single-bit persistent ECC errors.",
              r -> num(r.eccSbeAggregate())),
          counter(
              "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL",
              "Total number of double-bit persistent ECC errors.",
              r -> num(r.eccDbeAggregate())),
          counter(
              "DCGM_FI_DEV_RETIRED_SBE",
              "Total number of retired pages due to single-bit errors.",
              r -> num(r.retiredPagesSbe())),
          counter(
              "DCGM_FI_DEV_RETIRED_DBE",
              "Total number of retired pages due to double-bit errors.",
              r -> num(r.retiredPagesDbe())),
          counter(
              "DCGM_FI_DEV_RETIRED_PENDING",
              "Total number of pages pending retirement.",
              r -> num(r.retiredPagesPending())),
          counter(
              "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
              "Number of remapped rows for uncorrectable errors",
              r -> num(r.rowRemapUncorrectable())),
          counter(
              "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
              "Number of remapped rows for correctable errors",
              r -> num(r.rowRemapCorrectable())),
          gauge(
              "DCGM_FI_DEV_ROW_REMAP_FAILURE",
              "Whether remapping of rows has failed",
              r -> bool(r.rowRemapFailure())),
          gauge(
              "DCGM_FI_DEV_ROW_REMAP_PENDING",
              "Whether remapping of rows is pending",
              r -> bool(r.rowRemapPending())),
          counter(
              "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
              "Total number of NVLink flow-control CRC errors.",
              r -> num(r.nvlinkCrcFlitErrors())),
          counter(
              "DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL",
              "Total number of NVLink data CRC errors.",
              r -> num(r.nvlinkCrcDataErrors())),
          counter(
              "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL",
              "Total number of NVLink retries.",
              r -> num(r.nvlinkReplayErrors())),
          counter(
              "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL",
              "Total number of NVLink recovery errors.",
              r -> num(r.nvlinkRecoveryErrors())),
          gauge(
              "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS",
              "Current clock throttle reasons.",
              r -> num(r.clockEventReasons())),
          counter(
              "DCGM_FI_DEV_THERMAL_VIOLATION",
              "Throttling duration due to thermal constraints (in us).",
              r -> num(r.thermalViolationNs())),
          gauge(
              "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
              "Ratio of time the graphics engine is active.",
              r -> fixed6(r.gpuUtilPct() / 100)));

  private static final String XID = "DCGM_FI_DEV_XID_ERRORS";

  private final IntFunction<String> xidText;

  /**
   * @param xidText the exporter's text for an XID code ({@code err_msg}); 0 is "No Error"
   */
  DcgmExposition(IntFunction<String> xidText) {
    this.xidText = Objects.requireNonNull(xidText, "xidText");
  }

  /** The page for the GPUs in {@code readings} (index order) of the node {@code hostname}. */
  String render(String hostname, List<GpuReading> readings) {
    String[] labels = new String[readings.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = labels(hostname, readings.get(i));
    }
    StringBuilder b = new StringBuilder(256 + readings.size() * FAMILIES.size() * 300);
    for (Family f : FAMILIES) {
      int start = b.length();
      b.append("# HELP ").append(f.name()).append(' ').append(f.help()).append('\n');
      b.append("# TYPE ").append(f.name()).append(' ').append(f.type()).append('\n');
      boolean any = false;
      for (int i = 0; i < labels.length; i++) {
        GpuReading r = readings.get(i);
        String value = f.v().apply(r);
        if (value != null) {
          any = true;
          b.append(f.name()).append('{').append(labels[i]);
          if (f.name().equals(XID)) {
            appendXidLabels(b, r.lastXid());
          }
          b.append("} ").append(value).append('\n');
        }
      }
      if (!any) {
        b.setLength(start); // dcgm-exporter leaves out a field no GPU reports
      }
    }
    return b.toString();
  }

  private void appendXidLabels(StringBuilder b, int xid) {
    b.append(",err_code=\"").append(xid).append("\",err_msg=");
    quote(b, xid == 0 ? "No Error" : xidText.apply(xid));
  }

  private static String labels(String hostname, GpuReading r) {
    StringBuilder b = new StringBuilder(200);
    b.append("gpu=\"").append(r.index()).append('"');
    b.append(",UUID=");
    quote(b, r.uuid());
    b.append(",pci_bus_id=");
    quote(b, r.pciBusId());
    b.append(",device=\"nvidia").append(r.index()).append('"');
    b.append(",modelName=");
    quote(b, r.model());
    b.append(",Hostname=");
    quote(b, hostname);
    b.append(",DCGM_FI_DRIVER_VERSION=");
    quote(b, r.driverVersion());
    String pod = r.pod();
    if (pod != null) {
      int slash = pod.indexOf('/');
      b.append(",container=");
      quote(b, SimulatedCluster.WORKLOAD_CONTAINER);
      b.append(",namespace=");
      quote(b, slash > 0 ? pod.substring(0, slash) : SimulatedCluster.WORKLOAD_NAMESPACE);
      b.append(",pod=");
      quote(b, slash > 0 ? pod.substring(slash + 1) : pod);
      b.append(",pod_uid=\"\"");
    }
    return b.toString();
  }

  /** A label value in exposition format: backslash, quote and newline escaped. */
  private static void quote(StringBuilder b, String v) {
    b.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' || c == '"') {
        b.append('\\').append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }

  private static Family gauge(String name, String help, Function<GpuReading, String> v) {
    return new Family(name, "gauge", help, v);
  }

  private static Family counter(String name, String help, Function<GpuReading, String> v) {
    return new Family(name, "counter", help, v);
  }

  private static String num(Long v) {
    return v == null ? null : Long.toString(v);
  }

  private static String num(long v) {
    return Long.toString(v);
  }

  private static String bool(Boolean v) {
    return v == null ? null : v ? "1" : "0";
  }

  /** A reading kept to a tenth: whole numbers as integers, others with their decimals. */
  private static String dec(Double v) {
    if (v == null) {
      return null;
    }
    double d = v;
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : fixed6(d);
  }

  /** Go's {@code %f}: six decimals. */
  static String fixed6(double v) {
    long micros = Math.round(Math.abs(v) * 1_000_000);
    String frac = Long.toString(1_000_000 + micros % 1_000_000).substring(1);
    return (v < 0 ? "-" : "") + (micros / 1_000_000) + "." + frac;
  }
}
