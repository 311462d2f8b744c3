package io.gpuward.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.backtest.AuditDiff;
import io.gpuward.backtest.Backtest;
import io.gpuward.backtest.ShadowDiff;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A backtest's result as one JSON document: times as ISO-8601, durations and shifts in
 * milliseconds, absent values as null.
 */
final class BacktestJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BacktestJson() {}

  static String of(Backtest.Result r) {
    ObjectNode o = document(r, "backtest");
    r.atEnd().forEach(o.putArray("atEndOperations")::add);
    return write(o, true);
  }

  /**
   * A shadow diff: the document of a backtest with "shadow" for "backtest", and the operations
   * still pending.
   */
  static String ofShadow(ShadowDiff.Result s) {
    ObjectNode o = document(s.diff(), "shadow");
    o.remove(List.of("assumedOperations", "assumedMeans"));
    o.put("settledUntil", iso(s.settledUntil()));
    s.pending().forEach(o.putArray("pendingOperations")::add);
    return write(o, true);
  }

  /** One change on one line: what {@code backtest --shadow --follow --json} prints. */
  static String line(AuditDiff.Change c) {
    return write(change(JSON.createObjectNode(), c, "shadow"), false);
  }

  private static String write(ObjectNode o, boolean pretty) {
    try {
      return pretty
          ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o)
          : JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode document(Backtest.Result r, String label) {
    ObjectNode o = JSON.createObjectNode();
    o.put("from", iso(r.from()));
    o.put("to", iso(r.to()));
    r.livePolicies().forEach(o.putArray("livePolicies")::add);
    o.put("candidatePolicy", r.candidatePolicy());
    o.put("toleranceMs", r.tolerance().toMillis());
    o.put("verdictRecords", r.verdictRecords());
    o.put("liveAuditRecords", r.liveRecords());
    o.put(label + "AuditRecords", r.backtestRecords());
    ObjectNode counts = o.putObject("counts");
    r.counts().forEach((k, n) -> counts.put(k.name(), n));
    ArrayNode changes = o.putArray("changes");
    r.changes().forEach(c -> change(changes.addObject(), c, label));
    ArrayNode peaks = o.putArray("budgetPeaks");
    r.peaks()
        .forEach(
            p ->
                peaks
                    .addObject()
                    .put("scope", p.scope())
                    .put("live", p.live())
                    .put(label, p.backtest()));
    o.putObject("incidentHolds").put("live", r.liveHolds()).put(label, r.backtestHolds());
    ArrayNode first = o.putArray("timeToFirstDisruptionMs");
    r.firstDisruptions()
        .forEach(
            f ->
                first
                    .addObject()
                    .put("node", f.node())
                    .put("verdictId", f.verdictId())
                    .put("faultClass", f.faultClass())
                    .put("live", millis(f.live()))
                    .put(label, millis(f.backtest())));
    r.assumed().forEach(o.putArray("assumedOperations")::add);
    o.put(
        "assumedMeans",
        "carried out by the candidate only: taken to succeed, the history cannot tell");
    return o;
  }

  private static ObjectNode change(ObjectNode o, AuditDiff.Change c, String label) {
    return o.put("kind", c.kind().name())
        .put("node", c.node())
        .put("verdictId", c.verdictId())
        .put("action", c.action().name())
        .put("attempt", c.attempt())
        .put("operationId", c.operationId())
        .put("live", iso(c.live()))
        .put("liveOutcome", c.liveWhat())
        .put(label, iso(c.backtest()))
        .put(label + "Outcome", c.backtestWhat())
        .put("shiftMs", millis(c.shift()))
        .put("assumed", c.assumed());
  }

  private static String iso(Instant t) {
    return t == null ? null : t.toString();
  }

  private static Long millis(Duration d) {
    return d == null ? null : d.toMillis();
  }
}
