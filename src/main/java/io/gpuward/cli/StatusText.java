package io.gpuward.cli;

import io.gpuward.cli.StatusView.Summary;

/** The readable form of a {@link StatusView}: a one-line summary, then one table per section. */
final class StatusText {
  private StatusText() {}

  static String render(StatusView v) {
    StringBuilder b = new StringBuilder(summary(v)).append("\n\n");
    b.append("Open verdicts\n").append(verdicts(v).render());
    b.append("Fleet incidents\n").append(incidents(v).render());
    b.append("Remediations in flight\n").append(remediations(v).render());
    b.append("Budgets in use (as the latest refusal in each scope states it)\n")
        .append(budgets(v).render());
    b.append("Paused and vetoed\n").append(controls(v).render());
    b.append("Dead letters since ").append(TextTable.time(v.since())).append('\n');
    b.append(deadLetters(v).render());
    return b.toString();
  }

  static String summary(StatusView v) {
    Summary s = v.summary();
    StatusView.ObserveOnly o = v.observeOnly();
    return "gpuward status at "
        + TextTable.time(v.asOf())
        + ": "
        + s.openVerdicts()
        + " open verdict(s) on "
        + s.nodesWithOpenVerdicts()
        + " node(s) ("
        + s.heldVerdicts()
        + " held), "
        + s.openIncidents()
        + " open incident(s), "
        + s.remediationsInFlight()
        + " remediation(s) in flight, "
        + s.pausedOrVetoed()
        + " paused/vetoed scope(s), "
        + (o.on()
            ? "OBSERVE-ONLY since " + TextTable.time(o.since()) + " (" + o.reason() + ")"
            : "acting")
        + ", "
        + s.deadLetters()
        + " dead letter(s)"
        + (s.unreadable() == 0 ? "" : ", " + s.unreadable() + " unreadable record(s) skipped");
  }

  private static TextTable verdicts(StatusView v) {
    TextTable t =
        new TextTable(
            "NODE", "CLASS", "SEVERITY", "ACTION", "HELD", "DETECTED", "VERDICT", "SUMMARY");
    for (var o : v.openVerdicts()) {
      t.row(
          o.node(),
          o.faultClass(),
          o.severity(),
          o.recommendedAction(),
          o.held() ? "held " + TextTable.cell(o.incidentId()) : "no",
          o.detectedAt(),
          o.verdictId(),
          o.summary());
    }
    return t;
  }

  private static TextTable incidents(StatusView v) {
    TextTable t = new TextTable("INCIDENT", "SCOPE", "STATE", "CLASS", "HOLDS", "NODES");
    for (var i : v.incidents()) {
      t.row(
          i.incidentId(),
          i.scope(),
          i.state(),
          i.faultClass(),
          i.heldVerdicts() + " verdict(s)",
          String.join(",", i.nodes()));
    }
    return t;
  }

  private static TextTable remediations(StatusView v) {
    TextTable t =
        new TextTable("NODE", "CLASS", "ACTION", "OUTCOME", "AT", "WAITING FOR", "UNTIL", "THEN");
    for (var r : v.remediations()) {
      t.row(
          r.node(),
          r.faultClass(),
          r.action() + (r.attempt() > 1 ? "#" + r.attempt() : ""),
          r.outcome() + (r.reason() == null ? "" : " " + r.reason()),
          r.at(),
          r.waitingFor(),
          r.until(),
          r.then());
    }
    return t;
  }

  private static TextTable budgets(StatusView v) {
    TextTable t = new TextTable("SCOPE", "BUDGET", "USED", "LIMIT", "FREES AT", "STATED AT");
    v.budgets()
        .forEach(b -> t.row(b.scope(), b.budget(), b.used(), b.limit(), b.freesAt(), b.statedAt()));
    return t;
  }

  private static TextTable controls(StatusView v) {
    TextTable t = new TextTable("SCOPE", "KIND", "OPERATOR", "UNTIL", "REMEDIATOR", "REASON");
    for (var c : v.controls()) {
      t.row(
          c.scope(),
          c.kind(),
          c.operator(),
          c.expiresAt() == null ? "no expiry" : c.expiresAt(),
          c.refused() ? "REFUSED it" : c.audited() ? "applied" : "no audit read",
          c.reason());
    }
    return t;
  }

  private static TextTable deadLetters(StatusView v) {
    TextTable t = new TextTable("TOPIC", "KIND", "COUNT", "REASON");
    v.deadLetters().forEach(d -> t.row(d.topic(), d.kind(), d.count(), d.reason()));
    return t;
  }
}
