package io.gpuward.rollup;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.GpuTelemetryRollup;
import java.time.Instant;

/** One GPU's statistics over one window. Immutable; {@link #add} returns the updated value. */
public record GpuStats(
    int gpuIndex,
    String model,
    int samples,
    Stat temperature,
    Stat memoryTemperature,
    Stat utilisation,
    Stat power,
    Stat memoryUsed) {

  static final GpuStats EMPTY =
      new GpuStats(0, null, 0, Stat.EMPTY, Stat.EMPTY, Stat.EMPTY, Stat.EMPTY, Stat.EMPTY);

  /** These statistics with {@code s} counted. */
  public GpuStats add(GpuSample s) {
    return new GpuStats(
        s.getGpuIndex(),
        s.getModel() != null ? s.getModel() : model,
        samples + 1,
        temperature.add(s.getTemperatureC()),
        memoryTemperature.add(s.getMemoryTemperatureC()),
        utilisation.add(s.getGpuUtilPct()),
        power.add(s.getPowerW()),
        memoryUsed.add(s.getFbUsedMiB()));
  }

  /** The rollup record of GPU {@code uuid} on {@code node} for the window. */
  public GpuTelemetryRollup toRollup(String node, String uuid, Instant start, Instant end) {
    Double maxMem = memoryUsed.maxOrNull();
    return GpuTelemetryRollup.newBuilder()
        .setNode(node)
        .setUuid(uuid)
        .setGpuIndex(gpuIndex)
        .setModel(model)
        .setWindowStart(start)
        .setWindowEnd(end)
        .setSampleCount(samples)
        .setAvgTemperatureC(temperature.avgOrNull())
        .setMaxTemperatureC(temperature.maxOrNull())
        .setMaxMemoryTemperatureC(memoryTemperature.maxOrNull())
        .setAvgGpuUtilPct(utilisation.avgOrNull())
        .setAvgPowerW(power.avgOrNull())
        .setMaxPowerW(power.maxOrNull())
        .setAvgMemoryUsedMib(memoryUsed.avgOrNull())
        .setMaxMemoryUsedMib(maxMem == null ? null : Math.round(maxMem))
        .build();
  }
}
