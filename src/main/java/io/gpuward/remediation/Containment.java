package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.LiveNode;
import java.util.List;
import java.util.Optional;

/**
 * Whether a repair contains its fault without a cordon. A per-GPU drain followed by a GPU reset
 * needs no cordon when the device plugin already took the bad GPUs out of the node's allocatable
 * {@code nvidia.com/gpu}: the scheduler cannot place a pod on them, so the node's other GPUs keep
 * taking pods while the bad ones are drained and reset. Anything else cordons first, as a cordon is
 * then the only thing that keeps new pods off the bad GPU. Pure.
 *
 * @param schedulable true when the plan runs without its CORDON and the node stays schedulable
 * @param why for the audit, why the node stays schedulable or is cordoned; null when the question
 *     does not arise (a class not drained per GPU, a plan without a per-GPU drain)
 */
record Containment(boolean schedulable, String why) {

  /** How the detail of a drain that left its node schedulable says so. */
  static final String KEPT = "not cordoned: allocatable nvidia.com/gpu ";

  static final String VALIDATED =
      "cordoned: diagnostics validate the repair on the whole node, which needs it idle";

  static final String UNKNOWN = "cordoned: the node's allocatable nvidia.com/gpu is unknown";

  static final String CORDONED = "cordoned: the node is cordoned already";

  /**
   * Whether an audited step is a per-GPU drain that left its node schedulable: the DRAIN succeeded
   * and its detail carries this containment's {@link #KEPT} reason. The audit record is where the
   * remediator says so once per drain, replays and restarts included.
   */
  static boolean kept(RemediationAction action, Outcome outcome, String detail) {
    return action == RemediationAction.DRAIN
        && outcome == Outcome.SUCCEEDED
        && detail != null
        && detail.contains("; " + KEPT);
  }

  private static final Containment AS_BEFORE = new Containment(false, null);

  /**
   * The containment of {@code v}'s plan ({@code plan}: its actions, in order) on {@code live},
   * under the policy's per-GPU classes and the classes it validates.
   */
  static Containment of(
      FaultVerdict v,
      RemediationPolicy.PerGpu perGpu,
      RemediationPolicy.Validate validate,
      List<RemediationAction> plan,
      Optional<LiveNode> live) {
    int drain = plan.indexOf(RemediationAction.DRAIN);
    if (drain < 0 || !plan.contains(RemediationAction.RESET_GPU)) {
      return AS_BEFORE; // only a per-GPU drain and a reset in place can do without a cordon
    }
    List<RemediationAction> next = plan.subList(drain + 1, plan.size());
    GpuDrainScope scope = GpuDrainScope.of(v, perGpu, next, GpuDrainScope.onNvSwitch(live));
    if (!scope.perGpu()) {
      return AS_BEFORE; // a whole-node drain, whose detail says why
    }
    if (validate.appliesTo(v.getFaultClass())) {
      return new Containment(false, VALIDATED);
    }
    if (live.isEmpty() || live.get().unschedulable()) {
      return new Containment(false, live.isEmpty() ? UNKNOWN : CORDONED);
    }
    return ofCounts(live.get().gpus(), v.getGpus().size(), String.join(",", scope.gpus()));
  }

  /**
   * From the node's GPU counts: schedulable when at least {@code bad} GPUs are withheld from
   * allocatable. The counts do not say which GPUs: one withheld for another reason is taken for the
   * bad one, which the reset then finds busy (refused: not drained), and the ladder cordons.
   */
  static Containment ofCounts(LiveNode.GpuCount gpus, int bad, String which) {
    if (!gpus.known()) {
      return new Containment(false, UNKNOWN);
    }
    String counts = gpus.allocatable() + " of " + gpus.capacity();
    if (bad <= 0 || gpus.withheld() < bad) {
      return new Containment(
          false,
          "cordoned: allocatable nvidia.com/gpu "
              + counts
              + " still offers GPU "
              + which
              + " to the scheduler");
    }
    return new Containment(
        true, KEPT + counts + ": the device plugin took GPU " + which + " out; node schedulable");
  }
}
