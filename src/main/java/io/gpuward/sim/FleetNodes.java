package io.gpuward.sim;

import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated fleet's node groups and nodes, and how a node comes to be: its seeded random
 * source, its GPUs (identity, temperature offset, a history of corrected errors) and its first
 * boot. Nodes keep their creation order, which every per-node loop follows so a seeded run is the
 * same each time. Simulator thread only.
 */
final class FleetNodes {

  private final long seed;
  private final NodeSignals signals;
  private final Map<String, GroupSim> groups = new LinkedHashMap<>();
  private final Map<String, GroupSim> groupsByAsg = new HashMap<>();
  private final Map<String, NodeSim> nodes = new HashMap<>();
  private final List<NodeSim> nodeList = new ArrayList<>();
  private int nextOrdinal;

  FleetNodes(long seed, NodeSignals signals) {
    this.seed = seed;
    this.signals = signals;
  }

  /** Makes the scenario's node groups, their instance types resolved. */
  void defineGroups(Scenario scenario, InstanceTypeCatalog catalog) {
    for (NodeGroupSpec spec : scenario.nodegroups()) {
      InstanceType type = catalog.resolve(spec.instanceType());
      GroupSim g = new GroupSim(spec, type, seed);
      groups.put(spec.name(), g);
      groupsByAsg.put(spec.asgName(), g);
    }
  }

  Collection<GroupSim> groups() {
    return groups.values();
  }

  GroupSim group(String name) {
    return groups.get(name);
  }

  GroupSim groupOfAsg(String asgName) {
    return groupsByAsg.get(asgName);
  }

  /** The node of that name still in the fleet, or null. */
  NodeSim node(String name) {
    return nodes.get(name);
  }

  /** Nodes in the fleet, in creation order (the list itself: copy it before changing the fleet). */
  List<NodeSim> nodes() {
    return nodeList;
  }

  /** Names of the nodes in the fleet, in creation order. */
  List<String> names() {
    return nodeList.stream().map(n -> n.name).toList();
  }

  /** The node's members of the group named, in creation order. */
  List<NodeSim> members(String group) {
    List<NodeSim> members = new ArrayList<>();
    for (NodeSim n : nodeList) {
      if (n.group.spec.name().equals(group)) {
        members.add(n);
      }
    }
    return members;
  }

  /**
   * A new node of the group, booted at {@code launchedAt}, its kernel lines read at {@code readAt}.
   */
  NodeSim add(
      String name,
      GroupSim g,
      String instanceId,
      String bootId,
      Instant launchedAt,
      Instant readAt) {
    SplittableRandom rng = new SplittableRandom(SimIds.hash(seed, "node", name));
    GpuSim[] gpus = gpus(name, g, rng);
    NodeSim n = new NodeSim(name, g, nextOrdinal++, instanceId, bootId, launchedAt, rng, gpus);
    n.kmsgSeq = 1200 + rng.nextInt(800);
    nodes.put(name, n);
    nodeList.add(n);
    signals.boot(n, bootId, launchedAt, readAt);
    return n;
  }

  private GpuSim[] gpus(String name, GroupSim g, SplittableRandom rng) {
    int count = g.gpus();
    GpuSim[] gpus = new GpuSim[count];
    for (int i = 0; i < count; i++) {
      double offset = (rng.nextDouble() - 0.5) * 8;
      GpuSim gpu =
          new GpuSim(
              i,
              SimIds.gpuUuid(seed, name, i),
              GpuProfile.pciBusId(count, i),
              offset,
              32 + (g.profile.loadTempC() - 32) * g.busyUtil / 100 + offset);
      // lifetime counters: most GPUs have a clean history, some a few corrected errors
      if (rng.nextInt(10) == 0) {
        gpu.sbeAgg = 1 + rng.nextInt(40);
      }
      if (g.profile.ampereOrLater() && rng.nextInt(25) == 0) {
        gpu.rowCorr = 1 + rng.nextInt(3);
      }
      if (!g.profile.ampereOrLater() && gpu.sbeAgg > 20) {
        gpu.retiredSbe = 1;
      }
      gpus[i] = gpu;
    }
    return gpus;
  }

  /** The node leaves the fleet (its instance terminated). */
  void remove(NodeSim n) {
    nodes.remove(n.name);
    nodeList.remove(n);
  }
}
