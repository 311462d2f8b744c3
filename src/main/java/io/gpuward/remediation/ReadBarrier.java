package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;

/**
 * Whether every version of a verdict published until now has been read, so that a disruptive step
 * is decided on the newest one (a fleet incident's hold included). Asked once correlation settled.
 */
@FunctionalInterface
public interface ReadBarrier {

  /**
   * No barrier: a remediator fed verdicts directly (tests, the in-process demo world) reads all.
   */
  ReadBarrier NONE = v -> true;

  /** True once the versions of {@code v} published when first asked have all been read. */
  boolean readThrough(FaultVerdict v);

  /** The verdict cleared: whatever was kept for it while it waited is dropped. */
  default void forget(String verdictId) {}
}
