package io.gpuward.exporter.dcgm;

import java.time.Instant;
import java.util.Locale;

/**
 * A synthetic dcgm-exporter scrape of N GPUs and a small timing loop for the parser: {@code java
 * -cp target/classes:target/test-classes:$(cat cp.txt) io.gpuward.exporter.dcgm.DcgmParserBench
 * 100}. Not a test: timing is measured here, never asserted.
 */
public final class DcgmParserBench {
  private DcgmParserBench() {}

  static final String[] METRICS = {
    "DCGM_FI_DEV_SM_CLOCK",
    "DCGM_FI_DEV_MEM_CLOCK",
    "DCGM_FI_DEV_MEMORY_TEMP",
    "DCGM_FI_DEV_GPU_TEMP",
    "DCGM_FI_DEV_POWER_USAGE",
    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
    "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
    "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_DEV_MEM_COPY_UTIL",
    "DCGM_FI_DEV_ENC_UTIL",
    "DCGM_FI_DEV_DEC_UTIL",
    "DCGM_FI_DEV_XID_ERRORS",
    "DCGM_FI_DEV_FB_FREE",
    "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_DEV_FB_RESERVED",
    "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
    "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
    "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL",
    "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL",
    "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
    "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
    "DCGM_FI_DEV_ROW_REMAP_FAILURE",
    "DCGM_FI_DEV_ROW_REMAP_PENDING",
    "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
    "DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL",
    "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL",
    "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL",
    "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL",
    "DCGM_FI_DEV_THERMAL_VIOLATION",
    "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS",
    "DCGM_FI_DEV_VGPU_LICENSE_STATUS",
    "DCGM_FI_DEV_RETIRED_SBE",
    "DCGM_FI_DEV_RETIRED_DBE",
    "DCGM_FI_DEV_RETIRED_PENDING",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
    "DCGM_FI_PROF_DRAM_ACTIVE",
    "DCGM_FI_PROF_PCIE_TX_BYTES",
    "DCGM_FI_PROF_PCIE_RX_BYTES",
    "DCGM_FI_PROF_SM_ACTIVE"
  };

  /** A scrape of {@code gpus} GPUs and 40 metrics each, in dcgm-exporter's layout. */
  public static String scrape(int gpus) {
    StringBuilder b = new StringBuilder(gpus * METRICS.length * 330);
    for (String m : METRICS) {
      b.append("# HELP ").append(m).append(" help text.\n");
      b.append("# TYPE ").append(m).append(" gauge\n");
      for (int g = 0; g < gpus; g++) {
        b.append(m)
            .append("{gpu=\"")
            .append(g)
            .append("\",UUID=\"GPU-")
            .append(String.format(Locale.ROOT, "%08x-40a0-40ae-3fc5-82b8ff8b8138", g))
            .append("\",pci_bus_id=\"")
            .append(String.format(Locale.ROOT, "%08X:%02X:00.0", g / 256, g % 256))
            .append("\",device=\"nvidia")
            .append(g)
            .append(
                "\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"ip-10-0-1-23.ec2.internal\",")
            .append("DCGM_FI_DRIVER_VERSION=\"570.133.20\",container=\"trainer\",")
            .append("namespace=\"training\",pod=\"llama-train-")
            .append(g / 8)
            .append("\",pod_uid=\"\"} ")
            .append(m.contains("PROF") || m.contains("POWER") ? "123.456000" : "" + (40 + g % 30))
            .append('\n');
      }
    }
    return b.toString();
  }

  public static void main(String[] args) {
    int gpus = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    String text = scrape(gpus);
    DcgmParser p = new DcgmParser("n");
    Instant t = Instant.now();
    for (int i = 0; i < 2000; i++) {
      p.parse(text, t, null);
    }
    int rounds = 2000;
    long[] ns = new long[rounds];
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      p.parse(text, t, null);
      ns[i] = System.nanoTime() - t0;
    }
    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
    java.util.Arrays.sort(ns);
    System.out.printf(
        Locale.ROOT,
        "%d GPUs, %d lines, %d KiB: CPU %.3f ms/parse; wall median %.3f ms, p99 %.3f ms%n",
        gpus,
        text.split("\n").length,
        text.length() / 1024,
        cpu / 1e6 / rounds,
        ns[rounds / 2] / 1e6,
        ns[rounds * 99 / 100] / 1e6);
  }
}
