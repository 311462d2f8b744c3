package io.gpuward.remediation;

import io.gpuward.avro.RemediationAction;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The sets of actions the remediator treats alike, in one place: the planner, the loop, the ledger
 * and the failure classifier all ask here, so a new action is classified once.
 */
public final class Actions {
  private Actions() {}

  /** Actions that need the node to exist and be ours to touch. */
  public static final Set<RemediationAction> NODE =
      Set.copyOf(
          EnumSet.of(
              RemediationAction.CORDON,
              RemediationAction.DRAIN,
              RemediationAction.RESET_GPU,
              RemediationAction.REBOOT,
              RemediationAction.REPLACE));

  /** Actions that disrupt workloads and so need budget and a settled correlation. */
  public static final Set<RemediationAction> DISRUPTIVE =
      Set.copyOf(
          EnumSet.of(
              RemediationAction.DRAIN,
              RemediationAction.RESET_GPU,
              RemediationAction.REBOOT,
              RemediationAction.REPLACE));

  /**
   * Actions whose success is verified by the verdict clearing afterwards: the rungs of the ladder
   * that wait for a verdict to clear. Iterated in this order (an EnumSet's) when a verdict clears.
   */
  public static final Set<RemediationAction> VERIFIABLE =
      Collections.unmodifiableSet(
          EnumSet.of(
              RemediationAction.RESET_GPU, RemediationAction.REBOOT, RemediationAction.REPLACE));

  /** Whether a failure of {@code a} may have changed the node (and so is never retried blindly). */
  public static boolean mutating(RemediationAction a) {
    return NODE.contains(a) || a == RemediationAction.UNCORDON;
  }
}
