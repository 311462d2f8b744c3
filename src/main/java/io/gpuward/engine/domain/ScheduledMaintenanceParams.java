package io.gpuward.engine.domain;

import io.gpuward.avro.RemediationAction;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * SCHEDULED_MAINTENANCE ({@code rules.yaml} {@code scheduledEvents}): how far ahead of an EC2
 * scheduled event's start its node is moved off, how long an event without an end stays actionable,
 * and the action per event code.
 *
 * @param lead the verdict opens once the event's start (NotBefore) is this close
 * @param openEndedWindow an event EC2 gives no end (NotAfter) is taken to last this long
 * @param actions the recommended action per event code
 * @param otherCodes the action of a code {@code actions} does not name
 */
public record ScheduledMaintenanceParams(
    Duration lead,
    Duration openEndedWindow,
    Map<String, RemediationAction> actions,
    RemediationAction otherCodes) {

  /**
   * The longest lead: a verdict's validUntil lies at most a week ahead (the remediator refuses one
   * further out), and the window must fit after the lead.
   */
  public static final Duration MAX_LEAD = Duration.ofDays(3);

  /** What rules.yaml ships; a rule set without the section gets it. */
  public static final ScheduledMaintenanceParams DEFAULTS =
      new ScheduledMaintenanceParams(
          Duration.ofHours(24),
          Duration.ofHours(2),
          Map.of(
              "instance-retirement", RemediationAction.REPLACE,
              "instance-stop", RemediationAction.REPLACE,
              "system-reboot", RemediationAction.DRAIN,
              "system-maintenance", RemediationAction.DRAIN,
              "instance-reboot", RemediationAction.REBOOT),
          RemediationAction.ESCALATE);

  public ScheduledMaintenanceParams {
    Objects.requireNonNull(otherCodes, "otherCodes");
    if (lead.isZero() || lead.isNegative() || lead.compareTo(MAX_LEAD) > 0) {
      throw new IllegalArgumentException(
          "scheduledEvents.lead must be more than 0 and at most " + MAX_LEAD.toHours() + "h");
    }
    if (openEndedWindow.isZero()
        || openEndedWindow.isNegative()
        || openEndedWindow.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "scheduledEvents.openEndedWindow must be more than 0 and at most 24h");
    }
    actions = Map.copyOf(actions);
  }

  /** The recommended action for an event of {@code code}. */
  public RemediationAction action(String code) {
    return actions.getOrDefault(code, otherCodes);
  }
}
