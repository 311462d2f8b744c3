package io.gpuward.sim;

/**
 * How many records a {@link FleetSimulator} has emitted, by type.
 *
 * @param gpuSamples GpuSample records
 * @param xidEvents XidEvent records
 * @param nodeEvents NodeEvent records
 * @param inventory NodeInventory records
 * @param tombstones inventory tombstones
 */
public record RecordCounts(
    long gpuSamples, long xidEvents, long nodeEvents, long inventory, long tombstones) {

  /** All records. */
  public long total() {
    return gpuSamples + xidEvents + nodeEvents + inventory + tombstones;
  }
}
