package io.gpuward.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Generates a realistic fleet run: p5.48xlarge node groups over simulated hours with faults drawn
 * from {@link FleetMix}, each with its ground truth. Pure and seeded: the same settings give the
 * same scenario and truth.
 *
 * <p>Faults hit distinct nodes, so every verdict on a node can be attributed to at most one
 * injected fault. They are spread uniformly over the run, leaving the last {@link #SETTLE} (or 40%
 * of a short run) free so the last faults can be detected and acted on before it ends.
 */
public final class FleetScenarios {

  /**
   * What to generate.
   *
   * @param nodes p5.48xlarge nodes (8 GPUs each)
   * @param duration simulated time
   * @param seed seed of every draw
   * @param faultsPerNodeHour fault rate; the default gives a few dozen faults on 200 nodes over 6
   *     h, about 12 times Llama 3's rate (419 in 54 days on 2,048 nodes), so that a run of hours
   *     scores something
   * @param minFaults at least this many faults (a tiny fleet still exercises the pipeline)
   * @param sampleInterval scrape interval; 10 s keeps a 30 s sample window at 3 samples, the
   *     thermal rule's minimum
   */
  public record Settings(
      int nodes,
      Duration duration,
      long seed,
      double faultsPerNodeHour,
      int minFaults,
      Duration sampleInterval) {

    public static final double DEFAULT_RATE = 0.03;
    public static final int DEFAULT_MIN_FAULTS = 6;
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(10);

    public Settings {
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(sampleInterval, "sampleInterval");
      if (nodes < 1 || nodes > Scenario.MAX_NODES) {
        throw new IllegalArgumentException(
            "nodes must be 1.." + Scenario.MAX_NODES + ", was " + nodes);
      }
      if (duration.compareTo(Duration.ofMinutes(10)) < 0) {
        throw new IllegalArgumentException("duration must be at least 10m, was " + duration);
      }
      if (!(faultsPerNodeHour >= 0) || minFaults < 0) {
        throw new IllegalArgumentException("fault rate and minimum must not be negative");
      }
    }

    /** The default rate, minimum and sample interval. */
    public static Settings of(int nodes, Duration duration, long seed) {
      return new Settings(
          nodes, duration, seed, DEFAULT_RATE, DEFAULT_MIN_FAULTS, DEFAULT_SAMPLE_INTERVAL);
    }

    /**
     * How many faults the run injects: the rate over node-hours, at least the minimum, at most one
     * per node.
     */
    public int faultCount() {
      double nodeHours = nodes * (duration.toSeconds() / 3600.0);
      int n = Math.max(minFaults, (int) Math.round(faultsPerNodeHour * nodeHours));
      return Math.min(n, nodes);
    }
  }

  /**
   * A generated run.
   *
   * @param scenario what the simulator plays
   * @param truth one entry per scenario fault, in the same order ({@code truth.get(i)} is fault i)
   */
  public record FleetRun(Scenario scenario, List<FleetFault> truth) {
    public FleetRun {
      Objects.requireNonNull(scenario, "scenario");
      truth = List.copyOf(truth);
    }
  }

  /** Nodes per node group, as one EKS managed node group per training cell. */
  static final int GROUP_NODES = 100;

  static final String INSTANCE_TYPE = "p5.48xlarge";
  static final String IMAGE = "bottlerocket-aws-k8s-1.32-nvidia-x86_64";
  static final int GPUS_PER_NODE = 8;

  /** Time left free at the end of a long run for the last faults to be detected and acted on. */
  static final Duration SETTLE = Duration.ofMinutes(15);

  /** No fault before the fleet has registered and sent a few windows of telemetry. */
  static final Duration WARM_UP = Duration.ofMinutes(2);

  private static final String[] ZONES = {"us-east-1a", "us-east-1b", "us-east-1c"};

  private FleetScenarios() {}

  /** The fleet run for {@code settings}. */
  public static FleetRun generate(Settings settings) {
    List<NodeGroupSpec> groups = groups(settings.nodes());
    List<String> nodes = new ArrayList<>();
    for (NodeGroupSpec g : groups) {
      for (int i = 0; i < g.count(); i++) {
        nodes.add(g.nodeName(i));
      }
    }
    SplittableRandom random = new SplittableRandom(SimIds.hash(settings.seed(), "fleet-run"));
    List<String> hit = pickDistinct(nodes, settings.faultCount(), random);
    Duration last = lastFaultAt(settings.duration());
    List<Draft> drafts = new ArrayList<>();
    for (String node : hit) {
      long span = last.minus(WARM_UP).toSeconds();
      Duration at = WARM_UP.plusSeconds(random.nextLong(span + 1));
      drafts.add(new Draft(node, at, FleetMix.draw(random), random.nextInt(GPUS_PER_NODE)));
    }
    drafts.sort(Comparator.comparing(Draft::at).thenComparing(Draft::node));
    List<Fault> faults = new ArrayList<>();
    List<FleetFault> truth = new ArrayList<>();
    for (Draft d : drafts) {
      int index = faults.size();
      Injection injection = FleetMix.injection(d.cause(), d.gpu(), random);
      faults.add(new Fault(index, d.at(), new Target.Node(d.node()), injection));
      truth.add(
          new FleetFault(
              "f" + index,
              d.cause().name(),
              d.node(),
              injection.gpu().orElse(-1),
              d.at(),
              d.cause().expectedClass(),
              d.cause().remediate(),
              FleetMix.recovers(injection)));
    }
    Scenario scenario =
        new Scenario(
            "fleet-" + settings.nodes() + "x" + GPUS_PER_NODE + "-seed" + settings.seed(),
            settings.seed(),
            settings.sampleInterval(),
            settings.sampleInterval(),
            settings.duration(),
            Optional.empty(),
            groups,
            faults);
    return new FleetRun(scenario, truth);
  }

  private record Draft(String node, Duration at, FleetMix.Cause cause, int gpu) {}

  private static List<NodeGroupSpec> groups(int nodes) {
    List<NodeGroupSpec> groups = new ArrayList<>();
    for (int g = 0; nodes > 0; g++) {
      int n = Math.min(nodes, GROUP_NODES);
      groups.add(
          new NodeGroupSpec(
              "p5-cell" + g,
              INSTANCE_TYPE,
              IMAGE,
              n,
              ZONES[g % ZONES.length],
              NodeGroupSpec.DEFAULT_DRIVER_VERSION));
      nodes -= n;
    }
    return groups;
  }

  private static Duration lastFaultAt(Duration duration) {
    Duration settled = duration.minus(SETTLE);
    Duration share = Duration.ofSeconds(duration.toSeconds() * 6 / 10);
    Duration last = settled.compareTo(share) > 0 ? settled : share;
    return last.compareTo(WARM_UP) > 0 ? last : WARM_UP;
  }

  private static List<String> pickDistinct(List<String> nodes, int k, SplittableRandom random) {
    List<String> pool = new ArrayList<>(nodes);
    List<String> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(pool.size() - i);
      String tmp = pool.get(i);
      pool.set(i, pool.get(j));
      pool.set(j, tmp);
      out.add(pool.get(i));
    }
    return out;
  }
}
