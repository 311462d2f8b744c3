package io.gpuward.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where one recovery's time went: the phases between the kill, the startup steps the restarted role
 * logged ({@code io.gpuward.ops.StartupTimeline}: {@code startup step=<step> at=<epoch ms>}) and
 * the moment the harness saw the role's first new output. Pure: the run hands it the lines.
 *
 * @param phases milliseconds per phase, named {@code <step> -> <next step>}, in the order of the
 *     steps; a step the role did not log counts 0 and its time goes to the next phase
 */
record RecoveryPhases(Map<String, Long> phases) {

  private static final Pattern STEP = Pattern.compile("startup step=(\\S+) at=(\\d+)");

  /** The engine's startup steps, in the order it takes them. */
  static final List<String> ENGINE =
      List.of(
          "jvm-start",
          "main",
          "broker-reachable",
          "topics-checked",
          "schemas-registered",
          "verdict-engine-created",
          "verdict-engine-restore-started",
          "verdict-engine-running");

  /** The remediator's startup steps, in the order it takes them. */
  static final List<String> REMEDIATOR =
      List.of(
          "jvm-start",
          "main",
          "broker-reachable",
          "topics-checked",
          "schemas-registered",
          "actuators-ready",
          "transactions-initialised",
          "ledger-rebuilt",
          "verdicts-restored",
          "control-restored",
          "verdict-partitions-assigned");

  /**
   * @param killedAt when the harness killed the role (epoch ms)
   * @param steps the steps to look for, in order
   * @param lines the role's output since it was started again
   * @param seenAt when the harness saw the first new output (epoch ms)
   * @param seen what that output was ("verdict", "cordon")
   */
  static RecoveryPhases of(
      long killedAt, List<String> steps, List<String> lines, long seenAt, String seen) {
    Map<String, Long> at = firstTimes(lines);
    Map<String, Long> phases = new LinkedHashMap<>();
    String from = "kill";
    long last = killedAt;
    for (String step : steps) {
      Long t = at.get(step);
      phases.put(from + " -> " + step, t == null ? 0L : Math.max(0, t - last));
      from = step;
      last = t == null ? last : Math.max(last, t);
    }
    phases.put(from + " -> " + seen + " seen", Math.max(0, seenAt - last));
    return new RecoveryPhases(phases);
  }

  /** The first time each step was logged. */
  private static Map<String, Long> firstTimes(List<String> lines) {
    Map<String, Long> at = new HashMap<>();
    for (String line : lines) {
      Matcher m = STEP.matcher(line);
      if (m.find()) {
        at.putIfAbsent(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    return at;
  }

  /**
   * One line per phase over several recoveries: p50 and max in seconds. Phases are in the order of
   * the first recovery's; a phase missing from a recovery counts 0.
   */
  static List<String> table(List<RecoveryPhases> recoveries) {
    if (recoveries.isEmpty()) {
      return List.of();
    }
    Map<String, List<Long>> byPhase = new LinkedHashMap<>();
    for (RecoveryPhases r : recoveries) {
      r.phases().forEach((k, v) -> byPhase.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }
    return byPhase.entrySet().stream()
        .map(
            e ->
                String.format(
                    "      %-58s p50 %5.1f s, max %5.1f s",
                    e.getKey(),
                    ChaosReport.p50(e.getValue()) / 1000.0,
                    ChaosReport.max(e.getValue()) / 1000.0))
        .collect(Collectors.toList());
  }
}
