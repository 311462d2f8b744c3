package io.gpuward.backtest;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.remediation.RemediationPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Replays a period's history through a candidate policy and compares what it decides with what the
 * live remediator decided.
 */
public final class Backtest {
  private Backtest() {}

  /** One scope's peak of nodes in disruption at once, live and with the candidate. */
  public record Peak(String scope, int live, int backtest) {}

  /** Time from a verdict's detection to its first disruptive step; null where none was taken. */
  public record FirstDisruption(
      String node, String verdictId, String faultClass, Duration live, Duration backtest) {}

  /**
   * Everything a backtest found.
   *
   * @param livePolicies the policy versions the live audit names
   * @param assumed operations the candidate carried out that the live remediator never did
   * @param atEnd operations only one side started, within the tolerance of the period's end: the
   *     other side might have started them just after it, so they are not compared
   */
  public record Result(
      Instant from,
      Instant to,
      Set<String> livePolicies,
      String candidatePolicy,
      Duration tolerance,
      int verdictRecords,
      int liveRecords,
      int backtestRecords,
      List<AuditDiff.Change> changes,
      List<Peak> peaks,
      long liveHolds,
      long backtestHolds,
      List<FirstDisruption> firstDisruptions,
      Set<String> assumed,
      Set<String> atEnd) {

    /** The same result with only {@code kept} of its changes. */
    public Result withChanges(List<AuditDiff.Change> kept) {
      return withChanges(kept, atEnd);
    }

    private Result withChanges(List<AuditDiff.Change> kept, Set<String> late) {
      return new Result(
          from,
          to,
          livePolicies,
          candidatePolicy,
          tolerance,
          verdictRecords,
          liveRecords,
          backtestRecords,
          kept,
          peaks,
          liveHolds,
          backtestHolds,
          firstDisruptions,
          assumed,
          Set.copyOf(late));
    }

    /**
     * The same result with the changes only one side started within the tolerance of the period's
     * end moved to {@link #atEnd}: a live remediator may start a step seconds after the history
     * ends (its barriers are not in the history), and nothing can tell.
     */
    Result withoutTheEnd() {
      Instant edge = to.minus(tolerance);
      List<AuditDiff.Change> kept = new ArrayList<>();
      Set<String> late = new TreeSet<>(atEnd);
      for (AuditDiff.Change c : changes) {
        Instant only =
            switch (c.kind()) {
              case ADDED -> c.backtest();
              case REMOVED -> c.live();
              default -> null;
            };
        if (only != null && only.isAfter(edge)) {
          late.add(c.operationId());
        } else {
          kept.add(c);
        }
      }
      return withChanges(kept, late);
    }

    /** Changes of each kind, every kind listed. */
    public Map<AuditDiff.Kind, Long> counts() {
      Map<AuditDiff.Kind, Long> c = new LinkedHashMap<>();
      for (AuditDiff.Kind k : AuditDiff.Kind.values()) {
        c.put(k, changes.stream().filter(x -> x.kind() == k).count());
      }
      return c;
    }
  }

  /**
   * @param history the period (already cut to {@code from}..{@code to})
   * @param to the end of the period; null: the history's last record
   * @throws IllegalArgumentException when the period holds no verdict
   */
  public static Result run(
      History history, RemediationPolicy candidate, Instant from, Instant to, Duration tolerance) {
    Instant start =
        history.start().orElseThrow(() -> new IllegalArgumentException("no verdict in the period"));
    Instant end = to != null ? to : history.end().orElse(start);
    Replay.Result replay = Replay.run(history, candidate, end);
    return compare(
            history.verdicts(),
            history.audit(),
            new Candidate(replay.audit(), replay.policyVersion(), replay.assumed()),
            from != null ? from : start,
            end,
            tolerance)
        .withoutTheEnd();
  }

  /**
   * The audit of a candidate policy, beside the live one.
   *
   * @param policyVersion the version its records name
   * @param assumed operations it carried out that nothing recorded can tell the outcome of
   */
  public record Candidate(
      List<RemediationRecord> audit, String policyVersion, Set<String> assumed) {
    public Candidate {
      audit = List.copyOf(audit);
      assumed = Set.copyOf(assumed);
    }
  }

  /** Compares a candidate's audit of {@code from}..{@code end} with the live one. */
  static Result compare(
      List<FaultVerdict> verdicts,
      List<RemediationRecord> live,
      Candidate candidate,
      Instant from,
      Instant end,
      Duration tolerance) {
    List<RemediationRecord> cand = candidate.audit();
    return new Result(
        from,
        end,
        live.stream()
            .map(RemediationRecord::getPolicyVersion)
            .collect(Collectors.toCollection(TreeSet::new)),
        candidate.policyVersion(),
        tolerance,
        verdicts.size(),
        live.size(),
        cand.size(),
        AuditDiff.compare(live, cand, candidate.assumed(), tolerance),
        peaks(live, cand, verdicts, end),
        AuditMeasures.holds(live),
        AuditMeasures.holds(cand),
        firstDisruptions(live, cand, verdicts),
        candidate.assumed(),
        Set.of());
  }

  private static List<Peak> peaks(
      List<RemediationRecord> live,
      List<RemediationRecord> cand,
      List<FaultVerdict> verdicts,
      Instant end) {
    Map<String, Integer> a = AuditMeasures.peaks(live, verdicts, end);
    Map<String, Integer> b = AuditMeasures.peaks(cand, verdicts, end);
    Map<String, Peak> out = new TreeMap<>();
    a.forEach((s, n) -> out.put(s, new Peak(s, n, b.getOrDefault(s, 0))));
    b.forEach((s, n) -> out.putIfAbsent(s, new Peak(s, 0, n)));
    return List.copyOf(out.values());
  }

  private static List<FirstDisruption> firstDisruptions(
      List<RemediationRecord> live, List<RemediationRecord> cand, List<FaultVerdict> verdicts) {
    Map<String, Duration> a = AuditMeasures.firstDisruption(live, verdicts);
    Map<String, Duration> b = AuditMeasures.firstDisruption(cand, verdicts);
    Map<String, FaultVerdict> byId =
        verdicts.stream()
            .collect(
                Collectors.toMap(
                    FaultVerdict::getVerdictId,
                    Function.identity(),
                    (x, y) -> x,
                    LinkedHashMap::new));
    List<FirstDisruption> out = new ArrayList<>();
    byId.forEach(
        (id, v) -> {
          if (a.containsKey(id) || b.containsKey(id)) {
            out.add(
                new FirstDisruption(
                    v.getNode(), id, v.getFaultClass().toString(), a.get(id), b.get(id)));
          }
        });
    return out;
  }
}
