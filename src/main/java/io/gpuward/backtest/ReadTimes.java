package io.gpuward.backtest;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * When the live remediator read each verdict version, as far as the audit tells. A verdict's update
 * time is when the engine decided it; the remediator reads it later, by the engine's and its own
 * lag (seconds in a healthy cluster, minutes behind a backlog), and decides on its clock then.
 * Played at its update time, a version would be decided earlier than it was live by that lag.
 *
 * <p>A verdict's first version and its clearing are each answered at once by the remediator (a
 * decision, a skip, an uncordon, a verification), so the first audit record of that verdict at or
 * after the version's update time is when it was read. Other versions, and ones no record answers,
 * are read with the lag last seen for their verdict (none before the first). An answer can come
 * late: the node's lane may first handle another version read in the same poll. So versions of one
 * node decided at the same moment (one reboot clears all of the node's verdicts) are read together,
 * at the earliest of their answers. Pure.
 */
final class ReadTimes {
  private ReadTimes() {}

  /** Each verdict record (by identity) and when to play it; never before its update time. */
  static Map<FaultVerdict, Instant> of(List<FaultVerdict> verdicts, List<RemediationRecord> audit) {
    Map<String, List<Instant>> answers = new HashMap<>();
    for (RemediationRecord r : audit) {
      answers.computeIfAbsent(r.getVerdictId(), k -> new ArrayList<>()).add(r.getAt());
    }
    answers.values().forEach(l -> l.sort(Instant::compareTo));
    Map<String, Duration> lag = new HashMap<>();
    Map<String, Instant> last = new HashMap<>();
    Map<FaultVerdict, Instant> out = new IdentityHashMap<>();
    for (FaultVerdict v : verdicts) {
      String id = v.getVerdictId();
      Instant floor = later(v.getUpdatedAt(), last.getOrDefault(id, v.getUpdatedAt()));
      boolean pinned = !lag.containsKey(id) || v.getState() == VerdictState.CLEARED;
      Instant at = pinned ? firstAtOrAfter(answers.getOrDefault(id, List.of()), floor) : null;
      if (at == null) {
        at = later(floor, v.getUpdatedAt().plus(lag.getOrDefault(id, Duration.ZERO)));
      } else {
        lag.put(id, Duration.between(v.getUpdatedAt(), at));
      }
      last.put(id, at);
      out.put(v, at);
    }
    return together(verdicts, out);
  }

  /** Versions of one node with one update time read at the earliest of their read times. */
  private static Map<FaultVerdict, Instant> together(
      List<FaultVerdict> verdicts, Map<FaultVerdict, Instant> read) {
    Map<String, Instant> batch = new HashMap<>();
    for (FaultVerdict v : verdicts) {
      batch.merge(batchOf(v), read.get(v), (a, b) -> a.isBefore(b) ? a : b);
    }
    Map<String, Instant> last = new HashMap<>();
    Map<FaultVerdict, Instant> out = new IdentityHashMap<>();
    for (FaultVerdict v : verdicts) {
      Instant at = batch.get(batchOf(v));
      at = later(at, last.getOrDefault(v.getVerdictId(), at)); // never before its earlier version
      last.put(v.getVerdictId(), at);
      out.put(v, at);
    }
    return out;
  }

  private static String batchOf(FaultVerdict v) {
    return v.getNode() + '@' + v.getUpdatedAt().toEpochMilli();
  }

  private static Instant firstAtOrAfter(List<Instant> sorted, Instant t) {
    for (Instant i : sorted) {
      if (!i.isBefore(t)) {
        return i;
      }
    }
    return null;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
