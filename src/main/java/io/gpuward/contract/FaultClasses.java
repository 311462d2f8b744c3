package io.gpuward.contract;

import io.gpuward.avro.FaultClass;
import java.util.EnumSet;
import java.util.Set;

/** Groupings of fault classes that the engine's rules and the remediator both act on. */
public final class FaultClasses {
  private FaultClasses() {}

  /** Configuration faults: replacing the node only repeats them. */
  public static final Set<FaultClass> CONFIGURATION =
      EnumSet.of(
          FaultClass.IMAGE_INSTANCE_MISMATCH,
          FaultClass.DRIVER_ROOT_MISCONFIGURED,
          FaultClass.GPU_OPERATOR_DEGRADED);

  /** GPU hardware faults that a node reboot resets (a new boot is recovery evidence for them). */
  public static final Set<FaultClass> CLEARED_BY_REBOOT =
      EnumSet.of(
          FaultClass.GPU_XID_FATAL,
          FaultClass.GPU_LOST,
          FaultClass.GPU_MEMORY_DEGRADED,
          FaultClass.NVLINK_DEGRADED,
          FaultClass.NODE_NOT_READY_GPU,
          FaultClass.APP_XID);

  public static boolean isConfiguration(FaultClass c) {
    return CONFIGURATION.contains(c);
  }
}
