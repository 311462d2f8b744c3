package io.gpuward.watch;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One EC2 scheduled event on an instance, as {@code DescribeInstanceStatus} lists it: the cloud
 * will reboot, stop or retire the instance at or after {@code notBefore}.
 *
 * @param instanceId the instance
 * @param eventId EC2's id of the event ({@code instance-event-0d59937288b749b32}), or null
 * @param code instance-retirement, instance-stop, instance-reboot, system-reboot or
 *     system-maintenance
 * @param description EC2's description; it starts {@code [Completed]} or {@code [Canceled]} once
 *     the event is over (EC2 lists it for up to a week after)
 * @param notBefore the earliest time the cloud carries it out
 * @param notAfter the end of its window, or null
 */
public record ScheduledEvent(
    String instanceId,
    String eventId,
    String code,
    String description,
    Instant notBefore,
    Instant notAfter) {

  /** {@link #state()} of an event still to come. */
  public static final String SCHEDULED = "scheduled";

  /** {@link #state()} of an event the cloud carried out. */
  public static final String COMPLETED = "completed";

  /** {@link #state()} of an event the cloud called off. */
  public static final String CANCELED = "canceled";

  public ScheduledEvent {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(notBefore, "notBefore");
    description = description == null ? "" : description;
  }

  /** {@link #SCHEDULED}, {@link #COMPLETED} or {@link #CANCELED}, from the description's prefix. */
  public String state() {
    String d = description.stripLeading().toLowerCase(Locale.ROOT);
    if (d.startsWith("[completed]")) {
      return COMPLETED;
    }
    if (d.startsWith("[canceled]") || d.startsWith("[cancelled]")) {
      return CANCELED;
    }
    return SCHEDULED;
  }

  /** Whether the event is over (completed or canceled). */
  public boolean over() {
    return !SCHEDULED.equals(state());
  }

  /** What names this event across polls: EC2's event id, or its code when EC2 gave none. */
  public String key() {
    return eventId != null && !eventId.isBlank() ? eventId : code;
  }
}
