package io.gpuward.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A simulation scenario: a fleet of node groups and a timeline of faults. Load one with {@link
 * ScenarioLoader}; build a benchmark fleet with {@link #synthetic(int, long)}.
 *
 * @param name scenario name
 * @param seed seed of every random choice; same scenario and seed give the same records
 * @param sampleInterval time between two scrapes (ticks)
 * @param heartbeatInterval time between two exporter heartbeats per node (rounded to ticks)
 * @param duration simulated time the scenario is meant to run
 * @param start simulated start instant; empty = the cluster clock's instant when the simulator is
 *     built (the demo and {@code gpuward simulate} place it with {@link SimTimeline})
 * @param nodegroups node groups, in file order
 * @param faults faults, in file order
 */
public record Scenario(
    String name,
    long seed,
    Duration sampleInterval,
    Duration heartbeatInterval,
    Duration duration,
    Optional<Instant> start,
    List<NodeGroupSpec> nodegroups,
    List<Fault> faults) {

  /** Default sample interval. */
  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(1);

  /** Default exporter heartbeat interval. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  /**
   * Most nodes a scenario file may simulate, over all its node groups: the simulator, the engine
   * and (in the demo) the broker share one process, and a fleet far past this only crawls.
   * Benchmark fleets ({@link #synthetic(int, long)}) are built in code and not bound by it.
   */
  public static final int MAX_NODES = 1000;

  /** Nodes per node group in {@link #synthetic(int, long)} fleets. */
  static final int SYNTHETIC_GROUP_NODES = 500;

  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sampleInterval, "sampleInterval");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(start, "start");
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new IllegalArgumentException("sampleInterval must be positive: " + sampleInterval);
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException(
          "heartbeatInterval must be positive: " + heartbeatInterval);
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative: " + duration);
    }
    nodegroups = List.copyOf(nodegroups);
    faults = List.copyOf(faults);
  }

  /** The node group named {@code name}. */
  public Optional<NodeGroupSpec> nodegroup(String name) {
    return nodegroups.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /** Instances at start, over all node groups. */
  public int nodeCount() {
    return nodegroups.stream().mapToInt(NodeGroupSpec::count).sum();
  }

  /** A copy running for {@code newDuration}. */
  public Scenario withDuration(Duration newDuration) {
    return new Scenario(
        name, seed, sampleInterval, heartbeatInterval, newDuration, start, nodegroups, faults);
  }

  /** A copy starting at {@code newStart}. */
  public Scenario withStart(Instant newStart) {
    return new Scenario(
        name,
        seed,
        sampleInterval,
        heartbeatInterval,
        duration,
        Optional.of(newStart),
        nodegroups,
        faults);
  }

  /** A copy with another seed. */
  public Scenario withSeed(long newSeed) {
    return new Scenario(
        name, newSeed, sampleInterval, heartbeatInterval, duration, start, nodegroups, faults);
  }

  /**
   * A fault-free benchmark fleet of p5.48xlarge nodes (8 H100 each) with at least {@code gpus}
   * GPUs, in node groups {@code syn-<n>} of up to 500 nodes spread over three zones; 1 s samples,
   * 10 minutes.
   */
  public static Scenario synthetic(int gpus, long seed) {
    if (gpus <= 0) {
      throw new IllegalArgumentException("gpus must be positive: " + gpus);
    }
    int nodes = (gpus + 7) / 8;
    List<NodeGroupSpec> groups = new ArrayList<>();
    String[] zones = {"us-east-1a", "us-east-1b", "us-east-1c"};
    for (int g = 0; nodes > 0; g++) {
      int n = Math.min(nodes, SYNTHETIC_GROUP_NODES);
      groups.add(
          new NodeGroupSpec(
              "syn-" + g,
              "p5.48xlarge",
              "bottlerocket-aws-k8s-1.32-nvidia-x86_64",
              n,
              zones[g % zones.length],
              NodeGroupSpec.DEFAULT_DRIVER_VERSION));
      nodes -= n;
    }
    return new Scenario(
        "synthetic-" + gpus,
        seed,
        DEFAULT_SAMPLE_INTERVAL,
        DEFAULT_HEARTBEAT_INTERVAL,
        Duration.ofMinutes(10),
        Optional.empty(),
        groups,
        List.of());
  }
}
