package io.gpuward.backtest;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the live audit says of one operation the live remediator carried out: when it started, and,
 * if the history holds it, how it ended and when.
 *
 * @param action what the operation did
 * @param outcome SUCCEEDED, FAILED_TRANSIENT, FAILED_PERMANENT or AMBIGUOUS; null when the history
 *     ends before the operation did (or, for VALIDATE, before its result was read)
 */
record Recorded(
    RemediationAction action, Instant started, Instant ended, Outcome outcome, String detail) {

  /** How an operation ends in the audit. */
  static final Set<Outcome> ENDINGS =
      EnumSet.of(
          Outcome.SUCCEEDED, Outcome.FAILED_TRANSIENT, Outcome.FAILED_PERMANENT, Outcome.AMBIGUOUS);

  /** How long it took live; zero when its end is not in the history. */
  Duration took() {
    return ended == null ? Duration.ZERO : Duration.between(started, ended);
  }

  Optional<Outcome> result() {
    return Optional.ofNullable(outcome);
  }

  /**
   * The median time each action took live, over the operations whose end the history holds: how
   * long an operation the live remediator never carried out is assumed to take.
   */
  static Map<RemediationAction, Duration> typical(Iterable<Recorded> ops) {
    Map<RemediationAction, List<Duration>> took = new EnumMap<>(RemediationAction.class);
    for (Recorded r : ops) {
      if (r.outcome() != null) {
        took.computeIfAbsent(r.action(), a -> new ArrayList<>()).add(r.took());
      }
    }
    Map<RemediationAction, Duration> median = new EnumMap<>(RemediationAction.class);
    took.forEach((a, ds) -> median.put(a, ds.stream().sorted().toList().get(ds.size() / 2)));
    return median;
  }

  /** Each operation the audit shows STARTED, by operation id, with the first ending after it. */
  static Map<String, Recorded> of(List<RemediationRecord> audit) {
    Map<String, Recorded> ops = new HashMap<>();
    for (RemediationRecord r : audit) {
      String op = r.getOperationId();
      if (r.getOutcome() == Outcome.STARTED) {
        ops.putIfAbsent(op, new Recorded(r.getAction(), r.getAt(), null, null, null));
      } else if (ENDINGS.contains(r.getOutcome())) {
        Recorded s = ops.get(op);
        if (s != null && s.outcome() == null) {
          ops.put(
              op, new Recorded(s.action(), s.started(), r.getAt(), r.getOutcome(), r.getDetail()));
        }
      }
    }
    return ops;
  }
}
