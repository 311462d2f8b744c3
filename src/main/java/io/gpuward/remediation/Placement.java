package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.remediation.port.LiveNode;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a node is (its node group and zone) for budgets, cordon ceilings and operator pauses, from
 * sources the remediator trusts: the live Node object's labels first, then the inventory it
 * follows. Never from the verdict: whoever can write a verdict could otherwise put a node in a
 * group of its own, with a budget and a pause scope of its own. Pure.
 *
 * @param nodegroup null when neither source names one (the node then counts only fleet-wide)
 * @param zone null when neither source names one
 */
public record Placement(String nodegroup, String zone) {

  /** The trusted placement of {@code node}. */
  public static Placement of(String node, Optional<LiveNode> live, FleetView fleet) {
    String group = live.flatMap(LiveNode::nodegroup).or(() -> fleet.nodegroup(node)).orElse(null);
    String zone = live.flatMap(LiveNode::zone).or(() -> fleet.zone(node)).orElse(null);
    return new Placement(group, zone);
  }

  /** True when the verdict names the same node group and zone. */
  public boolean agreesWith(FaultVerdict v) {
    return Objects.equals(nodegroup, blankToNull(v.getNodegroup()))
        && Objects.equals(zone, blankToNull(v.getZone()));
  }

  /** The verdict with this placement instead of its own. */
  public FaultVerdict applyTo(FaultVerdict v) {
    return FaultVerdict.newBuilder(v).setNodegroup(nodegroup).setZone(zone).build();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
