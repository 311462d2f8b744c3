package io.gpuward.engine.domain;

import io.gpuward.avro.GpuSample;
import io.gpuward.engine.EngineFixtures;
import java.time.Instant;
import java.util.stream.IntStream;

/**
 * GPU samples as dcgm-exporter reports each GPU generation, built on {@link EngineFixtures}: which
 * fields are present is what the rules must cope with, so each generation sets only its own.
 */
final class DomainFixtures {
  private DomainFixtures() {}

  static final String NODE = "p5-train-1";

  /** The first XID code the shipped catalog does not list (within the 1..1023 accepted). */
  static int xidNotInCatalog(XidPolicy policy) {
    return IntStream.rangeClosed(1, 1023)
        .filter(c -> policy.catalog().find(c).isEmpty())
        .findFirst()
        .orElseThrow();
  }

  /** Hopper (H100, p5): HBM memory temperature, NVLink error counters, row remapping. */
  static GpuSample.Builder hopper(String uuid, int index, Instant at) {
    return GpuSample.newBuilder(EngineFixtures.sample(NODE, index, uuid, 58.0, at))
        .setBootId("boot-1")
        .setMemoryTemperatureC(61.0)
        .setEccSbeVolatile(0L)
        .setEccDbeVolatile(0L)
        .setRowRemapFailure(false)
        .setRowRemapPending(false)
        .setNvlinkCrcFlitErrors(0L)
        .setNvlinkCrcDataErrors(0L)
        .setNvlinkReplayErrors(0L)
        .setNvlinkRecoveryErrors(0L);
  }

  /** Ampere without NVLink (A10G, g5): no memory temperature, no NVLink counters, row remapping. */
  static GpuSample.Builder ampere(String uuid, int index, Instant at) {
    return GpuSample.newBuilder(EngineFixtures.sample("g5-infer-1", index, uuid, 52.0, at))
        .setModel("NVIDIA A10G")
        .setBootId("boot-1")
        .setEccSbeVolatile(0L)
        .setEccDbeVolatile(0L)
        .setRowRemapFailure(false)
        .setRowRemapPending(false);
  }

  /** Pre-Ampere (T4, g4dn): page retirement instead of row remapping, no NVLink. */
  static GpuSample.Builder preAmpere(String uuid, int index, Instant at) {
    return GpuSample.newBuilder(EngineFixtures.sample("g4dn-batch-1", index, uuid, 60.0, at))
        .setModel("Tesla T4")
        .setBootId("boot-1")
        .setEccSbeVolatile(0L)
        .setEccDbeVolatile(0L)
        .setRetiredPagesSbe(0L)
        .setRetiredPagesDbe(0L)
        .setRetiredPagesPending(0L);
  }
}
