package io.gpuward.cli;

import io.gpuward.backtest.Backtest;
import io.gpuward.backtest.History;
import io.gpuward.backtest.HistoryFiles;
import io.gpuward.backtest.HistoryTopics;
import io.gpuward.config.Durations;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.remediation.RemediationPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpuward backtest}: replays a period's verdicts, inventory and operator commands through a
 * candidate remediation policy and prints how its decisions differ from the live remediator's
 * audit. Reads Kafka without a consumer group, or the files of {@code demo --out}; writes nothing.
 */
@Command(
    name = "backtest",
    mixinStandardHelpOptions = true,
    description = {
      "Replay a period's history through a candidate remediation policy and show how its",
      "decisions differ from what the live remediator decided: actions added, removed, moved",
      "in time, budget peaks, incident holds, time to first disruptive action. Writes nothing.",
      "With --shadow, compare instead the audit of a shadow remediator (remediate --shadow)",
      "with the live audit as both flow; --follow keeps printing new differences until Ctrl-C.",
      "Exit 0 shown, 1 Kafka unreachable or nothing to replay, 2 a bad flag or file."
    })
final class BacktestCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description =
          "The candidate remediation policy (the format of remediate --policy). Required"
              + " unless --shadow.")
  Path policyFile;

  @Option(
      names = "--shadow",
      description =
          "Compare the shadow remediator's audit (gpuward remediate --shadow) with the live"
              + " audit on Kafka, from --from (default: the shadow's first record).")
  boolean shadow;

  @Option(
      names = "--follow",
      description = "With --shadow: keep reading and print each new difference until Ctrl-C.")
  boolean follow;

  @Option(
      names = "--settle",
      paramLabel = "DURATION",
      defaultValue = "2m",
      description =
          "With --shadow: an operation with a record this recent on either side is pending, not"
              + " compared yet (default ${DEFAULT-VALUE}).")
  String settle;

  @Option(
      names = "--from",
      paramLabel = "TIME",
      description =
          "Start of the period: an ISO-8601 instant (2026-12-07T10:00:00Z) or a duration ago"
              + " (2h). Default: the history's first record.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      description = "End of the period, as --from. Default: the history's last record.")
  String to;

  @Option(
      names = "--from-dir",
      paramLabel = "DIR",
      description =
          "Read the history from the JSON lines of `gpuward demo --out DIR` instead of Kafka.")
  Path fromDir;

  @Option(
      names = "--tolerance",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description =
          "Actions started this close on both sides count as the same (default ${DEFAULT-VALUE}).")
  String tolerance;

  @Option(names = "--json", description = "Print one JSON document instead of tables.")
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also show the replayed remediator's logs (one line per decision) on stderr.")
  boolean verbose;

  @Override
  public Integer call() {
    if (!verbose) {
      quietLogs();
    }
    if (shadow) {
      return new ShadowDiffRun(this).run();
    }
    if (follow) {
      throw new ParameterException(spec.commandLine(), "--follow needs --shadow");
    }
    if (policyFile == null) {
      throw new ParameterException(
          spec.commandLine(),
          "--policy FILE is required (or --shadow to compare a shadow's audit)");
    }
    Instant now = Instant.now();
    RemediationPolicy policy = PolicyFile.load(spec, policyFile);
    Instant start = time("--from", from, now);
    Instant end = time("--to", to, now);
    Duration near = tolerance();
    if (start != null && end != null && !start.isBefore(end)) {
      throw new ParameterException(spec.commandLine(), "--from must lie before --to");
    }
    History history = history(start).within(start, end);
    if (history.verdicts().isEmpty()) {
      throw new IllegalArgumentException(
          "no verdict in the period "
              + (start == null ? "(start)" : start)
              + " .. "
              + (end == null ? "(end)" : end)
              + ": nothing to replay");
    }
    Backtest.Result r = Backtest.run(history, policy, start, end, near);
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? BacktestJson.of(r) + "\n" : BacktestText.render(r));
    out.flush();
    return 0;
  }

  private History history(Instant start) {
    if (fromDir != null) {
      try {
        return HistoryFiles.read(fromDir);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--from-dir: " + e.getMessage());
      }
    }
    GpuwardConfig cfg = kafka.config(Map.of());
    Platform platform = Platform.connect(cfg, false);
    platform.registry().compatibility(null); // an unreachable registry: one error now
    return HistoryTopics.read(cfg.kafkaClientProps(), platform.topics(), start);
  }

  /**
   * The replayed remediator logs every decision and every recorded failure as if live: the tables
   * say what matters, so those lines stay out unless -v.
   */
  static void quietLogs() {
    Configurator.setLevel("io.gpuward", Level.ERROR);
    Configurator.setLevel("org.apache.kafka", Level.ERROR);
  }

  /** An ISO-8601 instant, or a duration meaning that long before {@code now}; null when absent. */
  Instant time(String flag, String text, Instant now) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notInstant) {
      try {
        return now.minus(Durations.parse(text));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(),
            flag + ": not an ISO-8601 instant (2026-12-07T10:00:00Z) or a duration (2h): " + text);
      }
    }
  }

  Duration tolerance() {
    return duration("--tolerance", tolerance);
  }

  Duration settle() {
    return duration("--settle", settle);
  }

  private Duration duration(String flag, String text) {
    try {
      Duration d = Durations.parse(text);
      if (d.isNegative()) {
        throw new IllegalArgumentException("must not be negative");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
    }
  }
}
