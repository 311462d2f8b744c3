package io.gpuward.cli;

import java.time.Instant;
import java.util.List;

/**
 * What {@code gpuward explain} shows: for each verdict of a node (or the one verdict asked for),
 * the causal chain from evidence to the next step. Only what the records hold: a field the records
 * do not carry is null, and the text output says so. The component names are the {@code --json}
 * field names.
 *
 * @param target the node name or verdict id asked for
 * @param matched "node" or "verdict": what the target was found as
 */
record Explanation(
    String target, String matched, Instant asOf, Instant since, List<Chain> verdicts) {

  /**
   * One verdict's chain. The fields from the verdict are those of its latest emission read; they
   * are null when the period holds audit records for the verdict but no emission of it.
   */
  record Chain(
      String verdictId,
      String node,
      String nodegroup,
      String zone,
      String instanceId,
      String faultClass,
      String severity,
      String state,
      String recommendedAction,
      String ruleId,
      String ruleVersion,
      Instant detectedAt,
      Instant validUntil,
      String summary,
      String fixHint,
      List<Gpu> gpus,
      List<Evidence> evidence,
      List<Emission> emissions,
      Incident incident,
      List<Step> remediation,
      List<Command> operatorCommands,
      Next next) {}

  /** One GPU of the verdict; {@code pods} its pods as last attributed, empty when unknown. */
  record Gpu(String uuid, Integer index, String pciBusId, List<String> pods) {}

  record Evidence(
      String source,
      Integer partition,
      Long offset,
      String eventId,
      Instant eventTime,
      String signal,
      Double value,
      Instant windowStart,
      Instant windowEnd,
      String gpuUuid,
      String detail) {}

  /** One emission of the verdict, where it is on the verdicts topic. */
  record Emission(
      String state,
      Instant updatedAt,
      String severity,
      boolean held,
      String incidentId,
      String clearReason,
      int partition,
      long offset) {}

  record Incident(
      String incidentId,
      String scope,
      String state,
      List<String> nodes,
      Instant detectedAt,
      Instant updatedAt,
      String summary) {}

  /**
   * One audit record. {@code budget}: the budget use a BUDGET skip states; {@code operator}: who a
   * VETO or PAUSE skip names. Both null when the record does not say.
   */
  record Step(
      Instant at,
      String operationId,
      String action,
      int attempt,
      String outcome,
      String reason,
      String policyVersion,
      boolean dryRun,
      String budget,
      String operator,
      String detail) {}

  /** An operator command on a scope that covers the verdict, newest per scope. */
  record Command(
      String scope,
      String kind,
      String operator,
      String reason,
      Instant issuedAt,
      Instant expiresAt,
      String commandId) {}

  record Next(String waitingFor, Instant until, String then) {}
}
