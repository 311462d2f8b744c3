package io.gpuward.engine.domain;

import io.gpuward.avro.CloudScheduledEvent;
import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * SCHEDULED_MAINTENANCE: the cloud will reboot, stop or retire the node's instance at or after a
 * known time (an EC2 scheduled event, listed in the node's inventory by the cluster watcher: the
 * inventory's only production writer, so a node's own exporter cannot forge one for any node). Once
 * the start is {@link ScheduledMaintenanceParams#lead() lead} away the verdict opens with the
 * action its code calls for, so the node is moved off under the remediator's budgets and holds
 * before the cloud acts rather than losing its pods when it does.
 *
 * <p>The verdict's validUntil is the end of the event's window (NotAfter, or NotBefore plus the
 * open-ended window): the cloud acts anywhere in it, so a verdict that expired at the start would
 * return a node about to be taken away to service. The start itself is in the evidence (window
 * start) as the deadline for disruptive steps. An event first seen at or after its start opens
 * nothing: moving off ahead is no longer possible, and the cloud's action speaks for itself.
 *
 * <p>Recovery: the event completed, canceled or no longer listed (the last one open on the node),
 * or the node gone.
 */
public final class ScheduledMaintenanceRule {
  public static final String RULE_ID = "cloud.ec2-scheduled-event";

  /** Evidence signal of a scheduled event. */
  public static final String SIGNAL = "ec2_scheduled_event";

  /** CloudScheduledEvent.state of an event still to come. */
  public static final String SCHEDULED = "scheduled";

  /** The furthest ahead a verdict may be valid (the remediator refuses one beyond a week). */
  static final Duration MAX_VALID = Duration.ofDays(6);

  private final ScheduledMaintenanceParams params;

  public ScheduledMaintenanceRule(ScheduledMaintenanceParams params) {
    this.params = params;
  }

  /** The most events of one node kept: EC2 lists a handful per instance at most. */
  static final int MAX_EVENTS = 16;

  /**
   * Takes the cloud's current listing of the node's scheduled events, from the watcher's inventory:
   * remembers each event still to come and forgets each one that is over or no longer listed;
   * recovery when the last one that opened a verdict is gone. A null listing (the cloud was not
   * asked) changes nothing.
   */
  public Optional<Signal> onListing(
      NodeState s, String node, List<CloudScheduledEvent> listed, Evidence ev, Instant at) {
    if (listed == null) {
      return Optional.empty();
    }
    TreeMap<String, NodeState.Scheduled> next = new TreeMap<>();
    for (CloudScheduledEvent e : listed.subList(0, Math.min(listed.size(), MAX_EVENTS))) {
      if (SCHEDULED.equals(e.getState()) && !e.getCode().isBlank()) {
        NodeState.Scheduled last = s.scheduledEvents.get(e.getEventId());
        next.put(e.getEventId(), scheduled(e, last != null && last.raised()));
      }
    }
    Optional<NodeState.Scheduled> over =
        s.scheduledEvents.entrySet().stream()
            .filter(e -> e.getValue().raised() && !next.containsKey(e.getKey()))
            .map(Map.Entry::getValue)
            .findFirst();
    s.scheduledEvents = next;
    if (over.isEmpty() || anyRaised(s)) {
      return Optional.empty();
    }
    return Optional.of(
        new Signal.Recovered(
            node,
            EnumSet.of(FaultClass.SCHEDULED_MAINTENANCE),
            List.of(),
            "EC2 " + over.get().code() + " " + overHow(over.get(), listed),
            ev,
            at,
            RULE_ID));
  }

  private static NodeState.Scheduled scheduled(CloudScheduledEvent e, boolean raised) {
    return new NodeState.Scheduled(
        e.getCode(),
        e.getDescription(),
        e.getEventId(),
        e.getNotBefore().toEpochMilli(),
        e.getNotAfter() == null ? null : e.getNotAfter().toEpochMilli(),
        raised);
  }

  /** Completed or canceled as the cloud says, or no longer listed. */
  private static String overHow(NodeState.Scheduled gone, List<CloudScheduledEvent> listed) {
    return listed.stream()
        .filter(e -> e.getEventId().equals(gone.eventId()))
        .map(CloudScheduledEvent::getState)
        .findFirst()
        .orElse("no longer listed");
  }

  /** The node is gone: its instance's events with it. */
  public static void forget(NodeState s) {
    s.scheduledEvents.clear();
  }

  /** Detections at stream time {@code now}: each event whose start is within the lead, once. */
  public List<Signal.Detected> evaluate(String node, NodeState s, Instant now) {
    List<Signal.Detected> out = new ArrayList<>();
    long ms = now.toEpochMilli();
    for (Map.Entry<String, NodeState.Scheduled> e : s.scheduledEvents.entrySet()) {
      NodeState.Scheduled ev = e.getValue();
      if (ev.raised() || ms >= ev.notBefore() || ms < ev.notBefore() - params.lead().toMillis()) {
        continue;
      }
      e.setValue(
          new NodeState.Scheduled(
              ev.code(), ev.description(), ev.eventId(), ev.notBefore(), ev.notAfter(), true));
      out.add(detected(node, ev, now));
    }
    return out;
  }

  private static boolean anyRaised(NodeState s) {
    return s.scheduledEvents.values().stream().anyMatch(NodeState.Scheduled::raised);
  }

  private Signal.Detected detected(String node, NodeState.Scheduled ev, Instant now) {
    Instant start = Instant.ofEpochMilli(ev.notBefore());
    Instant end =
        ev.notAfter() != null && ev.notAfter() > ev.notBefore()
            ? Instant.ofEpochMilli(ev.notAfter())
            : start.plus(params.openEndedWindow());
    Instant validUntil = end.isAfter(now.plus(MAX_VALID)) ? now.plus(MAX_VALID) : end;
    RemediationAction action = params.action(ev.code());
    Evidence evidence =
        Evidences.of(Evidences.NONE, ev.eventId(), now, SIGNAL + ":" + ev.code())
            .setWindowStart(start)
            .setWindowEnd(end)
            .setValue((double) (ev.notBefore() - now.toEpochMilli()))
            .setDetail(ev.description())
            .build();
    return new Signal.Detected(
        node,
        FaultClass.SCHEDULED_MAINTENANCE,
        Severity.MAJOR,
        action,
        List.of(),
        evidence,
        RULE_ID,
        now,
        "EC2 "
            + ev.code()
            + " not before "
            + start
            + (ev.description().isBlank() ? "" : " (" + ev.description() + ")")
            + ": "
            + action
            + " before the window",
        null,
        validUntil);
  }
}
