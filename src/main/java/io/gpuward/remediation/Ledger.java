package io.gpuward.remediation;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the remediator has done, by operation id: the latest record of each operation. Rebuilt from
 * the audit topic at start, so a restart never repeats a finished action, and a STARTED operation
 * without an outcome is known to need reconciling. Thread-safe: nodes are remediated concurrently.
 */
public final class Ledger {

  /**
   * The latest record of one operation.
   *
   * @param detail the record's detail; a STARTED record of REBOOT / REPLACE holds what the node
   *     looked like before ({@code bootId=…}, {@code instanceId=…}) for reconciling after a crash
   */
  public record Entry(
      String operationId,
      String verdictId,
      String node,
      RemediationAction action,
      int attempt,
      Outcome outcome,
      Instant at,
      String detail) {}

  private record SessionAction(String node, String session, RemediationAction action) {}

  private final Map<String, Entry> latest = new ConcurrentHashMap<>();

  /**
   * When each fault session's verdict cleared, in the engine's event time, as read by this
   * instance: the moment the node was fixed, however late the remediator wrote VERIFIED.
   */
  private final Map<String, Instant> clearedAt = new ConcurrentHashMap<>();

  private final Map<SessionAction, String> lastAttempt = new ConcurrentHashMap<>();

  /** Why each operation whose latest record is SKIPPED was skipped: its reason and detail. */
  private final Map<String, String> skips = new ConcurrentHashMap<>();

  /**
   * The first disruptive step a fault session STARTED: where its disruption took budget.
   *
   * @param nodegroup the node group the audit record names, or null
   */
  public record SessionStart(String node, String session, String nodegroup, Instant at) {}

  private final Map<String, SessionStart> sessionStarts = new ConcurrentHashMap<>();

  /** The latest VERIFIED or AMBIGUOUS record of each fault session: its disruption is over. */
  private final Map<String, Instant> settled = new ConcurrentHashMap<>();

  /** Folds one audit record in. */
  public void record(RemediationRecord r) {
    Entry e =
        new Entry(
            r.getOperationId(),
            r.getVerdictId(),
            r.getNode(),
            r.getAction(),
            r.getAttempt(),
            r.getOutcome(),
            r.getAt(),
            r.getDetail());
    Entry now = latest.merge(r.getOperationId(), e, Ledger::later);
    if (now.outcome() == Outcome.SKIPPED && r.getOutcome() == Outcome.SKIPPED) {
      skips.put(r.getOperationId(), skipKey(r.getReason(), r.getDetail()));
    } else if (now.outcome() != Outcome.SKIPPED) {
      skips.remove(r.getOperationId());
    }
    budgetFacts(r);
    lastAttempt.merge(
        new SessionAction(r.getNode(), r.getVerdictId(), r.getAction()),
        r.getOperationId(),
        (a, b) -> latest.get(b).attempt() >= latest.get(a).attempt() ? b : a);
  }

  private void budgetFacts(RemediationRecord r) {
    String key = r.getNode() + "/" + r.getVerdictId();
    if (r.getOutcome() == Outcome.STARTED && Actions.DISRUPTIVE.contains(r.getAction())) {
      sessionStarts.merge(
          key,
          new SessionStart(r.getNode(), r.getVerdictId(), r.getNodegroup(), r.getAt()),
          (a, b) -> a.at().isAfter(b.at()) ? b : a);
    } else if (r.getOutcome() == Outcome.VERIFIED || r.getOutcome() == Outcome.AMBIGUOUS) {
      settled.merge(key, r.getAt(), (a, b) -> a.isAfter(b) ? a : b);
    }
  }

  /** Every fault session that started a disruptive step, at its first such start. */
  public List<SessionStart> sessionStarts() {
    return List.copyOf(sessionStarts.values());
  }

  /**
   * True while the session's disruption still holds its budget: no VERIFIED or AMBIGUOUS record
   * after its start (a CLEARED verdict releases it too; the caller knows which are open).
   */
  public boolean stillDisrupting(SessionStart s) {
    Instant over = settled.get(s.node() + "/" + s.session());
    return over == null || over.isBefore(s.at());
  }

  public Optional<Outcome> outcome(String operationId) {
    return entry(operationId).map(Entry::outcome);
  }

  public Optional<Entry> entry(String operationId) {
    return Optional.ofNullable(latest.get(operationId));
  }

  /**
   * The latest record of {@code action} for the fault session on the node, over all its attempts
   * (the highest attempt).
   */
  public Optional<Entry> latestAttempt(String node, String session, RemediationAction action) {
    String op = lastAttempt.get(new SessionAction(node, session, action));
    return op == null ? Optional.empty() : entry(op);
  }

  /**
   * True when the operation's latest record is a SKIPPED with this very reason and detail: writing
   * it again would tell nothing new.
   */
  public boolean repeatsSkip(String operationId, SkipReason reason, String detail) {
    return skipKey(reason, detail).equals(skips.get(operationId));
  }

  private static String skipKey(SkipReason reason, String detail) {
    return reason + "\u0000" + detail;
  }

  /** True when the operation finished (succeeded or verified): never do it again. */
  public boolean finished(String operationId) {
    Outcome o = outcome(operationId).orElse(null);
    return o == Outcome.SUCCEEDED || o == Outcome.VERIFIED;
  }

  /** True when the operation was decided already (done, skipped or failed for good). */
  public boolean decided(String operationId) {
    Outcome o = outcome(operationId).orElse(null);
    return o != null && o != Outcome.PLANNED;
  }

  /**
   * Fault sessions on {@code node}, other than {@code session}, whose disruptive remediation was
   * VERIFIED at or after {@code since} and before {@code before} (when its verdict cleared, if
   * {@link #cleared} told, else when VERIFIED was written): the node was fixed and the fault came
   * back. Repeat offenders are found with it.
   */
  /** The verdict of fault session {@code session} cleared at {@code at} (engine event time). */
  public void cleared(String session, Instant at) {
    clearedAt.put(session, at);
  }

  public long fixedSessions(String node, String session, Instant since, Instant before) {
    return latest.values().stream()
        .filter(e -> e.node().equals(node) && !e.verdictId().equals(session))
        .filter(e -> Actions.VERIFIABLE.contains(e.action()))
        .filter(e -> e.outcome() == Outcome.VERIFIED)
        .filter(
            e -> {
              // A remediator running behind writes VERIFIED after the fault came back: the
              // clearing's event time, when known, must not let that hide the repeat.
              Instant fixed = clearedAt.getOrDefault(e.verdictId(), e.at());
              Instant at = fixed.isBefore(e.at()) ? fixed : e.at();
              return !at.isBefore(since) && at.isBefore(before);
            })
        .map(Entry::verdictId)
        .distinct()
        .count();
  }

  /**
   * The newest disruptive rung (GPU reset, reboot, replace) of another fault session on {@code
   * node} that is under way at {@code now}: STARTED, or SUCCEEDED and not yet past its verification
   * deadline. A fault that opens on a node while it is being reset, rebooted or replaced is most
   * likely that action's own effect (a rebooting node goes NotReady), so it waits for the outcome.
   */
  public Optional<Entry> disruptionUnderWay(
      String node, String session, RemediationPolicy.Ladder ladder, Instant now) {
    return disruptionUnderWay(node, session, ladder, now, Instant.MAX);
  }

  /**
   * As {@link #disruptionUnderWay(String, String, RemediationPolicy.Ladder, Instant)}, and also a
   * disruption VERIFIED less than {@link #AFTER_DISRUPTION} ago when the fault's newest evidence
   * ({@code evidenceUntil}) is no later than that verification: a NotReady seen while the node
   * rebooted outlives the reboot until the engine reads the node Ready again, and acting on it then
   * would reboot or replace a node for gpuward's own reboot.
   */
  public Optional<Entry> disruptionUnderWay(
      String node,
      String session,
      RemediationPolicy.Ladder ladder,
      Instant now,
      Instant evidenceUntil) {
    return latest.values().stream()
        .filter(e -> e.node().equals(node) && !e.verdictId().equals(session))
        .filter(e -> Actions.VERIFIABLE.contains(e.action()))
        .filter(e -> underWay(e, ladder, now) || justRepaired(e, now, evidenceUntil))
        .max(Comparator.comparing(Entry::at));
  }

  /** How long after a disruption's verification a fault seen before it still waits. */
  static final Duration AFTER_DISRUPTION = Duration.ofSeconds(60);

  private static boolean underWay(Entry e, RemediationPolicy.Ladder ladder, Instant now) {
    return (e.outcome() == Outcome.STARTED || e.outcome() == Outcome.SUCCEEDED)
        && now.isBefore(e.at().plus(ladder.deadline(e.action())));
  }

  private static boolean justRepaired(Entry e, Instant now, Instant evidenceUntil) {
    return e.outcome() == Outcome.VERIFIED
        && !evidenceUntil.isAfter(e.at())
        && now.isBefore(e.at().plus(AFTER_DISRUPTION));
  }

  /** True when anything was recorded for the fault session on the node. */
  public boolean touched(String node, String session) {
    return lastAttempt.keySet().stream()
        .anyMatch(k -> k.node().equals(node) && k.session().equals(session));
  }

  public int size() {
    return latest.size();
  }

  /** The latest record of every operation on {@code node}, in no order. */
  public List<Entry> entries(String node) {
    return latest.values().stream().filter(e -> e.node().equals(node)).toList();
  }

  /** Outcomes only move forward: a late PLANNED never hides a SUCCEEDED, nothing hides VERIFIED. */
  private static Entry later(Entry a, Entry b) {
    if (a.outcome() == Outcome.VERIFIED) {
      return a;
    }
    if (b.outcome() == Outcome.PLANNED && a.outcome() != Outcome.PLANNED) {
      return a;
    }
    return b;
  }
}
