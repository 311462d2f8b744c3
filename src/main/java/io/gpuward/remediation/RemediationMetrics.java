package io.gpuward.remediation;

import java.util.Map;

/** Meter names of the remediator (Micrometer; tags are bounded enums). */
public final class RemediationMetrics {
  private RemediationMetrics() {}

  /** Audit records written; tags {@code action}, {@code outcome}, {@code reason}. */
  public static final String RECORDS = "gpuward.remediation.records";

  /** Verdicts not yet read by the remediator (consumer lag). */
  public static final String LAG = "gpuward.remediation.lag";

  /** Verdicts consumed; tag {@code state}. */
  public static final String VERDICTS = "gpuward.remediation.verdicts";

  /** 1 while the remediator is observe-only (deciding and auditing, not acting), else 0. */
  public static final String OBSERVE_ONLY = "gpuward.remediation.observe.only";

  /** Nodes holding disruption budget (gauge); tag {@code scope}: global, nodegroup:X, zone:Z. */
  public static final String BUDGET_IN_USE = "gpuward.remediation.budget.in.use";

  /**
   * Records the remediator read and sent to the dead-letter topic instead of using them; tags
   * {@code topic} (verdicts, control, inventory) and {@code kind} (DESERIALIZATION, VALIDATION).
   */
  public static final String DEAD_LETTERS = "gpuward.remediation.dead.letters";

  /**
   * Verdicts whose node group or zone disagreed with the live node or the inventory (the trusted
   * placement was used).
   */
  public static final String PLACEMENT_MISMATCH = "gpuward.remediation.placement.mismatch";

  /**
   * 1 while this remediator holds the remediators' Lease and acts, 0 while it waits as a warm
   * standby ({@code remediation.lease.name}; absent without an election).
   */
  public static final String LEADER = "gpuward.remediation.leader";

  /** Verdict polls of the remediator's consumer (its liveness). */
  public static final String POLLS = "gpuward.remediation.polls";

  /**
   * Times a settled disruptive step waited because the remediator had not yet read its verdict's
   * partition up to the end (a hold may have been in what was unread).
   */
  public static final String READ_BARRIER_WAITS = "gpuward.remediation.read.barrier.waits";

  /**
   * Per-GPU repairs that kept their node schedulable: a per-GPU drain done without a cordon because
   * the device plugin had withheld the bad GPUs ({@link Containment}); tag {@code class}.
   */
  public static final String CONTAINMENTS = "gpuward.remediation.containments";

  /** Help text ({@code # HELP}) of these meters, by name. */
  public static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry(RECORDS, "Remediation audit records written, by action, outcome and reason."),
          Map.entry(LAG, "Verdicts not yet read by the remediator."),
          Map.entry(VERDICTS, "Verdicts consumed by the remediator, by state."),
          Map.entry(
              OBSERVE_ONLY,
              "1 while the remediator is observe-only (decides and audits, does not act)."),
          Map.entry(
              BUDGET_IN_USE,
              "Nodes holding disruption budget, by scope (global, nodegroup:X, zone:Z)."),
          Map.entry(
              DEAD_LETTERS,
              "Records the remediator dead-lettered instead of using, by source topic and kind."),
          Map.entry(POLLS, "Verdict polls of the remediator's consumer."),
          Map.entry(
              CONTAINMENTS,
              "Per-GPU repairs that kept their node schedulable (drained without a cordon), by"
                  + " fault class."),
          Map.entry(
              READ_BARRIER_WAITS,
              "Times a settled disruptive step waited for the remediator to read its verdict's"
                  + " partition to the end."));
}
