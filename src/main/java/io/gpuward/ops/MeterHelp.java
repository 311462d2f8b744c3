package io.gpuward.ops;

import io.gpuward.engine.EngineMetrics;
import io.gpuward.exporter.ExporterMetrics;
import io.gpuward.exporter.kube.KubeMetrics;
import io.gpuward.remediation.RemediationMetrics;
import java.util.Map;

/**
 * Help text ({@code # HELP}) of gpuward's meters, by their constant names; other meters without a
 * description get their dotted name, so every family has help text.
 */
public final class MeterHelp {
  private MeterHelp() {}

  static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry(
              EngineMetrics.VERDICTS, "Verdicts emitted by the engine, by fault class and state."),
          Map.entry(
              EngineMetrics.DEAD_LETTERS,
              "Records sent to the dead-letter topic, by source topic and kind of failure."),
          Map.entry(
              RemediationMetrics.RECORDS,
              "Remediation audit records written, by action, outcome and reason."),
          Map.entry(RemediationMetrics.LAG, "Verdicts not yet read by the remediator."),
          Map.entry(RemediationMetrics.VERDICTS, "Verdicts consumed by the remediator, by state."),
          Map.entry(
              RemediationMetrics.OBSERVE_ONLY,
              "1 while the remediator is observe-only (decides and audits, does not act)."),
          Map.entry(
              RemediationMetrics.BUDGET_IN_USE,
              "Nodes holding disruption budget, by scope (global, nodegroup:X, zone:Z)."),
          Map.entry(
              RemediationMetrics.DEAD_LETTERS,
              "Records the remediator dead-lettered instead of using, by source topic and kind."),
          Map.entry(RemediationMetrics.POLLS, "Verdict polls of the remediator's consumer."),
          Map.entry(ExporterMetrics.SCRAPES, "Successful dcgm-exporter scrapes."),
          Map.entry(ExporterMetrics.SCRAPE_ERRORS, "Failed dcgm-exporter scrapes, by reason."),
          Map.entry(ExporterMetrics.MALFORMED_LINES, "Malformed input lines skipped, by source."),
          Map.entry(ExporterMetrics.SAMPLES, "GPU samples parsed and buffered."),
          Map.entry(ExporterMetrics.XIDS, "XID events parsed and buffered."),
          Map.entry(ExporterMetrics.KMSG_LINES, "Kernel log lines read."),
          Map.entry(ExporterMetrics.HEARTBEATS, "Exporter heartbeats emitted."),
          Map.entry(
              ExporterMetrics.BUFFER_DROPS, "Records dropped by the full send buffer, by kind."),
          Map.entry(ExporterMetrics.SEND_ERRORS, "Records the broker refused for good, by kind."),
          Map.entry(ExporterMetrics.BUFFERED, "Records waiting in the send buffer."),
          Map.entry(KubeMetrics.PUBLISHED, "Kubernetes node events published, by kind."),
          Map.entry(KubeMetrics.ERRORS, "Kubernetes watch and read errors, by source."),
          Map.entry(KubeMetrics.INVENTORY_PUBLISHED, "Node inventory records published."),
          Map.entry(
              KubeMetrics.INVALID_IDS,
              "Identifiers from the node or instance metadata rejected as invalid, by field."));

  /** The help text of {@code name}: gpuward's own, else the name itself. */
  public static String describe(String name) {
    return HELP.getOrDefault(name, name);
  }
}
