package io.gpuward.sim;

/**
 * What one simulated GPU reads at one scrape, as DCGM would report it: the values dcgm-exporter
 * shows for its fields. A field the GPU model does not report is null (GDDR parts have no memory
 * temperature, Ampere and later remap rows instead of retiring pages, only NVLink baseboards count
 * NVLink errors).
 *
 * @param index GPU index ({@code gpu} label)
 * @param uuid GPU UUID
 * @param pciBusId DCGM form, {@code 00000000:53:00.0}
 * @param kernelPci the kernel log's form of the same address, {@code 0000:53:00}
 * @param model {@code modelName}
 * @param driverVersion {@code DCGM_FI_DRIVER_VERSION}
 * @param pod {@code namespace/pod} of the workload holding the GPU, or null
 * @param lastXid last XID, 0 for none
 */
public record GpuReading(
    int index,
    String uuid,
    String pciBusId,
    String kernelPci,
    String model,
    String driverVersion,
    String pod,
    double temperatureC,
    Double memoryTemperatureC,
    double powerW,
    double gpuUtilPct,
    double memCopyUtilPct,
    long fbUsedMiB,
    long fbFreeMiB,
    long smClockMHz,
    long eccSbeVolatile,
    long eccDbeVolatile,
    long eccSbeAggregate,
    long eccDbeAggregate,
    Long retiredPagesSbe,
    Long retiredPagesDbe,
    Long retiredPagesPending,
    Long rowRemapCorrectable,
    Long rowRemapUncorrectable,
    Boolean rowRemapFailure,
    Boolean rowRemapPending,
    int lastXid,
    Long nvlinkCrcFlitErrors,
    Long nvlinkCrcDataErrors,
    Long nvlinkReplayErrors,
    Long nvlinkRecoveryErrors,
    long pcieReplays,
    long clockEventReasons,
    long thermalViolationNs) {}
