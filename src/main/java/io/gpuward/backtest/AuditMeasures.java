package io.gpuward.backtest;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.Actions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one audit stream of a period amounts to, measured the same way for the live one and the
 * candidate's: the most nodes in disruption at once per scope, the incident holds, and the time
 * from detection to each verdict's first disruptive action. Pure.
 *
 * <p>A node is in disruption from its first disruptive step (drain, reset, reboot, replace) until
 * the remediator would release its budget, that is until every verdict that took part in it is
 * done: a repair VERIFIED, a step AMBIGUOUS, an ESCALATE, a non-rung step FAILED_PERMANENT, the
 * verdict clearing, or the period's end. Close to what the remediator's budgets count, from the
 * audit and the verdicts alone.
 */
public final class AuditMeasures {
  static final Set<RemediationAction> DISRUPTIVE =
      EnumSet.of(
          RemediationAction.DRAIN,
          RemediationAction.RESET_GPU,
          RemediationAction.REBOOT,
          RemediationAction.REPLACE);

  private AuditMeasures() {}

  /**
   * Peak nodes in disruption at once per scope: {@code global} and {@code nodegroup:<name>}. A node
   * counts once however many of its verdicts are in disruption, as {@code Budgets} holds one budget
   * per node.
   */
  public static Map<String, Integer> peaks(
      List<RemediationRecord> audit, List<FaultVerdict> verdicts, Instant end) {
    List<Edge> edges = new ArrayList<>();
    for (RemediationRecord r : audit) {
      if (r.getOutcome() == Outcome.STARTED && DISRUPTIVE.contains(r.getAction())) {
        edges.add(new Edge(r.getAt(), r.getNode(), r.getVerdictId(), r.getNodegroup(), true));
      } else if (releases(r)) {
        edges.add(new Edge(r.getAt(), r.getNode(), r.getVerdictId(), null, false));
      }
    }
    Set<String> clearedOnce = new HashSet<>();
    for (FaultVerdict v : verdicts) {
      if (v.getState() == VerdictState.CLEARED && clearedOnce.add(v.getVerdictId())) {
        edges.add(new Edge(v.getUpdatedAt(), v.getNode(), v.getVerdictId(), null, false));
      }
    }
    // Stable: at one instant a release goes first, so it cannot end a disruption begun then.
    edges.sort(Comparator.comparing(Edge::at).thenComparing(Edge::opens));
    Map<String, List<Instant[]>> byScope = new TreeMap<>();
    Map<String, Instant> openSince = new HashMap<>();
    Map<String, String> groupOf = new HashMap<>();
    Map<String, Set<String>> taking = new HashMap<>();
    for (Edge e : edges) {
      Set<String> in = taking.computeIfAbsent(e.node(), k -> new HashSet<>());
      if (e.opens()) {
        in.add(e.session());
        if (openSince.putIfAbsent(e.node(), e.at()) == null) {
          groupOf.put(e.node(), e.group());
        }
      } else if (in.remove(e.session()) && in.isEmpty()) {
        addSpan(byScope, groupOf.get(e.node()), openSince.remove(e.node()), e.at());
      }
    }
    openSince.forEach(
        (node, since) ->
            addSpan(byScope, groupOf.get(node), since, end.isBefore(since) ? since : end));
    Map<String, Integer> peaks = new TreeMap<>();
    byScope.forEach((scope, list) -> peaks.put(scope, peak(list)));
    return peaks;
  }

  /**
   * Whether the record ends its node's disruption, as the remediator releases the node's budget: a
   * repair VERIFIED, a step AMBIGUOUS, an ESCALATE carried out, or a step that failed for good
   * outside the ladder (a drain). A rung that failed for good (a reset not verified in time) does
   * not: the ladder climbs to the next rung on the same budget.
   */
  static boolean releases(RemediationRecord r) {
    Outcome o = r.getOutcome();
    return o == Outcome.VERIFIED
        || o == Outcome.AMBIGUOUS
        || (o == Outcome.SUCCEEDED && r.getAction() == RemediationAction.ESCALATE)
        || (o == Outcome.FAILED_PERMANENT && !Actions.VERIFIABLE.contains(r.getAction()));
  }

  /** A verdict's session entering ({@code opens}) or leaving its node's disruption. */
  private record Edge(Instant at, String node, String session, String group, boolean opens) {}

  private static void addSpan(
      Map<String, List<Instant[]>> byScope, String group, Instant from, Instant until) {
    Instant[] span = {from, until};
    byScope.computeIfAbsent("global", k -> new ArrayList<>()).add(span);
    if (group != null && !group.isBlank()) {
      byScope.computeIfAbsent("nodegroup:" + group, k -> new ArrayList<>()).add(span);
    }
  }

  /** The most spans open at once; a span ending when another starts does not overlap it. */
  static int peak(List<Instant[]> spans) {
    List<long[]> edges = new ArrayList<>();
    for (Instant[] s : spans) {
      edges.add(new long[] {s[0].toEpochMilli(), 1});
      edges.add(new long[] {s[1].toEpochMilli(), -1});
    }
    edges.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    int open = 0;
    int max = 0;
    for (long[] e : edges) {
      open += (int) e[1];
      max = Math.max(max, open);
    }
    return max;
  }

  /** Operations skipped for a fleet incident's hold. */
  public static long holds(List<RemediationRecord> audit) {
    return audit.stream()
        .filter(r -> r.getOutcome() == Outcome.SKIPPED && r.getReason() == SkipReason.INCIDENT_HOLD)
        .map(RemediationRecord::getOperationId)
        .distinct()
        .count();
  }

  /** Per verdict id: from its detection to its first disruptive step's start. */
  public static Map<String, Duration> firstDisruption(
      List<RemediationRecord> audit, List<FaultVerdict> verdicts) {
    Map<String, Instant> detected = new HashMap<>();
    verdicts.forEach(v -> detected.putIfAbsent(v.getVerdictId(), v.getDetectedAt()));
    Map<String, Duration> out = new LinkedHashMap<>();
    for (RemediationRecord r : audit) {
      Instant d = detected.get(r.getVerdictId());
      if (d != null && r.getOutcome() == Outcome.STARTED && DISRUPTIVE.contains(r.getAction())) {
        out.putIfAbsent(r.getVerdictId(), Duration.between(d, r.getAt()));
      }
    }
    return out;
  }
}
