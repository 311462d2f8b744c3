package io.gpuward.cli;

import io.gpuward.cli.Explanation.Chain;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The readable form of an {@link Explanation}: per verdict, evidence, states, incident, every
 * remediation record in order, operator commands, and what happens next. A field the records do not
 * carry prints as "not in the records" rather than a guess.
 */
final class ExplainText {
  static final String NOT_RECORDED = "not in the records";

  private ExplainText() {}

  static String render(Explanation e) {
    StringBuilder b =
        new StringBuilder("gpuward explain ")
            .append(e.target())
            .append(" (")
            .append(e.matched())
            .append(") at ")
            .append(TextTable.time(e.asOf()))
            .append(", streams read since ")
            .append(TextTable.time(e.since()))
            .append(": ")
            .append(e.verdicts().size())
            .append(" verdict(s)\n");
    e.verdicts().forEach(c -> b.append('\n').append(chain(c)));
    return b.toString();
  }

  private static String chain(Chain c) {
    StringBuilder b = new StringBuilder();
    b.append("Verdict ").append(c.verdictId()).append(" on ").append(c.node());
    b.append(" (nodegroup ").append(or(c.nodegroup())).append(", zone ").append(or(c.zone()));
    b.append(", instance ").append(or(c.instanceId())).append(")\n");
    if (c.state() == null) {
      b.append("  verdict: no emission of it in the period read; only its audit records\n");
    } else {
      header(b, c);
    }
    b.append("  Evidence (as the verdict names it, newest last)\n").append(evidence(c).render());
    b.append("  Verdict states\n").append(states(c).render());
    b.append("  Incident: ").append(incident(c)).append('\n');
    b.append("  Remediation (audit records in order; a record states budget use only when it is")
        .append(" a BUDGET refusal)\n")
        .append(steps(c).render());
    containment(c).ifPresent(t -> b.append("  Containment: ").append(t).append('\n'));
    b.append("  Operator commands on its scopes (newest per scope)\n").append(commands(c).render());
    Explanation.Next n = c.next();
    b.append("  Next: ").append(n.waitingFor());
    if (n.until() != null) {
      b.append(" until ").append(TextTable.time(n.until()));
    }
    if (n.then() != null) {
      b.append("; then ").append(n.then());
    }
    return b.append('\n').toString();
  }

  /** How the latest drain that succeeded contained the fault, as its audit detail states it. */
  static Optional<String> containment(Chain c) {
    String detail = null;
    for (var s : c.remediation()) {
      if (s.action().equals("DRAIN") && s.outcome().equals("SUCCEEDED")) {
        detail = s.detail();
      }
    }
    return AuditDetails.containment(detail);
  }

  private static void header(StringBuilder b, Chain c) {
    b.append("  ").append(c.faultClass()).append(' ').append(c.severity());
    b.append(", now ").append(c.state()).append(", recommends ").append(c.recommendedAction());
    b.append("\n  summary: ").append(c.summary()).append('\n');
    b.append("  fix hint: ").append(c.fixHint() == null ? "none given" : c.fixHint()).append('\n');
    b.append("  rule ").append(c.ruleId()).append(" version ").append(c.ruleVersion());
    b.append("; detected ").append(TextTable.time(c.detectedAt()));
    b.append(", valid until ").append(TextTable.time(c.validUntil())).append('\n');
    b.append("  GPUs: ")
        .append(
            c.gpus().isEmpty()
                ? "none (a node-level fault)"
                : c.gpus().stream().map(ExplainText::gpu).collect(Collectors.joining(", ")))
        .append('\n');
  }

  private static String gpu(Explanation.Gpu g) {
    return g.uuid()
        + " (index "
        + or(g.index())
        + ", "
        + or(g.pciBusId())
        + (g.pods().isEmpty() ? ", pods unknown" : ", pods " + String.join(" ", g.pods()))
        + ")";
  }

  private static TextTable evidence(Chain c) {
    TextTable t =
        new TextTable(
            "  SOURCE",
            "PARTITION",
            "OFFSET",
            "EVENT TIME",
            "SIGNAL",
            "VALUE",
            "WINDOW",
            "GPU",
            "EVENT ID / DETAIL");
    for (var e : c.evidence()) {
      t.row(
          "  " + e.source(),
          e.partition(),
          e.offset(),
          e.eventTime(),
          e.signal(),
          e.value(),
          e.windowStart() == null
              ? null
              : TextTable.time(e.windowStart()) + ".." + TextTable.time(e.windowEnd()),
          e.gpuUuid(),
          e.eventId() == null ? e.detail() : e.eventId() + " " + or(e.detail()));
    }
    return t;
  }

  private static TextTable states(Chain c) {
    TextTable t = new TextTable("  STATE", "UPDATED", "SEVERITY", "HELD", "CLEAR REASON", "AT");
    for (var s : c.emissions()) {
      t.row(
          "  " + s.state(),
          s.updatedAt(),
          s.severity(),
          s.held() ? "held " + s.incidentId() : "no",
          s.clearReason(),
          "partition " + s.partition() + " offset " + s.offset());
    }
    return t;
  }

  private static String incident(Chain c) {
    var i = c.incident();
    if (i == null) {
      return "none (the verdict names no fleet incident)";
    }
    if (i.scope() == null) {
      return i.incidentId() + " (named by the verdict; no record of it in the period read)";
    }
    return i.incidentId()
        + " "
        + i.state()
        + " on "
        + i.scope()
        + ", members "
        + String.join(",", i.nodes())
        + ": "
        + i.summary();
  }

  private static TextTable steps(Chain c) {
    TextTable t =
        new TextTable("  AT", "ACTION", "OUTCOME", "POLICY", "BUDGET", "OPERATOR", "DETAIL");
    for (var s : c.remediation()) {
      t.row(
          "  " + TextTable.time(s.at()),
          s.action() + (s.attempt() > 1 ? "#" + s.attempt() : ""),
          s.outcome()
              + (s.reason() == null ? "" : " " + s.reason())
              + (s.dryRun() ? " (dry run)" : ""),
          s.policyVersion(),
          s.budget(),
          s.operator(),
          s.detail());
    }
    return t;
  }

  private static TextTable commands(Chain c) {
    TextTable t = new TextTable("  SCOPE", "KIND", "OPERATOR", "ISSUED", "UNTIL", "REASON");
    for (var k : c.operatorCommands()) {
      t.row(
          "  " + k.scope(),
          k.kind(),
          k.operator(),
          k.issuedAt(),
          k.expiresAt() == null ? "no expiry" : k.expiresAt(),
          k.reason());
    }
    return t;
  }

  private static String or(Object o) {
    return o == null ? NOT_RECORDED : o.toString();
  }
}
