package io.gpuward.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The text table and the JSON object of a scored fleet run ({@code gpuward bench --fleet}). */
public final class FleetReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The run that was scored.
   *
   * @param nodes nodes in the fleet
   * @param gpus GPUs in the fleet
   * @param hours simulated hours
   * @param seed generator seed
   * @param speed simulated seconds per wall second
   * @param wallSeconds wall time of the run
   * @param complete false when a role stopped and the run was cut short
   */
  public record RunInfo(
      int nodes,
      int gpus,
      double hours,
      long seed,
      double speed,
      double wallSeconds,
      boolean complete) {}

  private FleetReport() {}

  /** The JSON object. */
  public static Map<String, Object> toMap(RunInfo run, FleetScore.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("nodes", run.nodes());
    m.put("gpus", run.gpus());
    m.put("hours", run.hours());
    m.put("seed", run.seed());
    m.put("speed", run.speed());
    m.put("wallSeconds", BenchReport.round(run.wallSeconds(), 1));
    m.put("complete", run.complete());
    m.put("faults", r.faults());
    List<Map<String, Object>> classes = new ArrayList<>();
    for (FleetScore.ClassRow c : r.classes()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("faultClass", c.faultClass());
      row.put("injected", c.injected());
      row.put("detected", c.detected());
      row.put("recall", BenchReport.round(c.recall(), 3));
      row.put("verdicts", c.verdicts());
      row.put("correct", c.correct());
      row.put("precision", BenchReport.round(c.precision(), 3));
      classes.add(row);
    }
    m.put("classes", classes);
    m.put("falsePositives", r.falsePositives());
    m.put("falsePositivesPer1000NodeDays", BenchReport.round(r.falsePositivesPer1000NodeDays(), 1));
    m.put("secondaryVerdicts", r.secondary());
    putLatency(m, "faultToCordon", r.faultToCordon());
    putLatency(m, "faultToRepaired", r.faultToRepaired());
    m.put("disruptedNodes", r.disruptedNodes());
    m.put("nodesDisruptedPerTrueFault", BenchReport.round(r.nodesDisruptedPerTrueFault(), 2));
    m.put("wrongRemediations", r.wrongRemediations());
    m.put("missed", r.missed());
    return m;
  }

  /** One JSON object. */
  public static String json(RunInfo run, FleetScore.Result r) {
    try {
      return JSON.writeValueAsString(toMap(run, r));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("fleet report is not serialisable", e);
    }
  }

  private static void putLatency(Map<String, Object> m, String prefix, LatencyStats l) {
    m.put(prefix + "Count", l.count());
    m.put(prefix + "P50Seconds", BenchReport.round(l.p50Ms() / 1000, 1));
    m.put(prefix + "P99Seconds", BenchReport.round(l.p99Ms() / 1000, 1));
  }

  /** The table for people. */
  public static String text(RunInfo run, FleetScore.Result r) {
    StringBuilder b = new StringBuilder();
    line(
        b,
        "Fleet run: %,d nodes (%,d GPUs), %s h simulated, seed %d, at %sx in %.0f s wall%s",
        run.nodes(),
        run.gpus(),
        decimal(run.hours(), 1),
        run.seed(),
        BenchReport.fmt(run.speed()),
        run.wallSeconds(),
        run.complete() ? "" : " (CUT SHORT: a role stopped)");
    line(b, "%d faults injected (Llama 3 interruption mix); times are simulated", r.faults());
    line(b, "");
    line(
        b,
        "  %-24s %8s %8s %7s %8s %8s %9s",
        "class",
        "injected",
        "detected",
        "recall",
        "verdicts",
        "correct",
        "precision");
    for (FleetScore.ClassRow c : r.classes()) {
      line(
          b,
          "  %-24s %8d %8d %7s %8d %8d %9s",
          c.faultClass(),
          c.injected(),
          c.detected(),
          ratio(c.recall()),
          c.verdicts(),
          c.correct(),
          ratio(c.precision()));
    }
    line(b, "");
    line(
        b,
        "  false positives (verdicts on nodes without a fault): %d = %s per 1,000 node-days",
        r.falsePositives(),
        decimal(r.falsePositivesPer1000NodeDays(), 1));
    line(b, "  secondary verdicts (another class on a faulted node): %d", r.secondary());
    latency(b, "fault -> cordon", r.faultToCordon());
    latency(b, "fault -> repaired (uncordoned or replaced)", r.faultToRepaired());
    line(
        b,
        "  nodes disrupted per true fault: %s (%d nodes)",
        decimal(r.nodesDisruptedPerTrueFault(), 2),
        r.disruptedNodes());
    line(b, "  application XIDs followed by a disruptive action: %d", r.wrongRemediations());
    if (!r.missed().isEmpty()) {
      line(b, "  missed: %s", String.join("; ", r.missed()));
    }
    return b.toString();
  }

  private static void latency(StringBuilder b, String label, LatencyStats l) {
    if (l.count() == 0) {
      line(b, "  %s: none", label);
      return;
    }
    line(
        b,
        "  %s: p50 %.1f s, p99 %.1f s (%d faults)",
        label,
        l.p50Ms() / 1000,
        l.p99Ms() / 1000,
        l.count());
  }

  private static String decimal(double v, int digits) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "-";
  }

  private static String ratio(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static void line(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
