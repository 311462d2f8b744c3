package io.gpuward.cli;

import java.time.Instant;
import java.util.List;

/**
 * What {@code gpuward status} shows: the fleet as the topics say it is at {@code asOf}. The
 * component names are the {@code --json} field names, a contract for scripts: add, never rename.
 *
 * @param asOf when the view was made (wall clock)
 * @param since start of the period read from the stream topics; compacted topics are read whole
 */
record StatusView(
    Instant asOf,
    Instant since,
    Summary summary,
    List<OpenVerdict> openVerdicts,
    List<Incident> incidents,
    List<Remediation> remediations,
    List<Budget> budgets,
    List<Control> controls,
    ObserveOnly observeOnly,
    List<DeadLetters> deadLetters) {

  record Summary(
      int nodesWithOpenVerdicts,
      int openVerdicts,
      int heldVerdicts,
      int openIncidents,
      int remediationsInFlight,
      int pausedOrVetoed,
      boolean observeOnly,
      long deadLetters,
      long unreadable) {}

  /** An open verdict; fields the records did not carry (health only) are null. */
  record OpenVerdict(
      String node,
      String verdictId,
      String faultClass,
      String severity,
      String recommendedAction,
      boolean held,
      String incidentId,
      Instant detectedAt,
      Instant validUntil,
      String summary) {}

  /** An open fleet incident; {@code heldVerdicts} counts the open verdicts it holds now. */
  record Incident(
      String incidentId,
      String scope,
      String state,
      String faultClass,
      List<String> nodes,
      int heldVerdicts,
      Instant detectedAt,
      Instant updatedAt,
      String summary) {}

  /** A remediation of an open verdict, as its latest audit record left it. */
  record Remediation(
      String node,
      String verdictId,
      String faultClass,
      String action,
      int attempt,
      String outcome,
      String reason,
      Instant at,
      String policyVersion,
      boolean dryRun,
      String waitingFor,
      Instant until,
      String then) {}

  /** A budget's use as the latest refusal in that scope stated it, at {@code statedAt}. */
  record Budget(
      String scope, String budget, int used, int limit, Instant freesAt, Instant statedAt) {}

  /**
   * A PAUSE or VETO in force at {@code asOf}. {@code audited}: the remediator wrote that it applied
   * it (in the period read); {@code refused}: it dead-lettered it instead.
   */
  record Control(
      String scope,
      String kind,
      String operator,
      String reason,
      Instant issuedAt,
      Instant expiresAt,
      String commandId,
      boolean audited,
      boolean refused) {}

  /** Observe-only as the remediator last announced it; {@code since} null when it never did. */
  record ObserveOnly(boolean on, String reason, Instant since) {}

  record DeadLetters(String topic, String kind, String reason, long count) {}
}
