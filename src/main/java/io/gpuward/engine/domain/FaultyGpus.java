package io.gpuward.engine.domain;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * How many of a node's GPUs its open GPU hardware verdicts name: the GPUs the device plugin may
 * rightly withhold from allocatable {@code nvidia.com/gpu} while they are repaired. Asked only when
 * allocatable is short, so the lookup behind it costs nothing on a healthy node.
 */
@FunctionalInterface
public interface FaultyGpus {

  /** No open verdict names a GPU (or none is known): every shortfall is unexplained. */
  FaultyGpus NONE = () -> 0;

  /**
   * The classes whose GPUs the NVIDIA device plugin takes out of allocatable: it marks a GPU
   * unhealthy on a critical XID, and these are the classes critical XIDs raise. Not GPU_THERMAL
   * (the plugin does not watch heat) nor APP_XID (it skips application XIDs): a GPU withheld beside
   * one of those is withheld for another reason, which is the mismatch.
   */
  Set<FaultClass> WITHHELD_FOR =
      Set.copyOf(
          EnumSet.of(
              FaultClass.GPU_XID_FATAL,
              FaultClass.GPU_LOST,
              FaultClass.GPU_MEMORY_DEGRADED,
              FaultClass.NVLINK_DEGRADED));

  /** The number of distinct GPUs the node's open verdicts of {@link #WITHHELD_FOR} name. */
  int count();

  /**
   * Distinct GPUs named by the verdicts in {@code open} whose class the device plugin withholds.
   */
  static int count(Iterable<FaultVerdict> open) {
    Set<String> gpus = new HashSet<>();
    for (FaultVerdict v : open) {
      if (WITHHELD_FOR.contains(v.getFaultClass())) {
        for (GpuRef g : v.getGpus()) {
          gpus.add(g.getUuid());
        }
      }
    }
    return gpus.size();
  }
}
