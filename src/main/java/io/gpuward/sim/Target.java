package io.gpuward.sim;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** What a scenario fault hits: one node, or a node group (all of it, a count or a percent). */
public sealed interface Target permits Target.Node, Target.NodeGroup {

  /**
   * One node by name.
   *
   * @param name node name {@code <nodegroup>-<index>}
   */
  record Node(String name) implements Target {
    public Node {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * A node group: all its nodes, or {@code count} of them, or {@code percent} of them (rounded up,
   * at least one), chosen deterministically from the scenario seed when the fault fires.
   *
   * @param name node group name
   * @param count how many nodes, when set
   * @param percent what share of the nodes (0 &lt; p &lt;= 100), when set
   */
  record NodeGroup(String name, OptionalInt count, OptionalDouble percent) implements Target {
    public NodeGroup {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(count, "count");
      Objects.requireNonNull(percent, "percent");
      if (count.isPresent() && percent.isPresent()) {
        throw new IllegalArgumentException("count and percent are exclusive");
      }
    }

    /** All of the node group. */
    public static NodeGroup all(String name) {
      return new NodeGroup(name, OptionalInt.empty(), OptionalDouble.empty());
    }

    /** True when the whole node group is targeted (no count, no percent). */
    public boolean whole() {
      return count.isEmpty() && percent.isEmpty();
    }
  }
}
