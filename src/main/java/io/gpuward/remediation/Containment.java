package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.DraDevice;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether a repair contains its fault without a cordon. A per-GPU drain followed by a GPU reset
 * needs no cordon when the device plugin already took the bad GPUs out of the node's allocatable
 * {@code nvidia.com/gpu}: the scheduler cannot place a pod on them, so the node's other GPUs keep
 * taking pods while the bad ones are drained and reset. Where the node's GPUs are allocated through
 * DRA (a ResourceSlice of the configured driver lists them), a KEP-5055 device taint on exactly the
 * bad GPUs' devices does what the withheld count does, and says which devices. Anything else
 * cordons first, as a cordon is then the only thing that keeps new pods off the bad GPU. Pure.
 *
 * @param schedulable true when the plan runs without its CORDON and the node stays schedulable
 * @param why for the audit, why the node stays schedulable or is cordoned; null when the question
 *     does not arise (a class not drained per GPU, a plan without a per-GPU drain)
 * @param devices the DRA devices to taint before the drain, empty when no device taint is due
 */
record Containment(boolean schedulable, String why, List<DraDevice> devices) {

  Containment {
    devices = List.copyOf(devices);
  }

  Containment(boolean schedulable, String why) {
    this(schedulable, why, List.of());
  }

  /** How the detail of a drain that left its node schedulable says so. */
  static final String KEPT = "not cordoned: allocatable nvidia.com/gpu ";

  static final String VALIDATED =
      "cordoned: diagnostics validate the repair on the whole node, which needs it idle";

  static final String UNKNOWN = "cordoned: the node's allocatable nvidia.com/gpu is unknown";

  static final String CORDONED = "cordoned: the node is cordoned already";

  /** How the detail of a drain that tainted the bad GPUs' DRA devices says so. */
  static final String TAINTED = "device taint ";

  /**
   * Whether an audited step is a per-GPU drain that left its node schedulable: the DRAIN succeeded
   * and its detail carries this containment's {@link #KEPT} reason. The audit record is where the
   * remediator says so once per drain, replays and restarts included.
   */
  static boolean kept(RemediationAction action, Outcome outcome, String detail) {
    return action == RemediationAction.DRAIN
        && outcome == Outcome.SUCCEEDED
        && detail != null
        && (detail.contains("; " + KEPT) || detail.contains("; " + TAINTED));
  }

  /**
   * The fault session's key for its device taints: the id of its first DRAIN, so every drain of the
   * session, a restarted remediator's and the return to service find the same rules.
   */
  static String taintSession(FaultVerdict v) {
    return OperationIds.of(v.getNode(), v.getVerdictId(), RemediationAction.DRAIN, 1);
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
    String which = String.join(",", scope.gpus());
    List<DraDevice> dra = live.get().draDevices();
    return dra.isEmpty()
        ? ofCounts(live.get().gpus(), v.getGpus().size(), which)
        : ofDevices(dra, v.getGpus(), which);
  }

  /**
   * From the node's DRA devices: schedulable, tainting them, when each of {@code bad} matches
   * exactly one device, by its {@code uuid} attribute, else by its {@code index} attribute (which
   * the NVIDIA driver published before v25.8); never by device name, which the driver derives from
   * the minor number. A GPU that matches no device, or several, cordons.
   */
  static Containment ofDevices(List<DraDevice> devices, List<GpuRef> bad, String which) {
    List<DraDevice> taint = new ArrayList<>();
    for (GpuRef g : bad) {
      List<DraDevice> m = matching(devices, g);
      if (m.size() != 1) {
        return new Containment(
            false,
            "cordoned: "
                + (m.isEmpty() ? "no device" : m.size() + " devices")
                + " of the node's ResourceSlice ("
                + devices.get(0).driver()
                + (m.isEmpty() ? ") matches GPU " : ") match GPU ")
                + label(g)
                + "; no device taint");
      }
      if (!taint.contains(m.get(0))) {
        taint.add(m.get(0));
      }
    }
    if (taint.isEmpty()) {
      return new Containment(false, "cordoned: the verdict names no GPU to taint");
    }
    String ids = taint.stream().map(DraDevice::id).collect(Collectors.joining(","));
    return new Containment(
        true,
        TAINTED
            + HealthMark.TAINT_KEY
            + ":NoSchedule on "
            + ids
            + " (GPU "
            + which
            + "): not cordoned, node schedulable",
        taint);
  }

  private static List<DraDevice> matching(List<DraDevice> devices, GpuRef g) {
    String uuid = g.getUuid() == null ? "" : g.getUuid().trim().toLowerCase(Locale.ROOT);
    if (!uuid.isEmpty()) {
      List<DraDevice> byUuid =
          devices.stream()
              .filter(d -> d.uuid() != null && d.uuid().toLowerCase(Locale.ROOT).equals(uuid))
              .toList();
      if (!byUuid.isEmpty()) {
        return byUuid;
      }
    }
    Integer index = g.getIndex();
    return index == null
        ? List.of()
        : devices.stream().filter(d -> index.equals(d.index())).toList();
  }

  private static String label(GpuRef g) {
    return (g.getIndex() == null ? "" : g.getIndex() + " ")
        + "("
        + (g.getUuid() == null ? "no uuid" : g.getUuid())
        + ")";
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
