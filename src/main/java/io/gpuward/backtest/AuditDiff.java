package io.gpuward.backtest;

import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The difference between two audit streams of one period, operation by operation (operation ids are
 * deterministic: the same node, fault session, action and attempt have the same id on both sides).
 * Pure.
 *
 * <ul>
 *   <li>ADDED: carried out only by the candidate;
 *   <li>REMOVED: carried out only live (the candidate skipped it, or never got to it);
 *   <li>MOVED: carried out by both, started more than the tolerance apart;
 *   <li>OUTCOME: carried out by both, ended differently;
 *   <li>SKIP: carried out by neither, but decided differently (skipped for another reason).
 * </ul>
 */
public final class AuditDiff {
  private AuditDiff() {}

  /** What kind of difference. */
  public enum Kind {
    ADDED,
    REMOVED,
    MOVED,
    OUTCOME,
    SKIP
  }

  /**
   * One operation decided differently.
   *
   * @param live when it started live (its first record when never carried out); null: no record
   * @param backtest the same for the candidate
   * @param liveWhat what became of it live ({@code SUCCEEDED}, {@code SKIPPED BUDGET}, {@code -})
   * @param assumed the candidate carried it out and the history cannot tell how that went
   */
  public record Change(
      Kind kind,
      String node,
      String verdictId,
      RemediationAction action,
      int attempt,
      String operationId,
      Instant live,
      Instant backtest,
      String liveWhat,
      String backtestWhat,
      boolean assumed) {

    /** How much later the candidate started it (negative: earlier); null unless both did. */
    public Duration shift() {
      boolean bothTook = kind == Kind.MOVED || kind == Kind.OUTCOME;
      return bothTook ? Duration.between(live, backtest) : null;
    }
  }

  /** Every operation decided differently, in time order. */
  public static List<Change> compare(
      List<RemediationRecord> live,
      List<RemediationRecord> backtest,
      Set<String> assumed,
      Duration tolerance) {
    Map<String, OpSummary> a = OpSummary.of(live);
    Map<String, OpSummary> b = OpSummary.of(backtest);
    Set<String> ids = new LinkedHashSet<>(a.keySet());
    ids.addAll(b.keySet());
    List<Change> out = new ArrayList<>();
    for (String id : ids) {
      Kind k = kind(a.get(id), b.get(id), tolerance);
      if (k != null) {
        out.add(change(k, a.get(id), b.get(id), assumed.contains(id)));
      }
    }
    out.sort(Comparator.comparing(AuditDiff::when).thenComparing(Change::node));
    return out;
  }

  private static Kind kind(OpSummary l, OpSummary c, Duration tolerance) {
    boolean lt = l != null && l.taken();
    boolean ct = c != null && c.taken();
    if (lt != ct) {
      return ct ? Kind.ADDED : Kind.REMOVED;
    }
    if (lt) {
      if (Duration.between(l.started(), c.started()).abs().compareTo(tolerance) > 0) {
        return Kind.MOVED;
      }
      boolean bothEnded = l.ending() != null && c.ending() != null;
      return bothEnded && l.ending() != c.ending() ? Kind.OUTCOME : null;
    }
    return Objects.equals(what(l), what(c)) ? null : Kind.SKIP;
  }

  private static String what(OpSummary s) {
    return s == null ? "-" : s.what();
  }

  private static Instant time(OpSummary s) {
    return s == null ? null : s.taken() ? s.started() : s.first();
  }

  private static Change change(Kind k, OpSummary l, OpSummary c, boolean assumed) {
    OpSummary any = l != null ? l : c;
    return new Change(
        k,
        any.node(),
        any.verdictId(),
        any.action(),
        any.attempt(),
        any.operationId(),
        time(l),
        time(c),
        what(l),
        what(c),
        assumed && c != null && c.taken());
  }

  private static Instant when(Change c) {
    if (c.live() == null) {
      return c.backtest();
    }
    return c.backtest() == null || c.live().isBefore(c.backtest()) ? c.live() : c.backtest();
  }
}
