package io.gpuward.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SplittableRandom;

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

    /**
     * The members this target hits when fault {@code faultIndex} of a scenario with {@code seed}
     * fires on a group whose members are {@code members} (in node order): all of them, or {@code
     * count} / {@code percent} of them (rounded up, at least one) by a deterministic partial
     * shuffle, returned in their original order. The simulator and tests that check a run against
     * its scenario both use it.
     */
    public <T> List<T> pick(long seed, int faultIndex, List<T> members) {
      if (whole() || members.isEmpty()) {
        return List.copyOf(members);
      }
      int k =
          count.isPresent()
              ? count.getAsInt()
              : (int) Math.ceil(percent.getAsDouble() * members.size() / 100.0);
      k = Math.max(1, Math.min(k, members.size()));
      SplittableRandom r = new SplittableRandom(SimIds.hash(seed, "fault", faultIndex));
      Integer[] idx = new Integer[members.size()];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i;
      }
      for (int i = 0; i < k; i++) {
        int j = i + r.nextInt(idx.length - i);
        Integer tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
      }
      Integer[] picked = Arrays.copyOf(idx, k);
      Arrays.sort(picked);
      List<T> out = new ArrayList<>(k);
      for (Integer i : picked) {
        out.add(members.get(i));
      }
      return out;
    }
  }
}
