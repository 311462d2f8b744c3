package io.gpuward.backtest;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
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
 * <p>A node is in disruption from its verdict's first disruptive step (drain, reset, reboot,
 * replace) until that verdict's repair is VERIFIED or AMBIGUOUS, the verdict clears, or the period
 * ends: close to what the remediator's budgets count, from the audit alone.
 */
public final class AuditMeasures {
  static final Set<RemediationAction> DISRUPTIVE =
      EnumSet.of(
          RemediationAction.DRAIN,
          RemediationAction.RESET_GPU,
          RemediationAction.REBOOT,
          RemediationAction.REPLACE);

  private AuditMeasures() {}

  /** Peak nodes in disruption at once per scope: {@code global} and {@code nodegroup:<name>}. */
  public static Map<String, Integer> peaks(
      List<RemediationRecord> audit, List<FaultVerdict> verdicts, Instant end) {
    Map<String, Instant> cleared = new HashMap<>();
    for (FaultVerdict v : verdicts) {
      if (v.getState() == VerdictState.CLEARED) {
        cleared.putIfAbsent(v.getVerdictId(), v.getUpdatedAt());
      }
    }
    Map<String, Instant[]> spans = new LinkedHashMap<>();
    Map<String, String> group = new HashMap<>();
    for (RemediationRecord r : audit) {
      Instant[] s = spans.get(r.getVerdictId());
      if (s == null && r.getOutcome() == Outcome.STARTED && DISRUPTIVE.contains(r.getAction())) {
        spans.put(r.getVerdictId(), new Instant[] {r.getAt(), null});
        group.put(r.getVerdictId(), r.getNodegroup());
      } else if (s != null
          && s[1] == null
          && (r.getOutcome() == Outcome.VERIFIED || r.getOutcome() == Outcome.AMBIGUOUS)) {
        s[1] = r.getAt();
      }
    }
    Map<String, List<Instant[]>> byScope = new TreeMap<>();
    spans.forEach(
        (verdict, s) -> {
          Instant until = s[1] != null ? s[1] : cleared.getOrDefault(verdict, end);
          Instant[] span = {s[0], until.isBefore(s[0]) ? s[0] : until};
          byScope.computeIfAbsent("global", k -> new ArrayList<>()).add(span);
          String g = group.get(verdict);
          if (g != null && !g.isBlank()) {
            byScope.computeIfAbsent("nodegroup:" + g, k -> new ArrayList<>()).add(span);
          }
        });
    Map<String, Integer> peaks = new TreeMap<>();
    byScope.forEach((scope, list) -> peaks.put(scope, peak(list)));
    return peaks;
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
