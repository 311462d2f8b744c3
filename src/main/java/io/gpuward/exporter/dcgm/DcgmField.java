package io.gpuward.exporter.dcgm;

import io.gpuward.avro.GpuSample;
import java.util.List;

/**
 * Which dcgm-exporter metrics fill which {@link GpuSample} field: the legacy (DCGM &le; 4.5) name
 * every shipped counters CSV uses, the DCGM 4.6 canonical name a user CSV may use, and the 1.x name
 * of {@code --use-old-namespace} ({@code etc/1.x-compatibility-metrics.csv}) where there is one.
 */
enum DcgmField {
  TEMPERATURE(
      "temperatureC",
      Kind.DOUBLE,
      true,
      "DCGM_FI_DEV_GPU_TEMP",
      "DCGM_FI_DEV_GPU_TEMP_CELSIUS",
      "dcgm_gpu_temp"),
  MEMORY_TEMPERATURE(
      "memoryTemperatureC",
      Kind.DOUBLE,
      true,
      "DCGM_FI_DEV_MEMORY_TEMP",
      "DCGM_FI_DEV_MEMORY_TEMP_CELSIUS",
      "dcgm_memory_temp"),
  POWER(
      "powerW",
      Kind.DOUBLE,
      true,
      "DCGM_FI_DEV_POWER_USAGE",
      "DCGM_FI_DEV_BOARD_POWER_WATTS",
      "dcgm_power_usage"),
  GPU_UTIL(
      "gpuUtilPct",
      Kind.DOUBLE,
      true,
      "DCGM_FI_DEV_GPU_UTIL",
      "DCGM_FI_DEV_GPU_UTIL_RATIO",
      "dcgm_gpu_utilization"),
  MEM_COPY_UTIL(
      "memCopyUtilPct",
      Kind.DOUBLE,
      true,
      "DCGM_FI_DEV_MEM_COPY_UTIL",
      "dcgm_mem_copy_utilization"),
  FB_USED("fbUsedMiB", Kind.LONG, true, "DCGM_FI_DEV_FB_USED", "dcgm_fb_used"),
  FB_FREE("fbFreeMiB", Kind.LONG, true, "DCGM_FI_DEV_FB_FREE", "dcgm_fb_free"),
  SM_CLOCK("smClockMHz", Kind.LONG, true, "DCGM_FI_DEV_SM_CLOCK", "dcgm_sm_clock"),
  ECC_SBE_VOLATILE(
      "eccSbeVolatile",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
      "dcgm_ecc_sbe_volatile_total"),
  ECC_DBE_VOLATILE(
      "eccDbeVolatile",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
      "dcgm_ecc_dbe_volatile_total"),
  ECC_SBE_AGGREGATE(
      "eccSbeAggregate",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL",
      "dcgm_ecc_sbe_aggregate_total"),
  ECC_DBE_AGGREGATE(
      "eccDbeAggregate",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL",
      "dcgm_ecc_dbe_aggregate_total"),
  RETIRED_SBE(
      "retiredPagesSbe",
      Kind.LONG,
      true,
      "DCGM_FI_DEV_RETIRED_SBE",
      "DCGM_FI_DEV_PAGE_RETIRED_SBE_TOTAL",
      "dcgm_retired_pages_sbe"),
  RETIRED_DBE(
      "retiredPagesDbe",
      Kind.LONG,
      true,
      "DCGM_FI_DEV_RETIRED_DBE",
      "DCGM_FI_DEV_PAGE_RETIRED_DBE_TOTAL",
      "dcgm_retired_pages_dbe"),
  RETIRED_PENDING(
      "retiredPagesPending",
      Kind.LONG,
      true,
      "DCGM_FI_DEV_RETIRED_PENDING",
      "DCGM_FI_DEV_PAGE_RETIRED_PENDING",
      "dcgm_retired_pages_pending"),
  ROW_REMAP_CORRECTABLE(
      "rowRemapCorrectable",
      Kind.LONG,
      true,
      "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
      "DCGM_FI_DEV_ROW_REMAP_CORRECTABLE_TOTAL"),
  ROW_REMAP_UNCORRECTABLE(
      "rowRemapUncorrectable",
      Kind.LONG,
      true,
      "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
      "DCGM_FI_DEV_ROW_REMAP_UNCORRECTABLE_TOTAL"),
  ROW_REMAP_FAILURE(
      "rowRemapFailure",
      Kind.BOOLEAN,
      true,
      "DCGM_FI_DEV_ROW_REMAP_FAILURE",
      "DCGM_FI_DEV_ROW_REMAP_FAILED"),
  ROW_REMAP_PENDING("rowRemapPending", Kind.BOOLEAN, true, "DCGM_FI_DEV_ROW_REMAP_PENDING"),
  LAST_XID(
      "lastXid",
      Kind.INT,
      true,
      "DCGM_FI_DEV_XID_ERRORS",
      "DCGM_FI_DEV_XID_ERROR",
      "dcgm_xid_errors"),
  NVLINK_CRC_FLIT(
      "nvlinkCrcFlitErrors",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
      "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_TOTAL",
      "dcgm_nvlink_flit_crc_error_count_total"),
  NVLINK_CRC_DATA(
      "nvlinkCrcDataErrors",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL",
      "DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_TOTAL",
      "dcgm_nvlink_data_crc_error_count_total"),
  NVLINK_REPLAY(
      "nvlinkReplayErrors",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL",
      "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_TOTAL",
      "dcgm_nvlink_replay_error_count_total"),
  NVLINK_RECOVERY(
      "nvlinkRecoveryErrors",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL",
      "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_TOTAL",
      "dcgm_nvlink_recovery_error_count_total"),
  PCIE_REPLAYS(
      "pcieReplays",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
      "DCGM_FI_DEV_PCIE_REPLAY_TOTAL",
      "dcgm_pcie_replay_counter"),
  CLOCK_EVENT_REASONS(
      "clockEventReasons",
      Kind.LONG,
      true,
      "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS",
      "DCGM_FI_DEV_CLOCKS_EVENT_REASONS"),
  THERMAL_VIOLATION(
      "thermalViolationNs",
      Kind.LONG,
      false,
      "DCGM_FI_DEV_THERMAL_VIOLATION",
      "dcgm_thermal_violation");

  /** The Avro type of the field. */
  enum Kind {
    DOUBLE,
    LONG,
    INT,
    BOOLEAN
  }

  /** The Avro field name in {@link GpuSample}. */
  final String avroName;

  /** Position of the field in the GpuSample record. */
  final int pos;

  final Kind kind;

  /**
   * Whether the int32 blank sentinels (2147483632..2147483635) are blanks for this field: true for
   * gauges and small counts where such a value cannot be a reading; false for cumulative counters
   * (ECC, NVLink, PCIe, violation time), which may legitimately pass 2^31.
   */
  final boolean int32Blanks;

  /** Metric names that fill the field: legacy, DCGM 4.6, 1.x namespace. */
  final List<String> metrics;

  DcgmField(String avroName, Kind kind, boolean int32Blanks, String... metrics) {
    this.avroName = avroName;
    var field = GpuSample.getClassSchema().getField(avroName);
    if (field == null) {
      throw new IllegalStateException("GpuSample has no field " + avroName);
    }
    this.pos = field.pos();
    this.kind = kind;
    this.int32Blanks = int32Blanks;
    this.metrics = List.of(metrics);
  }

  /** Framebuffer fields are per MIG instance and add up across instances. */
  boolean sumsAcrossMigInstances() {
    return this == FB_USED || this == FB_FREE;
  }
}
