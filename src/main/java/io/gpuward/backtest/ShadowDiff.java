package io.gpuward.backtest;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The live audit and a shadow remediator's, compared while both still flow. Operations pair by
 * their deterministic id (node, verdict, action, attempt), as in a backtest. Pure.
 *
 * <p>Two remediators reading the same verdicts do not write at the same moment: one lane is busier,
 * a live drain takes a minute the shadow's takes no time for. An operation whose latest record on
 * either side is younger than {@code settle} (measured from the newest record of both streams, not
 * the wall clock, so a simulated clock works too) may still change, and a difference there is
 * reported as pending, not as a difference. A follower may pass the wall clock as {@code now} so
 * that a quiet pair of streams settles too.
 *
 * <p>The comparison starts at {@code from}, by default at the shadow's first record: before it the
 * shadow was not running. An operation with a record before the start on either side (begun before
 * the shadow started, then resumed by it from the open verdicts) is left out on both.
 */
public final class ShadowDiff {
  private ShadowDiff() {}

  /**
   * What the two streams show so far.
   *
   * @param diff the differences settled up to {@code settledUntil}, in a backtest's terms
   * @param pending operations that differ now but had a record after {@code settledUntil}
   */
  public record Result(Backtest.Result diff, Set<String> pending, Instant settledUntil) {
    public Result {
      pending = Set.copyOf(pending);
    }
  }

  /**
   * @param from where the comparison starts; null: the shadow's first record
   * @param now the present, when later than the newest record; null: the newest record
   */
  public static Result compare(
      List<FaultVerdict> verdicts,
      List<RemediationRecord> liveRead,
      List<RemediationRecord> shadowRead,
      Instant from,
      Instant now,
      Duration tolerance,
      Duration settle) {
    Instant newest = times(liveRead, shadowRead).max(Instant::compareTo).orElse(Instant.EPOCH);
    Instant first =
        from != null
            ? from
            : shadowRead.stream()
                .map(RemediationRecord::getAt)
                .min(Instant::compareTo)
                .orElse(newest);
    Set<String> before = operationsBefore(liveRead, shadowRead, first);
    List<RemediationRecord> live = without(liveRead, before);
    List<RemediationRecord> shadow = without(shadowRead, before);
    Instant end = now != null && now.isAfter(newest) ? now : newest;
    Instant settledUntil = end.minus(settle);
    String policies =
        shadow.stream()
            .map(RemediationRecord::getPolicyVersion)
            .collect(Collectors.toCollection(TreeSet::new))
            .stream()
            .collect(Collectors.joining(","));
    Backtest.Result all =
        Backtest.compare(
            verdicts,
            live,
            new Backtest.Candidate(shadow, policies, Set.of()),
            first,
            end,
            tolerance);
    return settled(all, recentOperations(live, shadow, settledUntil), settledUntil);
  }

  /** {@code all} with the changes of {@code recent} operations taken out as pending. */
  private static Result settled(Backtest.Result all, Set<String> recent, Instant settledUntil) {
    List<AuditDiff.Change> settled = new ArrayList<>();
    Set<String> pending = new TreeSet<>();
    for (AuditDiff.Change c : all.changes()) {
      if (recent.contains(c.operationId())) {
        pending.add(c.operationId());
      } else {
        settled.add(c);
      }
    }
    return new Result(all.withChanges(settled), pending, settledUntil);
  }

  /**
   * The changes of {@code r} not in {@code shown}, which learns them: what {@code --follow} prints
   * next. A change is the same when its operation, kind and both sides' outcomes are.
   */
  public static List<AuditDiff.Change> unseen(Result r, Set<String> shown) {
    List<AuditDiff.Change> out = new ArrayList<>();
    for (AuditDiff.Change c : r.diff().changes()) {
      String key =
          String.join("|", c.operationId(), c.kind().name(), c.liveWhat(), c.backtestWhat());
      if (shown.add(key)) {
        out.add(c);
      }
    }
    return out;
  }

  private static Set<String> operationsBefore(
      List<RemediationRecord> live, List<RemediationRecord> shadow, Instant start) {
    Set<String> out = new HashSet<>();
    Stream.concat(live.stream(), shadow.stream())
        .filter(r -> r.getAt().isBefore(start))
        .forEach(r -> out.add(r.getOperationId()));
    return out;
  }

  private static List<RemediationRecord> without(
      List<RemediationRecord> audit, Set<String> operations) {
    return audit.stream().filter(r -> !operations.contains(r.getOperationId())).toList();
  }

  private static Set<String> recentOperations(
      List<RemediationRecord> live, List<RemediationRecord> shadow, Instant settledUntil) {
    Set<String> out = new HashSet<>();
    Stream.concat(live.stream(), shadow.stream())
        .filter(r -> r.getAt().isAfter(settledUntil))
        .forEach(r -> out.add(r.getOperationId()));
    return out;
  }

  private static Stream<Instant> times(
      List<RemediationRecord> live, List<RemediationRecord> shadow) {
    return Stream.concat(live.stream(), shadow.stream()).map(RemediationRecord::getAt);
  }
}
