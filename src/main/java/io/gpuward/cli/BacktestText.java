package io.gpuward.cli;

import io.gpuward.backtest.AuditDiff;
import io.gpuward.backtest.Backtest;
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
    b.append('\n').append(changes(r)).append('\n').append(peaks(r)).append('\n');
    b.append(firstDisruptions(r));
    b.append(
        String.format(
            Locale.ROOT,
            "%nIncident holds (operations SKIPPED INCIDENT_HOLD): live %d, backtest %d%n",
            r.liveHolds(),
            r.backtestHolds()));
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

  private static String changes(Backtest.Result r) {
    if (r.changes().isEmpty()) {
      return "No difference: the candidate decides what the live remediator decided.\n";
    }
    TextTable t = new TextTable("CHANGE", "NODE", "ACTION", "LIVE", "BACKTEST", "SHIFT", "VERDICT");
    Instant start = r.from();
    for (AuditDiff.Change c : r.changes()) {
      t.row(
          c.kind() + (c.assumed() ? "*" : ""),
          c.node(),
          c.action() + (c.attempt() > 1 ? "#" + c.attempt() : ""),
          side(start, c.live(), c.liveWhat()),
          side(start, c.backtest(), c.backtestWhat()),
          c.shift() == null ? TextTable.ABSENT : signed(c.shift()),
          c.verdictId());
    }
    return "Decisions that differ (times from the period's start)\n" + t.render();
  }

  private static String side(Instant start, Instant at, String what) {
    return at == null ? what : offset(start, at) + " " + what;
  }

  private static String peaks(Backtest.Result r) {
    if (r.peaks().isEmpty()) {
      return "Budget peaks: no node was in disruption on either side\n";
    }
    TextTable t = new TextTable("SCOPE", "LIVE", "BACKTEST");
    r.peaks().forEach(p -> t.row(p.scope(), p.live(), p.backtest()));
    return "Budget peaks (most nodes in disruption at once)\n" + t.render();
  }

  private static String firstDisruptions(Backtest.Result r) {
    if (r.firstDisruptions().isEmpty()) {
      return "Time to first disruptive action: none on either side\n";
    }
    TextTable t = new TextTable("NODE", "CLASS", "LIVE", "BACKTEST");
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
