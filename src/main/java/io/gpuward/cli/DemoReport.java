package io.gpuward.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.config.Durations;
import io.gpuward.contract.AvroJson;
import io.gpuward.sim.ClusterAction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/** The demo's end: a readable summary table, and the jsonl files for machines. */
final class DemoReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DemoReport() {}

  /** One line per verdict (by verdict id): when it opened, what was done, when it cleared. */
  static void print(
      PrintStream out,
      Instant simStart,
      List<FaultVerdict> verdicts,
      List<FleetIncident> incidents,
      List<RemediationRecord> audit,
      long deadLetters) {
    Map<String, FaultVerdict> opened = new LinkedHashMap<>();
    Map<String, FaultVerdict> cleared = new LinkedHashMap<>();
    for (FaultVerdict v : verdicts) {
      if (v.getState() == VerdictState.CLEARED) {
        cleared.put(v.getVerdictId(), v);
      } else {
        opened.putIfAbsent(v.getVerdictId(), v);
      }
    }
    Map<String, List<RemediationRecord>> byVerdict =
        audit.stream().collect(Collectors.groupingBy(RemediationRecord::getVerdictId));

    out.println();
    out.println("Verdicts");
    String fmt = "  %-14s %-25s %-10s %8s %8s  %-34s %s%n";
    out.printf(fmt, "NODE", "CLASS", "ACTION", "OPENED", "CLEARED", "REMEDIATION", "SUMMARY");
    for (FaultVerdict v : opened.values()) {
      FaultVerdict c = cleared.get(v.getVerdictId());
      out.printf(
          fmt,
          v.getNode(),
          v.getFaultClass(),
          v.getRecommendedAction(),
          offset(simStart, v.getDetectedAt()),
          c == null ? "-" : offset(simStart, c.getUpdatedAt()),
          remediation(byVerdict.getOrDefault(v.getVerdictId(), List.of())),
          truncate(v.getSummary(), 70));
    }
    if (opened.isEmpty()) {
      out.println("  (none)");
    }

    List<String> incidentLines = incidents(simStart, incidents);
    if (!incidentLines.isEmpty()) {
      out.println();
      out.println("Fleet incidents (member verdicts are held: SKIPPED INCIDENT_HOLD)");
      incidentLines.forEach(out::println);
    }

    Map<String, Long> states =
        verdicts.stream()
            .collect(
                Collectors.groupingBy(
                    v -> v.getState().name(), TreeMap::new, Collectors.counting()));
    Map<String, Long> outcomes =
        audit.stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.getOutcome().name() + (r.getReason() == null ? "" : "/" + r.getReason()),
                    TreeMap::new,
                    Collectors.counting()));
    out.println();
    out.printf("  verdict records: %d %s%n", verdicts.size(), states);
    out.printf("  audit records:   %d %s%n", audit.size(), outcomes);
    out.printf(
        "  fleet incidents: %d (%d record(s))   dead letters: %d%n",
        incidentLines.size(), incidents.size(), deadLetters);
  }

  /**
   * One line per incident id: the scope(s) it is open on now (an incident that outgrew its scope
   * moved: CLEARED on the old scope, UPDATED on the new one), its signature and members.
   */
  static List<String> incidents(Instant simStart, List<FleetIncident> incidents) {
    Map<String, Map<String, FleetIncident>> latestByScope = new LinkedHashMap<>();
    for (FleetIncident i : incidents) {
      latestByScope
          .computeIfAbsent(i.getIncidentId(), k -> new LinkedHashMap<>())
          .put(i.getScope(), i);
    }
    List<String> lines = new ArrayList<>();
    for (Map<String, FleetIncident> byScope : latestByScope.values()) {
      List<FleetIncident> open =
          byScope.values().stream().filter(i -> i.getState() != IncidentState.CLEARED).toList();
      FleetIncident shown =
          open.isEmpty()
              ? List.copyOf(byScope.values()).get(byScope.size() - 1)
              : open.get(open.size() - 1);
      lines.add(
          String.format(
              Locale.ROOT,
              "  %-14s %-28s %-26s %8s  %-7s %d node(s): %s",
              truncate(shown.getIncidentId(), 14),
              shown.getScope(),
              shown.getSignature(),
              offset(simStart, shown.getDetectedAt()),
              open.isEmpty() ? "CLEARED" : "OPEN",
              shown.getNodes().size(),
              truncate(String.join(" ", shown.getNodes()), 80)));
    }
    return lines;
  }

  /** The last outcome of each action taken for a verdict, in order: CORDON✓ DRAIN✓ REBOOT✓. */
  static String remediation(List<RemediationRecord> records) {
    Map<RemediationAction, Outcome> last = new LinkedHashMap<>();
    Map<RemediationAction, String> reason = new LinkedHashMap<>();
    for (RemediationRecord r : records) {
      last.put(r.getAction(), r.getOutcome());
      if (r.getReason() != null) {
        reason.put(r.getAction(), r.getReason().name());
      }
    }
    if (last.isEmpty()) {
      return "-";
    }
    return last.entrySet().stream()
        .map(e -> e.getKey() + ":" + shortOutcome(e.getValue(), reason.get(e.getKey())))
        .collect(Collectors.joining(" "));
  }

  private static String shortOutcome(Outcome o, String reason) {
    return switch (o) {
      case SUCCEEDED -> "ok";
      case VERIFIED -> "verified";
      case SKIPPED -> "skip(" + reason + ")";
      default -> o.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String offset(Instant start, Instant t) {
    Duration d = Duration.between(start, t);
    if (d.isNegative()) {
      return "-" + Durations.format(d.negated());
    }
    return String.format(Locale.ROOT, "+%.1fs", d.toMillis() / 1000.0);
  }

  private static String truncate(String s, int n) {
    return s == null || s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  /** Writes one JSON object per record, with the Avro field names. */
  static void writeJsonl(Path file, List<? extends SpecificRecord> records) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (SpecificRecord r : records) {
        w.write(JSON.writeValueAsString(AvroJson.toJson(r)));
        w.newLine();
      }
    }
  }

  /**
   * The simulated cluster's journal, one call a line: {@code at} (epoch ms), {@code action}, {@code
   * target}, {@code operationId}, {@code outcome}, {@code detail}, as {@code GET /world/actions}
   * serves it for a world in its own process.
   */
  static void writeWorldActions(Path file, List<ClusterAction> actions) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (ClusterAction a : actions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", a.at().toEpochMilli());
        m.put("action", a.action());
        m.put("target", a.target());
        m.put("operationId", a.operationId());
        m.put("outcome", a.outcome());
        m.put("detail", a.detail());
        w.write(JSON.writeValueAsString(m));
        w.newLine();
      }
    }
  }
}
