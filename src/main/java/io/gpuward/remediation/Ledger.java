package io.gpuward.remediation;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationRecord;
import java.util.Map;
import java.util.Optional;

/**
 * What the remediator has done, by operation id: the latest outcome of each operation. Rebuilt from
 * the audit topic at start, so a restart never repeats a finished action. Thread-safe: nodes are
 * remediated concurrently.
 */
public final class Ledger {
  private final Map<String, Outcome> latest = new java.util.concurrent.ConcurrentHashMap<>();

  /** Folds one audit record in. */
  public void record(RemediationRecord r) {
    latest.merge(r.getOperationId(), r.getOutcome(), Ledger::later);
  }

  public Optional<Outcome> outcome(String operationId) {
    return Optional.ofNullable(latest.get(operationId));
  }

  /** True when the operation finished (succeeded or verified): never do it again. */
  public boolean finished(String operationId) {
    Outcome o = latest.get(operationId);
    return o == Outcome.SUCCEEDED || o == Outcome.VERIFIED;
  }

  /** True when the operation was decided already (done, skipped or failed for good). */
  public boolean decided(String operationId) {
    Outcome o = latest.get(operationId);
    return o != null && o != Outcome.PLANNED;
  }

  public int size() {
    return latest.size();
  }

  /** Outcomes only move forward: a late PLANNED never hides a SUCCEEDED. */
  private static Outcome later(Outcome a, Outcome b) {
    if (a == Outcome.VERIFIED || b == Outcome.VERIFIED) {
      return Outcome.VERIFIED;
    }
    if (b == Outcome.PLANNED) {
      return a;
    }
    return b;
  }
}
