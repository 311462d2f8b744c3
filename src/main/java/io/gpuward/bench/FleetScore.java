package io.gpuward.bench;

import io.gpuward.sim.FleetFault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Scores a fleet run's outputs (verdicts, audit) against its ground truth. Pure: no Kafka, no
 * clock.
 *
 * <p>Attribution. A generated run puts at most one fault on a node, so a verdict on a faulted node
 * detected at or after the fault (less {@link #SLACK}) is that fault's. A fault is <b>detected</b>
 * when such a verdict has the fault's expected class and was detected within {@link
 * #DETECT_WITHIN}. A verdict of another class on the fault's node is <b>secondary</b> (a lost GPU
 * also lowers allocatable): it lowers its class's precision but is not a false positive of the
 * fleet. A verdict on a node with no fault is a <b>false positive</b>, counted per 1,000 node-days.
 *
 * <p>Times are simulated. Fault → cordon is the first CORDON SUCCEEDED on the node after the fault;
 * fault → repaired the first UNCORDON SUCCEEDED (back in service) or REPLACE SUCCEEDED (a new
 * instance takes its place) after it. Nodes disrupted counts distinct nodes with a disruptive step
 * (CORDON, DRAIN, RESET_GPU, REBOOT, REPLACE) STARTED or SUCCEEDED, over the faults where acting is
 * right. A fault where acting is wrong (an application XID) followed by a disruptive step on its
 * node is a <b>wrong remediation</b>.
 */
public final class FleetScore {

  /** How long before the injected time a verdict may be stamped (tick rounding, event times). */
  static final Duration SLACK = Duration.ofSeconds(30);

  /** A verdict later than this after the fault does not count as its detection. */
  static final Duration DETECT_WITHIN = Duration.ofMinutes(30);

  static final Set<String> DISRUPTIVE = Set.of("CORDON", "DRAIN", "RESET_GPU", "REBOOT", "REPLACE");
  static final Set<String> TAKEN = Set.of("STARTED", "SUCCEEDED");

  /** One verdict record (OPEN, UPDATED or CLEARED), as read from the verdict topic. */
  public record Verdict(
      String verdictId, String node, String faultClass, String state, Instant detectedAt) {}

  /** One remediation audit record. */
  public record Action(String verdictId, String node, String action, String outcome, Instant at) {}

  /**
   * What a run produced.
   *
   * @param start the run's simulated start (fault offsets count from it)
   * @param duration simulated time
   * @param nodes nodes in the fleet
   */
  public record Input(
      Instant start,
      Duration duration,
      int nodes,
      List<FleetFault> truth,
      List<Verdict> verdicts,
      List<Action> audit) {
    public Input {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(duration, "duration");
      truth = List.copyOf(truth);
      verdicts = List.copyOf(verdicts);
      audit = List.copyOf(audit);
    }
  }

  /**
   * One fault class.
   *
   * @param injected faults whose expected class it is
   * @param detected of those, detected
   * @param verdicts distinct verdicts of the class
   * @param correct of those, the detection of a fault of the class
   */
  public record ClassRow(String faultClass, int injected, int detected, int verdicts, int correct) {
    /** detected / injected; NaN when none injected. */
    public double recall() {
      return injected == 0 ? Double.NaN : (double) detected / injected;
    }

    /** correct / verdicts; NaN when no verdict. */
    public double precision() {
      return verdicts == 0 ? Double.NaN : (double) correct / verdicts;
    }
  }

  /**
   * The score.
   *
   * @param classes one row per class injected or reported, by class name
   * @param falsePositives verdicts on nodes without a fault
   * @param falsePositivesPer1000NodeDays the same per 1,000 node-days of the run
   * @param secondary verdicts of another class on a faulted node
   * @param faultToCordon simulated fault → cordon
   * @param faultToRepaired simulated fault → back in service or replaced
   * @param nodesDisruptedPerTrueFault disrupted nodes / faults where acting is right
   * @param wrongRemediations faults where acting is wrong that were followed by a disruptive step
   * @param missed ids of the faults not detected, with their cause
   */
  public record Result(
      List<ClassRow> classes,
      int faults,
      int falsePositives,
      double falsePositivesPer1000NodeDays,
      int secondary,
      LatencyStats faultToCordon,
      LatencyStats faultToRepaired,
      int disruptedNodes,
      double nodesDisruptedPerTrueFault,
      int wrongRemediations,
      List<String> missed) {}

  private FleetScore() {}

  /** Scores {@code input}. */
  public static Result score(Input input) {
    Map<String, FleetFault> byNode = new HashMap<>();
    for (FleetFault f : input.truth()) {
      byNode.put(f.node(), f);
    }
    Collection<Verdict> firsts = firstRecords(input.verdicts());
    Map<String, Integer> injected = new LinkedHashMap<>();
    Map<String, Integer> detected = new HashMap<>();
    Map<String, Integer> verdicts = new HashMap<>();
    Map<String, Integer> correct = new HashMap<>();
    Set<String> detectedFaults = new HashSet<>();
    int falsePositives = 0;
    int secondary = 0;
    for (FleetFault f : input.truth()) {
      injected.merge(f.expectedClass(), 1, Integer::sum);
    }
    for (Verdict v : firsts) {
      verdicts.merge(v.faultClass(), 1, Integer::sum);
      Optional<FleetFault> owner = owner(input.start(), byNode, v.node(), v.detectedAt());
      if (owner.isEmpty()) {
        falsePositives++;
      } else if (isDetection(input.start(), owner.get(), v)) {
        correct.merge(v.faultClass(), 1, Integer::sum);
        if (detectedFaults.add(owner.get().id())) {
          detected.merge(v.faultClass(), 1, Integer::sum);
        }
      } else {
        secondary++;
      }
    }
    Set<String> classes = new TreeSet<>(injected.keySet());
    classes.addAll(verdicts.keySet());
    List<ClassRow> rows = new ArrayList<>();
    for (String c : classes) {
      rows.add(
          new ClassRow(
              c,
              injected.getOrDefault(c, 0),
              detected.getOrDefault(c, 0),
              verdicts.getOrDefault(c, 0),
              correct.getOrDefault(c, 0)));
    }
    double nodeDays = input.nodes() * (input.duration().toSeconds() / 86_400.0);
    List<String> missed = new ArrayList<>();
    for (FleetFault f : input.truth()) {
      if (!detectedFaults.contains(f.id())) {
        missed.add(f.id() + " " + f.cause() + " " + f.node());
      }
    }
    Actions acts = actions(input);
    return new Result(
        rows,
        input.truth().size(),
        falsePositives,
        nodeDays == 0 ? Double.NaN : falsePositives * 1000.0 / nodeDays,
        secondary,
        LatencyStats.ofNanos(acts.toCordon()),
        LatencyStats.ofNanos(acts.toRepaired()),
        acts.disrupted(),
        acts.trueFaults() == 0 ? Double.NaN : (double) acts.disrupted() / acts.trueFaults(),
        acts.wrong(),
        missed);
  }

  /** The first record of each verdict id, which carries its class and detection time. */
  private static Collection<Verdict> firstRecords(List<Verdict> records) {
    Map<String, Verdict> first = new LinkedHashMap<>();
    for (Verdict v : records) {
      first.merge(v.verdictId(), v, (a, b) -> b.detectedAt().isBefore(a.detectedAt()) ? b : a);
    }
    return first.values();
  }

  private static Optional<FleetFault> owner(
      Instant start, Map<String, FleetFault> byNode, String node, Instant t) {
    FleetFault f = byNode.get(node);
    if (f == null || t.isBefore(start.plus(f.at()).minus(SLACK))) {
      return Optional.empty();
    }
    return Optional.of(f);
  }

  private static boolean isDetection(Instant start, FleetFault f, Verdict v) {
    Instant at = start.plus(f.at());
    return v.faultClass().equals(f.expectedClass())
        && !v.detectedAt().isAfter(at.plus(DETECT_WITHIN));
  }

  private record Actions(
      List<Long> toCordon, List<Long> toRepaired, int disrupted, int trueFaults, int wrong) {}

  private static Actions actions(Input input) {
    List<Long> toCordon = new ArrayList<>();
    List<Long> toRepaired = new ArrayList<>();
    int wrong = 0;
    int trueFaults = 0;
    for (FleetFault f : input.truth()) {
      Instant at = input.start().plus(f.at());
      List<Action> after =
          input.audit().stream()
              .filter(a -> a.node().equals(f.node()) && !a.at().isBefore(at))
              .toList();
      if (!f.remediate()) {
        if (after.stream().anyMatch(FleetScore::disruptive)) {
          wrong++;
        }
        continue;
      }
      trueFaults++;
      first(after, a -> a.action().equals("CORDON") && a.outcome().equals("SUCCEEDED"))
          .ifPresent(a -> toCordon.add(Duration.between(at, a.at()).toNanos()));
      first(after, FleetScore::repaired)
          .ifPresent(a -> toRepaired.add(Duration.between(at, a.at()).toNanos()));
    }
    Set<String> disrupted = new HashSet<>();
    for (Action a : input.audit()) {
      if (disruptive(a)) {
        disrupted.add(a.node());
      }
    }
    return new Actions(toCordon, toRepaired, disrupted.size(), trueFaults, wrong);
  }

  private static boolean disruptive(Action a) {
    return DISRUPTIVE.contains(a.action()) && TAKEN.contains(a.outcome());
  }

  private static boolean repaired(Action a) {
    return a.outcome().equals("SUCCEEDED")
        && (a.action().equals("UNCORDON") || a.action().equals("REPLACE"));
  }

  private static Optional<Action> first(List<Action> actions, Predicate<Action> p) {
    return actions.stream().filter(p).min(Comparator.comparing(Action::at));
  }
}
