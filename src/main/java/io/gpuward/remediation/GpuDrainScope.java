package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.port.LiveNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a DRAIN step evicts: only the pods of the verdict's GPUs, or the whole node (with why, when
 * per-GPU drain was asked for and could not be done). Pure: decided from the verdict, the policy,
 * the steps that follow the drain, and whether the node's GPUs sit on an NVSwitch fabric.
 *
 * @param perGpu true when only {@code pods} are evicted
 * @param pods the pods to evict (namespace/name), empty for a whole-node drain
 * @param gpus the GPUs drained (index, or UUID when the index is unknown), for the audit
 * @param fallback why a per-GPU class drains the whole node, or null
 */
record GpuDrainScope(boolean perGpu, List<String> pods, List<String> gpus, String fallback) {

  /** How a per-GPU drain's SUCCEEDED detail begins (the ladder reads it back). */
  static final String PER_GPU_DETAIL = "drained GPU";

  static final String UNKNOWN = "GPU attribution unknown: whole-node drain";

  static final String NODE_DISRUPTED = "the node is rebooted or replaced next: whole-node drain";

  static final String NVSWITCH =
      "a GPU reset on an NVSwitch system needs every GPU idle: whole-node drain";

  private static final Set<RemediationAction> WHOLE_NODE_NEXT =
      Set.of(RemediationAction.REBOOT, RemediationAction.REPLACE);

  GpuDrainScope {
    pods = List.copyOf(pods);
    gpus = List.copyOf(gpus);
  }

  static GpuDrainScope wholeNode(String fallback) {
    return new GpuDrainScope(false, List.of(), List.of(), fallback);
  }

  /**
   * The scope of the drain of {@code v} followed by {@code next}, on a node with an NVSwitch fabric
   * when {@code nvswitch}.
   */
  static GpuDrainScope of(
      FaultVerdict v,
      RemediationPolicy.PerGpu policy,
      Collection<RemediationAction> next,
      boolean nvswitch) {
    if (!policy.appliesTo(v.getFaultClass())) {
      return wholeNode(null);
    }
    if (next.stream().anyMatch(WHOLE_NODE_NEXT::contains)) {
      return wholeNode(NODE_DISRUPTED);
    }
    if (nvswitch && next.contains(RemediationAction.RESET_GPU)) {
      return wholeNode(NVSWITCH);
    }
    if (!attributed(v.getGpus())) {
      return wholeNode(UNKNOWN);
    }
    Set<String> pods = new LinkedHashSet<>();
    List<String> gpus = new ArrayList<>();
    for (GpuRef g : v.getGpus()) {
      pods.addAll(g.getPods());
      gpus.add(g.getIndex() != null ? String.valueOf(g.getIndex()) : g.getUuid());
    }
    return new GpuDrainScope(true, new ArrayList<>(pods), gpus, null);
  }

  private static final InstanceTypeCatalog INSTANCE_TYPES = InstanceTypeCatalog.load();

  /** Whether the node's instance type has an NVSwitch fabric (fabric manager): p4d, p5, ... */
  static boolean onNvSwitch(Optional<LiveNode> live) {
    return live.map(n -> n.labels().get(NodeAllowList.INSTANCE_TYPE_LABEL))
        .flatMap(INSTANCE_TYPES::find)
        .map(InstanceType::fabricManager)
        .orElse(false);
  }

  /** Whether every GPU names its pods: empty pods mean unknown, never "no pods". */
  static boolean attributed(List<GpuRef> gpus) {
    return !gpus.isEmpty()
        && gpus.stream().allMatch(g -> g.getPods() != null && !g.getPods().isEmpty());
  }

  /** The audit detail of a per-GPU drain that evicted {@code evicted} of {@link #pods}. */
  String detail(int evicted) {
    return PER_GPU_DETAIL
        + (gpus.size() == 1 ? " " : "s ")
        + String.join(",", gpus)
        + ": "
        + evicted
        + " pod(s) evicted ("
        + String.join(", ", pods)
        + "); the other GPUs' pods keep running";
  }

  /**
   * Whether the {@code rung} about to run needs a whole-node drain although a drain of the session
   * already succeeded ({@code latestDrain}): it did, per GPU, and the rung disrupts the whole node.
   */
  static boolean wholeDrainDue(RemediationAction rung, Optional<Ledger.Entry> latestDrain) {
    return WHOLE_NODE_NEXT.contains(rung)
        && latestDrain
            .filter(e -> e.outcome() == Outcome.SUCCEEDED)
            .map(e -> e.detail() != null && e.detail().startsWith(PER_GPU_DETAIL))
            .orElse(false);
  }
}
