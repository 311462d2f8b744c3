package io.gpuward.remediation.port;

import java.util.Locale;

/**
 * What gpuward is doing about a node it cordoned, as schedulers and people see it on the node: the
 * label {@value #LABEL} (in the style of SageMaker HyperPod's {@code node-health-status}) beside
 * the NoSchedule taint {@value #TAINT_KEY} that gpuward puts on with its cordon. Kueue's
 * topology-aware scheduling and Karpenter's disruption logic react to a NoSchedule taint where a
 * bare {@code spec.unschedulable} says nothing about why; the label tells what comes next. Both go
 * with gpuward's uncordon, and are only ever written on nodes gpuward cordoned, except {@link
 * #DEGRADED}, which goes without a cordon or a taint.
 */
public enum HealthMark {
  /** Cordoned; no repair planned (yet): the node cools down, or a person looks at it. */
  UNSCHEDULABLE,
  /** A GPU reset is next. */
  PENDING_RESET,
  /** A reboot is next. */
  PENDING_REBOOT,
  /** The instance is being replaced through its Auto Scaling group. */
  PENDING_REPLACEMENT,
  /** Repaired; diagnostics run before it goes back to work. */
  VALIDATING,
  /** gpuward gave up on repairing it: a person decides. */
  ESCALATED,
  /**
   * Not cordoned and the node not tainted: the device plugin took the bad GPU out of allocatable
   * (or, under DRA, a device taint keeps new claims off it), its pods were evicted and it is being
   * reset in place while the node's other GPUs keep taking pods. The only mark written on a node
   * gpuward did not cordon; gpuward's return to service takes it off.
   */
  DEGRADED;

  /** Label gpuward sets on a node it cordoned; its value is {@link #value()}. */
  public static final String LABEL = "gpuward.io/health";

  /** Key of the NoSchedule taint gpuward adds with its cordon (no value). */
  public static final String TAINT_KEY = "gpuward.io/unhealthy";

  /** The label value: {@code pending-reset}, {@code escalated}, … */
  public String value() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
