package io.gpuward.backtest;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One operation as an audit stream shows it: whether and when it was carried out (STARTED), how it
 * ended, or why it was skipped.
 *
 * @param started its first STARTED record's time; null when it was never carried out
 * @param ending its last SUCCEEDED, FAILED_*, AMBIGUOUS or VERIFIED outcome; null when none
 * @param skip its first skip reason, when it was skipped before it was carried out
 * @param first its first record's time
 */
record OpSummary(
    String operationId,
    String node,
    String verdictId,
    RemediationAction action,
    int attempt,
    String nodegroup,
    Instant first,
    Instant started,
    Outcome ending,
    SkipReason skip) {

  private static final Set<Outcome> ENDINGS =
      EnumSet.of(
          Outcome.SUCCEEDED,
          Outcome.FAILED_TRANSIENT,
          Outcome.FAILED_PERMANENT,
          Outcome.AMBIGUOUS,
          Outcome.VERIFIED);

  boolean taken() {
    return started != null;
  }

  /** What became of it, in a few words: {@code SUCCEEDED}, {@code SKIPPED BUDGET}, ... */
  String what() {
    if (taken()) {
      return ending == null ? "STARTED" : ending.name();
    }
    return skip != null ? "SKIPPED " + skip : "PLANNED";
  }

  /** Each operation of {@code audit}, in the order of its first record. */
  static Map<String, OpSummary> of(List<RemediationRecord> audit) {
    Map<String, OpSummary> ops = new LinkedHashMap<>();
    for (RemediationRecord r : audit) {
      OpSummary s = ops.get(r.getOperationId());
      ops.put(r.getOperationId(), s == null ? first(r) : s.with(r));
    }
    return ops;
  }

  private static OpSummary first(RemediationRecord r) {
    return new OpSummary(
            r.getOperationId(),
            r.getNode(),
            r.getVerdictId(),
            r.getAction(),
            r.getAttempt(),
            r.getNodegroup(),
            r.getAt(),
            null,
            null,
            null)
        .with(r);
  }

  private OpSummary with(RemediationRecord r) {
    Instant s = started == null && r.getOutcome() == Outcome.STARTED ? r.getAt() : started;
    Outcome e = ENDINGS.contains(r.getOutcome()) ? r.getOutcome() : ending;
    SkipReason k =
        skip == null && s == null && r.getOutcome() == Outcome.SKIPPED ? r.getReason() : skip;
    return new OpSummary(operationId, node, verdictId, action, attempt, nodegroup, first, s, e, k);
  }
}
