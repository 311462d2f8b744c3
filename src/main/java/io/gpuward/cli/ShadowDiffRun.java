package io.gpuward.cli;

import io.gpuward.avro.RemediationRecord;
import io.gpuward.backtest.AuditDiff;
import io.gpuward.backtest.FollowClock;
import io.gpuward.backtest.ShadowDiff;
import io.gpuward.backtest.ShadowStreams;
import io.gpuward.config.GpuwardConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.ParameterException;

/**
 * {@code gpuward backtest --shadow}: the live audit against a shadow remediator's, read from Kafka
 * as both flow (no consumer group, read committed, nothing written). Once to the topics' ends, or
 * with {@code --follow} on until Ctrl-C, printing each difference once it settles.
 */
final class ShadowDiffRun {
  private static final Duration STALL = Duration.ofSeconds(20);

  private final BacktestCommand c;

  ShadowDiffRun(BacktestCommand command) {
    this.c = command;
  }

  Integer run() {
    if (c.policyFile != null || c.fromDir != null || c.to != null) {
      throw new ParameterException(
          c.spec.commandLine(),
          "--shadow compares the shadow remediator's audit on Kafka: --policy, --from-dir and --to"
              + " do not apply");
    }
    Instant start = c.time("--from", c.from, Instant.now());
    Duration tolerance = c.tolerance();
    Duration settle = c.settle();
    GpuwardConfig cfg = c.kafka.config(Map.of());
    Platform platform = Platform.connect(cfg, false);
    platform.registry().compatibility(null); // an unreachable registry: one error now
    PrintWriter out = c.spec.commandLine().getOut();
    try (ShadowStreams streams =
        ShadowStreams.open(cfg.kafkaClientProps(), platform.topics(), start)) {
      streams.readToEnd(STALL);
      if (c.follow) {
        follow(streams, start, tolerance, settle, out);
        return 0;
      }
      ShadowDiff.Result r = diff(streams, start, null, tolerance, settle);
      out.print(c.json ? BacktestJson.ofShadow(r) + "\n" : BacktestText.renderShadow(r, settle));
      out.flush();
    }
    return 0;
  }

  private static ShadowDiff.Result diff(
      ShadowStreams s, Instant start, Instant now, Duration tolerance, Duration settle) {
    return ShadowDiff.compare(s.verdicts(), s.live(), s.shadow(), start, now, tolerance, settle);
  }

  /** Prints each difference once, as it settles, until the thread is interrupted (Ctrl-C). */
  private void follow(
      ShadowStreams streams, Instant start, Duration tolerance, Duration settle, PrintWriter out) {
    Set<String> shown = new HashSet<>();
    if (!c.json) {
      out.println(
          "Following the live and the shadow audit (Ctrl-C to stop); differences once settled"
              + " for "
              + BacktestText.format(settle)
              + ":");
      out.flush();
    }
    FollowClock clock = new FollowClock();
    while (!Thread.currentThread().isInterrupted()) {
      long nanos = System.nanoTime();
      newest(streams).ifPresent(t -> clock.saw(t, nanos));
      ShadowDiff.Result r = diff(streams, start, clock.now(nanos), tolerance, settle);
      print(ShadowDiff.unseen(r, shown), r.diff().from(), out);
      streams.poll(Duration.ofSeconds(1));
    }
  }

  /** The newest record time of either audit: the remediators' own clock. */
  private static Optional<Instant> newest(ShadowStreams s) {
    return Stream.concat(s.live().stream(), s.shadow().stream())
        .map(RemediationRecord::getAt)
        .max(Instant::compareTo);
  }

  private void print(List<AuditDiff.Change> changes, Instant from, PrintWriter out) {
    if (changes.isEmpty()) {
      return;
    }
    if (c.json) {
      changes.forEach(ch -> out.println(BacktestJson.line(ch)));
    } else {
      TextTable t = BacktestText.changeTable("shadow");
      changes.forEach(ch -> BacktestText.changeRow(t, from, ch));
      out.print(t.render());
    }
    out.flush();
  }
}
