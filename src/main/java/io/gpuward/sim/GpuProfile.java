package io.gpuward.sim;

import io.gpuward.fleet.InstanceType;
import java.util.Locale;

/**
 * What a GPU model looks like in dcgm-exporter output: model name, memory, power envelope, clocks,
 * and which counters it reports.
 *
 * @param dcgmName modelName label, e.g. NVIDIA H100 80GB HBM3
 * @param fbTotalMiB framebuffer size (free + used + reserved)
 * @param tdpW board power limit
 * @param idleW idle power
 * @param boostMHz SM clock under load
 * @param idleMHz SM clock when idle
 * @param hbm whether memory temperature is reported (HBM parts; GDDR parts report no value)
 * @param ampereOrLater row remapping instead of page retirement
 * @param nvlink whether NVLink counters are reported (NVSwitch / NVLink baseboards)
 * @param loadTempC typical temperature at full load
 */
record GpuProfile(
    String dcgmName,
    long fbTotalMiB,
    double tdpW,
    double idleW,
    long boostMHz,
    long idleMHz,
    boolean hbm,
    boolean ampereOrLater,
    boolean nvlink,
    double loadTempC) {

  /** Temperature (°C) from which SW thermal slowdown shows in the clock event reasons. */
  static final double SW_THERMAL_C = 87;

  /** Temperature (°C) from which HW thermal slowdown shows. */
  static final double HW_THERMAL_C = 92;

  /** GFD-style product label value (blanks replaced by dashes). */
  String productLabel() {
    return dcgmName.replace(' ', '-');
  }

  static GpuProfile of(InstanceType type) {
    String m = type.gpuModel().toUpperCase(Locale.ROOT);
    int mem = type.gpuMemoryMiB();
    boolean nv = type.fabricManager() || (m.contains("V100") && type.nvidiaGpus() >= 8);
    if (m.contains("H100")) {
      return new GpuProfile("NVIDIA H100 80GB HBM3", 81559, 700, 72, 1980, 345, true, true, nv, 58);
    }
    if (m.contains("H200")) {
      return new GpuProfile("NVIDIA H200", 143771, 700, 80, 1980, 345, true, true, nv, 57);
    }
    if (m.contains("B300")) {
      return new GpuProfile("NVIDIA B300", 275040, 1100, 120, 2032, 345, true, true, nv, 60);
    }
    if (m.contains("GB200")) {
      return new GpuProfile("NVIDIA GB200", 189471, 1200, 120, 2062, 345, true, true, true, 60);
    }
    if (m.contains("B200")) {
      return new GpuProfile("NVIDIA B200", 183359, 1000, 110, 1965, 345, true, true, nv, 60);
    }
    if (m.contains("A100")) {
      return mem > 50_000
          ? new GpuProfile("NVIDIA A100-SXM4-80GB", 81920, 400, 55, 1410, 210, true, true, nv, 55)
          : new GpuProfile("NVIDIA A100-SXM4-40GB", 40960, 400, 52, 1410, 210, true, true, nv, 55);
    }
    if (m.contains("A10G")) {
      return new GpuProfile("NVIDIA A10G", 23028, 300, 25, 1710, 210, false, true, false, 52);
    }
    if (m.contains("L40S")) {
      return new GpuProfile("NVIDIA L40S", 46068, 350, 35, 2520, 210, false, true, false, 55);
    }
    if (m.contains("L4")) {
      return new GpuProfile("NVIDIA L4", 23034, 72, 16, 2040, 210, false, true, false, 60);
    }
    if (m.contains("T4")) {
      return new GpuProfile("Tesla T4", 15360, 70, 12, 1590, 300, false, false, false, 60);
    }
    if (m.contains("V100")) {
      return mem > 20_000
          ? new GpuProfile("Tesla V100-SXM2-32GB", 32768, 300, 40, 1530, 135, true, false, nv, 55)
          : new GpuProfile("Tesla V100-SXM2-16GB", 16384, 300, 40, 1530, 135, true, false, nv, 55);
    }
    String name = type.gpuModel().isEmpty() ? "NVIDIA GPU" : type.gpuModel();
    long fb = mem > 0 ? mem : 16384;
    return new GpuProfile(name, fb, 300, 30, 1700, 210, false, true, nv, 55);
  }

  // Bus ids as nvidia-smi shows them on the EC2 HGX baseboards (p5.48xlarge order) and the
  // g-family PCIe slots.
  private static final String[] HGX_BUSES = {"53", "64", "75", "86", "97", "A8", "B9", "CA"};
  private static final String[] PCIE_SLOTS = {"1E", "1D", "1C", "1B", "1A", "19", "18", "17"};

  /** PCI bus id of GPU {@code index} on an instance with {@code gpus} GPUs. */
  static String pciBusId(int gpus, int index) {
    if (gpus >= 8) {
      if (index < HGX_BUSES.length) {
        return "00000000:" + HGX_BUSES[index] + ":00.0";
      }
      return String.format(Locale.ROOT, "00000000:%02X:00.0", 0xCB + index - HGX_BUSES.length);
    }
    if (gpus == 1) {
      return "00000000:00:1E.0";
    }
    // 2 or 4 GPUs: consecutive device slots from 1B
    int slot = 0x1E - (gpus - 1) + index;
    return index < PCIE_SLOTS.length
        ? String.format(Locale.ROOT, "00000000:00:%02X.0", slot)
        : String.format(Locale.ROOT, "00000000:%02X:00.0", 0x20 + index);
  }

  /** Kernel log form of a bus id: {@code 00000000:53:00.0} becomes {@code 0000:53:00}. */
  static String kernelPci(String busId) {
    String s = busId.toLowerCase(Locale.ROOT);
    int dot = s.lastIndexOf('.');
    if (dot > 0) {
      s = s.substring(0, dot);
    }
    return s.length() > 12 ? s.substring(4) : s;
  }
}
