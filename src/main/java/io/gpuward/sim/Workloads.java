package io.gpuward.sim;

import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.sim.ClusterModel.Asg;
import io.gpuward.sim.ClusterModel.Node;
import io.gpuward.sim.ClusterModel.Pdb;
import io.gpuward.sim.ClusterModel.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload pods: one per allocatable GPU, owned by a per-node-group Deployment under a
 * PodDisruptionBudget. Evictions (one by one, or a whole drain) count against the budget until the
 * pod runs elsewhere after {@link SimulatedCluster.Settings#rescheduleDelay()}, and a schedulable,
 * Ready node gets pods back after the same delay. Kept apart because it is the one part whose rules
 * (budgets, a blocking drain) a remediation's pacing depends on. Not thread-safe: the facade's lock
 * guards every access, and a drain waits on that lock between passes.
 */
final class Workloads {

  private static final Logger log = LoggerFactory.getLogger(Workloads.class);

  private static final Duration CLOCK_STALL = Duration.ofSeconds(2);
  private static final long DRAIN_POLL_MILLIS = 20;

  private final ClusterModel model;
  private final ClusterTimeline timeline;
  private final ClusterJournal journal;
  private final SimulatedCluster.Settings settings;
  private final Clock clock;
  private final Object lock;

  Workloads(
      ClusterModel model,
      ClusterTimeline timeline,
      ClusterJournal journal,
      SimulatedCluster.Settings settings,
      Clock clock,
      Object lock) {
    this.model = model;
    this.timeline = timeline;
    this.journal = journal;
    this.settings = settings;
    this.clock = clock;
    this.lock = lock;
  }

  /** Creates workload pods on allocatable GPUs that have none; true when it created any. */
  boolean fill(Node n) {
    boolean created = false;
    Asg a = n.instance.asg;
    for (int gpu : n.allocatableGpus) {
      boolean taken = n.taintedGpus.containsKey(gpu); // a device taint keeps new claims off it
      for (Pod p : n.pods) {
        if (!p.daemonSet() && p.gpuIndex() == gpu) {
          taken = true;
          break;
        }
      }
      if (!taken) {
        String suffix =
            SimIds.podSuffix(SimIds.hash(a.seed, "pod", n.name, gpu, n.podGeneration++), 5);
        n.pods.add(
            new Pod(
                SimulatedCluster.WORKLOAD_NAMESPACE,
                a.nodegroup + "-worker-" + a.rsHash + "-" + suffix,
                a.nodegroup + "-worker",
                false,
                gpu));
        created = true;
      }
    }
    return created;
  }

  /** Schedules workload pods back onto the node's free GPUs after the reschedule delay. */
  void scheduleRefill(Node n, Instant at) {
    if (n.refillPending || n.instance.asg.gpus == 0) {
      return;
    }
    n.refillPending = true;
    timeline.schedule(
        at.plus(settings.rescheduleDelay()),
        t -> {
          n.refillPending = false;
          if (model.nodes.get(n.name) != n || n.unschedulable || !n.ready()) {
            return;
          }
          if (fill(n)) {
            timeline.change(new ClusterChange.PodsChanged(n.name, podByGpu(n), t));
          }
        });
  }

  /** Workload pod (namespace/name) per GPU index of the node; null where none. */
  String[] podByGpu(Node n) {
    String[] out = new String[n.instance.asg.gpus];
    for (Pod p : n.pods) {
      if (!p.daemonSet() && p.gpuIndex() >= 0 && p.gpuIndex() < out.length) {
        out[p.gpuIndex()] = p.namespace() + "/" + p.name();
      }
    }
    return out;
  }

  /** Whether a workload pod is still bound to the node (a GPU reset needs none). */
  boolean hasWorkload(Node n) {
    return n.pods.stream().anyMatch(p -> !p.daemonSet());
  }

  static List<PodView> views(Node n, Instant now) {
    return n.pods.stream().map(p -> p.view(n.name, now)).toList();
  }

  /** The PodDisruptionBudget of every GPU node group, as the API serves it. */
  List<PdbView> pdbs(Instant now) {
    List<PdbView> pdbs = new ArrayList<>();
    for (Asg a : model.asgs.values()) {
      if (a.gpus > 0) {
        pdbs.add(
            new PdbView(
                SimulatedCluster.WORKLOAD_NAMESPACE,
                a.pdb.name,
                a.nodegroup + "-worker",
                settings.pdbMaxUnavailable(),
                a.pdb.unavailable(now)));
      }
    }
    return pdbs;
  }

  /** Evicts the pod named, as the Eviction API does. */
  EvictionOutcome evict(String namespace, String pod, Instant now) {
    for (Node n : model.nodes.values()) {
      for (Pod p : n.pods) {
        if (p.namespace().equals(namespace) && p.name().equals(pod)) {
          return evict(n, p, now);
        }
      }
    }
    return EvictionOutcome.NOT_FOUND;
  }

  private EvictionOutcome evict(Node n, Pod p, Instant now) {
    String target = p.namespace() + "/" + p.name();
    if (p.daemonSet()) {
      journal.record(now, "EVICT", target, "", "REJECTED", "DaemonSet pod");
      return EvictionOutcome.NOT_EVICTABLE;
    }
    Pdb pdb = n.instance.asg.pdb;
    if (pdb.unavailable(now) >= settings.pdbMaxUnavailable()) {
      journal.blocked(1);
      journal.record(now, "EVICT", target, "", "REJECTED", "PodDisruptionBudget " + pdb.name);
      return EvictionOutcome.BLOCKED_BY_PDB;
    }
    n.pods.remove(p);
    pdb.disruptedUntil.add(now.plus(settings.rescheduleDelay()));
    journal.evicted(1);
    timeline.change(new ClusterChange.PodsChanged(n.name, podByGpu(n), now));
    journal.record(now, "EVICT", target, "", "ACCEPTED", "node " + n.name);
    log.info("cluster: evicted pod={} node={}", target, n.name);
    return EvictionOutcome.EVICTED;
  }

  /** How far a drain got in its last pass. */
  private record Pass(int evicted, int blocked, int daemonSet) {}

  /**
   * Evicts the node's workload pods under their budget, pass after pass until none is left, the
   * deadline (simulated) passes, or the clock stops moving for 2 s of wall time.
   */
  DrainResult drain(Node n, Instant start, Duration deadline) {
    Instant until = start.plus(deadline);
    int evicted = 0;
    Instant lastSeen = start;
    long lastMove = System.nanoTime();
    while (true) {
      Instant now = clock.instant();
      timeline.fire(now);
      requireStillThere(n, now);
      Pass pass = drainPass(n, now);
      evicted += pass.evicted();
      boolean complete = pass.blocked() == 0;
      boolean timeUp = deadline.isZero() || deadline.isNegative() || !now.isBefore(until);
      if (!now.equals(lastSeen)) {
        lastSeen = now;
        lastMove = System.nanoTime();
      }
      boolean stalled = System.nanoTime() - lastMove > CLOCK_STALL.toNanos();
      if (complete || timeUp || stalled) {
        journal.blocked(pass.blocked());
        String detail =
            "evicted=" + evicted + " blocked=" + pass.blocked() + " daemonSet=" + pass.daemonSet();
        journal.record(now, "DRAIN", n.name, "", complete ? "ACCEPTED" : "PARTIAL", detail);
        return new DrainResult(evicted, pass.blocked(), pass.daemonSet(), complete);
      }
      waitForClock(n.name);
    }
  }

  /**
   * Evicts the named workload pods ({@code namespace/name}) of the node under their budget, pass
   * after pass as {@link #drain} does; the node's other pods stay. A named pod not on the node
   * counts as gone.
   */
  DrainResult evictPods(Node n, List<String> named, Instant start, Duration deadline) {
    Instant until = start.plus(deadline);
    int evicted = 0;
    Instant lastSeen = start;
    long lastMove = System.nanoTime();
    while (true) {
      Instant now = clock.instant();
      timeline.fire(now);
      requireStillThere(n, now);
      int blocked = 0;
      for (Pod p : List.copyOf(n.pods)) {
        if (named.contains(p.namespace() + "/" + p.name())) {
          EvictionOutcome o = evict(n, p, now);
          evicted += o == EvictionOutcome.EVICTED ? 1 : 0;
          blocked += o == EvictionOutcome.BLOCKED_BY_PDB ? 1 : 0;
        }
      }
      if (!now.equals(lastSeen)) {
        lastSeen = now;
        lastMove = System.nanoTime();
      }
      boolean stalled = System.nanoTime() - lastMove > CLOCK_STALL.toNanos();
      if (blocked == 0 || !now.isBefore(until) || stalled) {
        String detail = "evicted=" + evicted + " blocked=" + blocked + " pods=" + named;
        journal.record(now, "DRAIN", n.name, "", blocked == 0 ? "ACCEPTED" : "PARTIAL", detail);
        return new DrainResult(evicted, blocked, 0, blocked == 0);
      }
      waitForClock(n.name);
    }
  }

  /** Whether a workload pod is still bound to one of the node's GPUs {@code gpus}. */
  boolean hasWorkloadOn(Node n, Set<Integer> gpus) {
    return n.pods.stream().anyMatch(p -> !p.daemonSet() && gpus.contains(p.gpuIndex()));
  }

  private void requireStillThere(Node n, Instant now) {
    if (model.nodes.get(n.name) != n) {
      journal.record(now, "DRAIN", n.name, "", "REJECTED", "node went away during the drain");
      journal.rejected();
      throw new ActuatorException(
          ActuatorException.Kind.PERMANENT, "node " + n.name + " went away during the drain");
    }
  }

  private Pass drainPass(Node n, Instant now) {
    int blocked = 0;
    int evictedNow = 0;
    int skippedDs = 0;
    Iterator<Pod> it = n.pods.iterator();
    while (it.hasNext()) {
      Pod p = it.next();
      if (p.daemonSet()) {
        skippedDs++;
        continue;
      }
      Pdb pdb = n.instance.asg.pdb;
      if (pdb.unavailable(now) < settings.pdbMaxUnavailable()) {
        it.remove();
        pdb.disruptedUntil.add(now.plus(settings.rescheduleDelay()));
        evictedNow++;
      } else {
        blocked++;
      }
    }
    if (evictedNow > 0) {
      journal.evicted(evictedNow);
      timeline.change(new ClusterChange.PodsChanged(n.name, podByGpu(n), now));
      log.info("cluster: evicted {} pod(s) node={}", evictedNow, n.name);
    }
    return new Pass(evictedNow, blocked, skippedDs);
  }

  private void waitForClock(String node) {
    try {
      lock.wait(DRAIN_POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActuatorException(
          ActuatorException.Kind.TRANSIENT, "drain of " + node + " interrupted", e);
    }
  }
}
