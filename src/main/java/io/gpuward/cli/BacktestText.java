package io.gpuward.cli;

import io.gpuward.backtest.AuditDiff;
import io.gpuward.backtest.Backtest;
import io.gpuward.backtest.ShadowDiff;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.stream.Collectors;

/** A backtest's result as readable tables. */
final class BacktestText {
  private BacktestText() {}

  static String render(Backtest.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Backtest %s .. %s: policy %s against live %s (moved: more than %s apart)%n",
            r.from(),
            r.to(),
            r.candidatePolicy(),
            String.join(",", r.livePolicies()),
            format(r.tolerance())));
    b.append(
        String.format(
            Locale.ROOT,
            "  %d verdict records replayed; audit records: live %d, backtest %d%n",
            r.verdictRecords(),
            r.liveRecords(),
            r.backtestRecords()));
    b.append(
            "  differences: "
                + r.counts().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" ")))
        .append('\n');
    if (!r.atEnd().isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  at the end: %d operation(s) one side started in the last %s of the period, not"
                  + " compared (the other may have started it just after)%n",
              r.atEnd().size(),
              format(r.tolerance())));
    }
    b.append(body(r, "backtest"));
    if (!r.assumed().isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%n* assumed: %d operation(s) the live remediator never carried out; the history"
                  + " cannot tell what they would have done, so they are taken to succeed in their"
                  + " action's typical time.%n",
              r.assumed().size()));
    }
    return b.toString();
  }

  /** A shadow diff: the live audit against a shadow remediator's, as far as both settled. */
  static String renderShadow(ShadowDiff.Result s, Duration settle) {
    Backtest.Result r = s.diff();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Shadow diff %s .. %s: shadow policy %s against live %s (moved: more than %s apart)%n",
            r.from(),
            r.to(),
            r.candidatePolicy(),
            String.join(",", r.livePolicies()),
            format(r.tolerance())));
    b.append(
        String.format(
            Locale.ROOT,
            "  audit records: live %d, shadow %d; %d verdict records%n",
            r.liveRecords(),
            r.backtestRecords(),
            r.verdictRecords()));
    b.append("  differences: ").append(counts(r)).append('\n');
    if (!s.pending().isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  pending: %d operation(s) with a record in the last %s, compared once settled%n",
              s.pending().size(),
              format(settle)));
    }
    return b.append(body(r, "shadow")).toString();
  }

  private static String counts(Backtest.Result r) {
    return r.counts().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }

  private static String body(Backtest.Result r, String label) {
    return "\n"
        + changes(r, label)
        + "\n"
        + peaks(r, label)
        + "\n"
        + firstDisruptions(r, label)
        + String.format(
            Locale.ROOT,
            "%nIncident holds (operations SKIPPED INCIDENT_HOLD): live %d, %s %d%n",
            r.liveHolds(),
            label,
            r.backtestHolds());
  }

  private static String changes(Backtest.Result r, String label) {
    if (r.changes().isEmpty()) {
      return "No difference: the candidate decides what the live remediator decided.\n";
    }
    TextTable t = changeTable(label);
    r.changes().forEach(c -> changeRow(t, r.from(), c));
    return "Decisions that differ (times from the period's start)\n" + t.render();
  }

  static TextTable changeTable(String label) {
    return new TextTable(
        "CHANGE", "NODE", "ACTION", "LIVE", label.toUpperCase(Locale.ROOT), "SHIFT", "VERDICT");
  }

  static void changeRow(TextTable t, Instant start, AuditDiff.Change c) {
    t.row(
        c.kind() + (c.assumed() ? "*" : ""),
        c.node(),
        c.action() + (c.attempt() > 1 ? "#" + c.attempt() : ""),
        side(start, c.live(), c.liveWhat()),
        side(start, c.backtest(), c.backtestWhat()),
        c.shift() == null ? TextTable.ABSENT : signed(c.shift()),
        c.verdictId());
  }

  private static String side(Instant start, Instant at, String what) {
    return at == null ? what : offset(start, at) + " " + what;
  }

  private static String peaks(Backtest.Result r, String label) {
    if (r.peaks().isEmpty()) {
      return "Budget peaks: no node was in disruption on either side\n";
    }
    TextTable t = new TextTable("SCOPE", "LIVE", label.toUpperCase(Locale.ROOT));
    r.peaks().forEach(p -> t.row(p.scope(), p.live(), p.backtest()));
    return "Budget peaks (most nodes in disruption at once)\n" + t.render();
  }

  private static String firstDisruptions(Backtest.Result r, String label) {
    if (r.firstDisruptions().isEmpty()) {
      return "Time to first disruptive action: none on either side\n";
    }
    TextTable t = new TextTable("NODE", "CLASS", "LIVE", label.toUpperCase(Locale.ROOT));
    r.firstDisruptions()
        .forEach(
            f ->
                t.row(
                    f.node(),
                    f.faultClass(),
                    f.live() == null ? TextTable.ABSENT : format(f.live()),
                    f.backtest() == null ? TextTable.ABSENT : format(f.backtest())));
    return "Time to first disruptive action (from detection)\n" + t.render();
  }

  private static String offset(Instant start, Instant t) {
    return "+" + format(Duration.between(start, t));
  }

  private static String signed(Duration d) {
    return (d.isNegative() ? "-" : "+") + format(d.abs());
  }

  static String format(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }
}
