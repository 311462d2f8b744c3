package io.gpuward.chaos;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.chaos.ChaosWatch.Seen;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The figures of a chaos run, computed from what the harness sent and what the topics, the mock
 * cluster and the role processes show afterwards. Pure: the run gathers the inputs.
 */
record ChaosReport(
    int expected,
    List<String> lost,
    List<String> duplicated,
    List<String> extra,
    List<String> repeated,
    List<Long> engineRecovery,
    List<Long> remediatorRecovery,
    List<Long> brokerRecovery,
    List<RecoveryPhases> enginePhases,
    List<RecoveryPhases> remediatorPhases,
    List<RecoveryPhases> brokerPhases,
    int garbageSent,
    int deadLettered,
    int refused,
    int inBounds,
    List<String> garbageUnhandled,
    List<String> deadLetteredTwice,
    List<String> kindMismatches,
    List<RoleProcess.Exit> exits,
    int maxIdenticalAudit,
    String floodedOperation,
    int kills,
    int brokerRestarts) {

  /** Identical audit records of one operation beyond this are a flood. */
  static final int FLOOD = 5;

  /**
   * Where a garbage record landed: its coordinates, what was sent, and who must handle it; or the
   * broker's reason for refusing it (a record without a key on a compacted topic).
   */
  record Sent(
      String topic, int partition, long offset, ChaosGarbage.Item item, String brokerRefusal) {}

  /** Everything a run gathered. */
  record Inputs(
      Set<String> faulted,
      List<Seen<FaultVerdict>> verdicts,
      List<Seen<RemediationRecord>> audit,
      List<Seen<DeadLetter>> deadLetters,
      List<String> cordons,
      List<String> reboots,
      List<Sent> garbage,
      List<Long> engineRecovery,
      List<Long> remediatorRecovery,
      List<Long> brokerRecovery,
      List<RecoveryPhases> enginePhases,
      List<RecoveryPhases> remediatorPhases,
      List<RecoveryPhases> brokerPhases,
      List<RoleProcess.Exit> exits,
      int kills,
      int brokerRestarts) {}

  static ChaosReport of(Inputs in) {
    List<FaultVerdict> verdicts =
        in.verdicts().stream()
            .map(Seen::value)
            .filter(v -> !v.getRuleId().equals("forged"))
            .toList();
    Map<String, Long> opens =
        verdicts.stream()
            .filter(v -> v.getState() == VerdictState.OPEN)
            .collect(Collectors.groupingBy(FaultVerdict::getVerdictId, Collectors.counting()));
    Set<String> openedLost = new HashSet<>();
    List<String> extra = new ArrayList<>();
    for (FaultVerdict v : verdicts) {
      boolean expectedOne =
          in.faulted().contains(v.getNode()) && v.getFaultClass() == FaultClass.GPU_LOST;
      if (v.getState() != VerdictState.OPEN) {
        continue;
      }
      if (expectedOne) {
        openedLost.add(v.getNode());
      } else {
        extra.add(v.getNode() + " " + v.getFaultClass() + " " + v.getVerdictId());
      }
    }
    List<String> lost =
        in.faulted().stream().filter(n -> !openedLost.contains(n)).sorted().toList();
    List<String> duplicated =
        opens.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .map(e -> e.getKey() + " x" + e.getValue())
            .sorted()
            .toList();
    Garbage g = garbage(in);
    Audit a = audit(in.audit());
    List<String> repeated = new ArrayList<>(a.succeededTwice());
    repeated.addAll(moreThanOnce(in.cordons(), "cordon of "));
    repeated.addAll(moreThanOnce(in.reboots(), "reboot of "));
    return new ChaosReport(
        in.faulted().size(),
        lost,
        duplicated,
        extra,
        repeated,
        in.engineRecovery(),
        in.remediatorRecovery(),
        in.brokerRecovery(),
        in.enginePhases(),
        in.remediatorPhases(),
        in.brokerPhases(),
        in.garbage().size(),
        g.deadLettered(),
        g.refused(),
        g.inBounds(),
        g.unhandled(),
        g.twice(),
        g.kindMismatches(),
        in.exits(),
        a.maxIdentical(),
        a.worst(),
        in.kills(),
        in.brokerRestarts());
  }

  private record Garbage(
      int deadLettered,
      int refused,
      int inBounds,
      List<String> unhandled,
      List<String> twice,
      List<String> kindMismatches) {}

  private record Coordinates(String topic, int partition, long offset) {}

  private static Garbage garbage(Inputs in) {
    Map<Coordinates, List<DeadLetter>> dead = new HashMap<>();
    for (Seen<DeadLetter> s : in.deadLetters()) {
      DeadLetter d = s.value();
      dead.computeIfAbsent(
              new Coordinates(
                  d.getOriginalTopic(), d.getOriginalPartition(), d.getOriginalOffset()),
              k -> new ArrayList<>())
          .add(d);
    }
    Set<String> refusedVerdicts =
        in.audit().stream()
            .map(Seen::value)
            .filter(r -> r.getOutcome() == Outcome.SKIPPED && r.getReason() != null)
            .map(RemediationRecord::getVerdictId)
            .collect(Collectors.toSet());
    int deadLettered = 0;
    int refused = 0;
    int inBounds = 0;
    List<String> unhandled = new ArrayList<>();
    List<String> twice = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    for (Sent s : in.garbage()) {
      String where =
          s.topic() + "-" + s.partition() + "@" + s.offset() + " " + s.item().crafted().label();
      if (s.brokerRefusal() != null) {
        refused++;
        continue;
      }
      if (s.item().crafted().expected() == null && s.item().refusedVerdict() == null) {
        // A day-old sample or kube event is late data within event.time.max.age.ms, not garbage
        // (a sample is LATE_EVENT only once its window's newest sample is known).
        inBounds++;
        continue;
      }
      if (s.item().refusedVerdict() != null) {
        if (refusedVerdicts.contains(s.item().refusedVerdict())) {
          refused++;
        } else {
          unhandled.add(where + " (not refused in the audit)");
        }
        continue;
      }
      List<DeadLetter> ds =
          dead.getOrDefault(new Coordinates(s.topic(), s.partition(), s.offset()), List.of());
      Map<String, Long> byApp =
          ds.stream()
              .filter(d -> !d.getReason().isBlank())
              .collect(Collectors.groupingBy(DeadLetter::getApplication, Collectors.counting()));
      Set<String> missing = new HashSet<>(s.item().readers());
      missing.removeAll(byApp.keySet());
      if (missing.isEmpty()) {
        deadLettered++;
      } else {
        unhandled.add(where + " (not dead-lettered by " + missing + ")");
      }
      byApp.forEach(
          (app, n) -> {
            if (n > 1) {
              twice.add(where + " by " + app + " x" + n);
            }
          });
      var expectedKind = s.item().crafted().expected();
      ds.stream()
          .filter(d -> expectedKind != null && d.getKind() != expectedKind)
          .forEach(
              d ->
                  kinds.add(
                      where
                          + ": "
                          + d.getKind()
                          + " (expected "
                          + expectedKind
                          + ") by "
                          + d.getApplication()));
    }
    return new Garbage(deadLettered, refused, inBounds, unhandled, twice, kinds);
  }

  private record Audit(List<String> succeededTwice, int maxIdentical, String worst) {}

  private static Audit audit(List<Seen<RemediationRecord>> audit) {
    List<RemediationRecord> records = audit.stream().map(Seen::value).toList();
    Map<String, Long> succeeded =
        records.stream()
            .filter(r -> r.getOutcome() == Outcome.SUCCEEDED)
            .collect(
                Collectors.groupingBy(RemediationRecord::getOperationId, Collectors.counting()));
    List<String> twice =
        succeeded.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .map(e -> "operation " + e.getKey() + " SUCCEEDED x" + e.getValue())
            .sorted()
            .toList();
    Function<RemediationRecord, List<Object>> identity =
        r ->
            java.util.Arrays.asList(
                r.getOperationId(), r.getAction(), r.getOutcome(), r.getReason(), r.getAttempt());
    Map<List<Object>, Long> identical =
        records.stream().collect(Collectors.groupingBy(identity, Collectors.counting()));
    var worst = identical.entrySet().stream().max(Map.Entry.comparingByValue());
    return new Audit(
        twice,
        worst.map(e -> e.getValue().intValue()).orElse(0),
        worst.map(e -> Objects.toString(e.getKey())).orElse("-"));
  }

  private static List<String> moreThanOnce(Collection<String> items, String what) {
    return items.stream()
        .collect(Collectors.groupingBy(x -> x, Collectors.counting()))
        .entrySet()
        .stream()
        .filter(e -> e.getValue() > 1)
        .map(e -> what + e.getKey() + " x" + e.getValue())
        .sorted()
        .toList();
  }

  /** p50 (nearest rank) of {@code ms}, or -1 when empty. */
  static long p50(List<Long> ms) {
    if (ms.isEmpty()) {
      return -1;
    }
    List<Long> sorted = ms.stream().sorted().toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  static long max(List<Long> ms) {
    return ms.stream().mapToLong(Long::longValue).max().orElse(-1);
  }

  long engineExits() {
    return exits.stream().filter(e -> !e.role().equals("broker")).count();
  }

  /** The table the run prints, with where each kind of recovery spent its time. */
  String table() {
    List<String> lines = new ArrayList<>();
    summary().stream().filter(l -> !l.isEmpty()).forEach(lines::add);
    phases(lines, "engine kill", enginePhases);
    phases(lines, "remediator kill", remediatorPhases);
    phases(lines, "broker restart", brokerPhases);
    return String.join("\n", lines);
  }

  private static void phases(List<String> lines, String what, List<RecoveryPhases> recoveries) {
    if (!recoveries.isEmpty()) {
      lines.add("  " + what + " phases (" + recoveries.size() + "):");
      lines.addAll(RecoveryPhases.table(recoveries));
    }
  }

  private List<String> summary() {
    return List.of(
        "Chaos run: " + kills + " kills per role, " + brokerRestarts + " broker restart(s)",
        String.format(
            "  verdicts expected %d, lost %d, duplicated %d, extra %d",
            expected, lost.size(), duplicated.size(), extra.size()),
        String.format("  actions repeated %d", repeated.size()),
        String.format(
            "  engine kill -> first new verdict     p50 %s, max %s (%d kills)",
            s(p50(engineRecovery)), s(max(engineRecovery)), engineRecovery.size()),
        String.format(
            "  remediator kill -> first new cordon  p50 %s, max %s (%d kills)",
            s(p50(remediatorRecovery)), s(max(remediatorRecovery)), remediatorRecovery.size()),
        String.format(
            "  broker kill -> first new verdict     p50 %s, max %s (%d restarts)",
            s(p50(brokerRecovery)), s(max(brokerRecovery)), brokerRecovery.size()),
        String.format(
            "  garbage sent %d: dead-lettered %d, refused with a reason %d, neither %d; dead-lettered twice %d; other kind than expected %d; day-old samples and kube events (late data, not garbage) %d",
            garbageSent - inBounds,
            deadLettered,
            refused,
            garbageUnhandled.size(),
            deadLetteredTwice.size(),
            kindMismatches.size(),
            inBounds),
        String.format("  role exits (not killed by the harness) %d %s", engineExits(), exits),
        String.format(
            "  audit: most identical records of one operation %d (%s)",
            maxIdenticalAudit, floodedOperation),
        detail("lost", lost),
        detail("duplicated", duplicated),
        detail("extra", extra),
        detail("repeated", repeated),
        detail("garbage neither dead-lettered nor refused", garbageUnhandled),
        detail("dead-lettered twice", deadLetteredTwice),
        detail("other kind than expected", kindMismatches));
  }

  private static String s(long ms) {
    return ms < 0 ? "-" : String.format("%.1f s", ms / 1000.0);
  }

  private static String detail(String what, List<?> items) {
    if (items.isEmpty()) {
      return "";
    }
    return "  "
        + what
        + ": "
        + items.stream().limit(20).map(Object::toString).collect(Collectors.joining("; "));
  }
}
