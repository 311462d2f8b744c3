package io.gpuward.cli;

import io.gpuward.backtest.Shadow;
import io.gpuward.backtest.ShadowDiff;
import io.gpuward.backtest.ShadowStreams;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.Topics;
import io.gpuward.remediation.ControlCommands;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code gpuward demo --shadow-policy FILE}: a shadow remediator with a candidate policy beside the
 * live one, exactly as {@code gpuward remediate --shadow} runs it (own group, own audit topic, a
 * model world, never the cluster), and at the end the difference {@code gpuward backtest --shadow}
 * prints. A demo run thereby shows a policy proven on the same live traffic before it acts.
 */
final class DemoShadow implements AutoCloseable {
  /** Actions started this close on both sides are the same, as {@code backtest}'s default. */
  static final Duration TOLERANCE = Duration.ofSeconds(10);

  private static final Duration STALL = Duration.ofSeconds(20);

  /** No shadow: reports and closes nothing. */
  static final DemoShadow NONE = new DemoShadow(null, null, null);

  private final RemediatorService service;
  private final GpuwardConfig cfg;
  private final Topics topics;

  private DemoShadow(RemediatorService service, GpuwardConfig cfg, Topics topics) {
    this.service = service;
    this.cfg = cfg;
    this.topics = topics;
  }

  /**
   * Starts the shadow on the demo's clock (a model world acts at once, so only the policy differs);
   * with no policy, nothing runs.
   */
  static DemoShadow start(RemediationPolicy policy, GpuwardConfig cfg, Topics topics, Clock clock) {
    if (policy == null) {
      return NONE;
    }
    RemediatorService s =
        Shadow.service(
            cfg.kafkaClientProps(),
            topics,
            new Planner(policy),
            clock,
            cfg.remediationGroupId(),
            new SimpleMeterRegistry(), // its own meters: the demo's are the live remediator's
            ControlCommands.Limits.DEFAULTS,
            Optional.empty());
    s.followEngine(cfg.engineApplicationId()).start();
    return new DemoShadow(s, cfg, topics);
  }

  /**
   * Stops the shadow, reads both audits to their ends and prints the difference; writes the
   * shadow's audit to {@code out}/shadow-audit.jsonl when {@code out} is set.
   */
  void report(PrintStream o, Instant from, Path out) throws IOException {
    if (service == null) {
      return;
    }
    service.close();
    try (ShadowStreams s = ShadowStreams.open(cfg.kafkaClientProps(), topics, from)) {
      s.readToEnd(STALL);
      ShadowDiff.Result r =
          ShadowDiff.compare(
              s.verdicts(), s.live(), s.shadow(), from, null, TOLERANCE, Duration.ZERO);
      o.println();
      o.print(BacktestText.renderShadow(r, Duration.ZERO));
      if (out != null) {
        DemoReport.writeJsonl(out.resolve("shadow-audit.jsonl"), s.shadow());
      }
    }
  }

  @Override
  public void close() {
    if (service != null) {
      service.close();
    }
  }
}
