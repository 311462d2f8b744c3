package io.gpuward.remediation;

import io.gpuward.avro.NodeInventory;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which node group and zone each node is in, from the inventory topic, so percent budgets know each
 * scope's size. Thread-safe.
 */
public final class FleetView {
  private record Place(String nodegroup, String zone, String asg) {}

  private final Map<String, Place> nodes = new ConcurrentHashMap<>();
  private final Map<String, NodeInventory> records = new ConcurrentHashMap<>();

  public void apply(NodeInventory inv) {
    nodes.put(inv.getNode(), new Place(inv.getNodegroup(), inv.getZone(), inv.getAsgName()));
    records.put(inv.getNode(), inv);
  }

  public void remove(String node) {
    nodes.remove(node);
    records.remove(node);
  }

  /**
   * The node's latest inventory record, whole: a world that only pretends to act (a shadow
   * remediator's) builds its nodes from it.
   */
  public Optional<NodeInventory> inventory(String node) {
    return Optional.ofNullable(records.get(node));
  }

  /** The node's Auto Scaling group as the inventory has it, when it has it. */
  public Optional<String> asg(String node) {
    Place p = nodes.get(node);
    return p == null || p.asg() == null || p.asg().isBlank()
        ? Optional.empty()
        : Optional.of(p.asg());
  }

  /** The node's group as the inventory has it, when it has it. */
  public Optional<String> nodegroup(String node) {
    Place p = nodes.get(node);
    return p == null ? Optional.empty() : nonBlank(p.nodegroup());
  }

  /** The node's zone as the inventory has it, when it has it. */
  public Optional<String> zone(String node) {
    Place p = nodes.get(node);
    return p == null ? Optional.empty() : nonBlank(p.zone());
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }

  /** Nodes in {@code scope}: {@code global}, {@code nodegroup:<n>} or {@code zone:<z>}. */
  public int size(String scope) {
    if (scope.equals("global")) {
      return nodes.size();
    }
    int i = scope.indexOf(':');
    String kind = scope.substring(0, Math.max(0, i));
    String name = scope.substring(i + 1);
    return (int)
        nodes.values().stream()
            .filter(
                p ->
                    kind.equals("nodegroup")
                        ? name.equals(p.nodegroup())
                        : kind.equals("zone") && name.equals(p.zone()))
            .count();
  }
}
