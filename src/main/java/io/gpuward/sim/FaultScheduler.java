package io.gpuward.sim;

import io.gpuward.config.Durations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scenario's faults in time order, each applied when due to its targets: a named node, or nodes
 * of a group picked by the fault's seeded choice (and, for a whole group, the group's own
 * configuration, which replacements inherit). The one place where a fault finds its nodes; the
 * appliers then each handle one family of inject kinds. Simulator thread only.
 */
final class FaultScheduler {

  private static final Logger log = LoggerFactory.getLogger(FaultScheduler.class);

  /** What applies one family of faults to a node; false when the fault is not of its family. */
  interface Applier {
    boolean apply(NodeSim n, Fault f, Instant at);
  }

  private final Scenario scenario;
  private final long seed;
  private final Instant start;
  private final FleetNodes fleet;
  private final List<Fault> faults;
  private int nextFault;
  private final NodeFaults nodeFaults;
  private final OperandFaults operandFaults;
  private final ContainerFaults containerFaults;
  private final List<Applier> appliers;

  FaultScheduler(
      Scenario scenario,
      Instant start,
      FleetNodes fleet,
      GpuFaults gpuFaults,
      NodeFaults nodeFaults,
      OperandFaults operandFaults,
      ContainerFaults containerFaults) {
    this.scenario = scenario;
    this.seed = scenario.seed();
    this.start = start;
    this.fleet = fleet;
    this.nodeFaults = nodeFaults;
    this.operandFaults = operandFaults;
    this.containerFaults = containerFaults;
    this.appliers =
        List.of(gpuFaults::apply, nodeFaults::apply, operandFaults::apply, containerFaults::apply);
    List<Fault> sorted = new ArrayList<>(scenario.faults());
    sorted.sort(Comparator.comparing(Fault::at)); // stable: same time keeps file order
    this.faults = List.copyOf(sorted);
  }

  /** Faults in the scenario. */
  int size() {
    return faults.size();
  }

  /**
   * Nodes that never register, by name, with the no-registration fault at offset 0 that says so
   * ("never registers": applied before registration); a whole group's marks the group too.
   */
  Map<String, Integer> neverRegistering() {
    Map<String, Integer> neverRegisters = new HashMap<>();
    for (Fault f : faults) {
      if (f.at().isZero() && f.injection() instanceof Injection.NoRegistration) {
        if (f.target() instanceof Target.NodeGroup ng && ng.whole()) {
          fleet.group(ng.name()).noRegistration = true;
        }
        for (String n : initialTargets(f)) {
          neverRegisters.putIfAbsent(n, f.index());
        }
      }
    }
    return neverRegisters;
  }

  /** When the next fault is due, if at or before {@code t}; else null. */
  Instant nextDue(Instant t) {
    if (nextFault >= faults.size()) {
      return null;
    }
    Instant at = start.plus(faults.get(nextFault).at());
    return at.isAfter(t) ? null : at;
  }

  /** Applies the next fault at {@code at}. */
  void applyNext(Instant at) {
    Fault f = faults.get(nextFault++);
    Injection inj = f.injection();
    if (f.at().isZero() && inj instanceof Injection.NoRegistration) {
      return; // applied before registration
    }
    if (f.target() instanceof Target.NodeGroup ng && ng.whole()) {
      applyToGroup(fleet.group(ng.name()), f, at);
    }
    List<NodeSim> targets = targets(f);
    log.info(
        "sim: fault[{}] {} at +{} on {}",
        f.index(),
        inj.kind(),
        Durations.format(f.at()),
        targets.stream().map(n -> n.name).toList());
    for (NodeSim n : targets) {
      for (Applier a : appliers) {
        if (a.apply(n, f, at)) {
          break;
        }
      }
    }
  }

  private void applyToGroup(GroupSim g, Fault f, Instant at) {
    Injection inj = f.injection();
    if (inj instanceof Injection.ContainerError ce) {
      containerFaults.applyToGroup(g, f.index(), ce, at);
    } else if (inj instanceof Injection.OperandMissing om) {
      operandFaults.applyToGroup(g, om, at);
    } else {
      nodeFaults.applyToGroup(g, inj);
    }
  }

  private List<NodeSim> targets(Fault f) {
    if (f.target() instanceof Target.Node tn) {
      NodeSim n = fleet.node(tn.name());
      if (n == null) {
        log.info("sim: fault[{}] target node={} is gone (replaced), skipped", f.index(), tn.name());
        return List.of();
      }
      return List.of(n);
    }
    Target.NodeGroup ng = (Target.NodeGroup) f.target();
    return ng.pick(seed, f.index(), fleet.members(ng.name()));
  }

  private List<String> initialTargets(Fault f) {
    if (f.target() instanceof Target.Node node) {
      return List.of(node.name());
    }
    Target.NodeGroup ng = (Target.NodeGroup) f.target();
    NodeGroupSpec spec = scenario.nodegroup(ng.name()).orElseThrow();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < spec.count(); i++) {
      all.add(spec.nodeName(i));
    }
    return ng.pick(seed, f.index(), all);
  }
}
