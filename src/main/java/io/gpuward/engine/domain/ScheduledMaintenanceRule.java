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
import java.util.Set;
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
 * <p>Recovery: the event canceled, completed or no longer listed (the last one open on the node),
 * or the node gone. An event after which the same node comes back ({@link #RETURNS}: the cloud
 * rebooted or maintained its host) recovers only once the node is back: Ready and, for a reboot,
 * with a new boot id since the event was due. EC2 may list a reboot completed while the host still
 * boots, and clearing then would let the remediator uncordon a node that is not up; a node that
 * never reports the reboot recovers, Ready, at the end of the event's window.
 */
public final class ScheduledMaintenanceRule {
  public static final String RULE_ID = "cloud.ec2-scheduled-event";

  /** Evidence signal of a scheduled event. */
  public static final String SIGNAL = "ec2_scheduled_event";

  /** CloudScheduledEvent.state of an event still to come. */
  public static final String SCHEDULED = "scheduled";

  /** CloudScheduledEvent.state of an event the cloud called off. */
  static final String CANCELED = "canceled";

  /** Codes whose host the cloud reboots in the window: the node comes back with a new boot id. */
  static final Set<String> REBOOTS = Set.of("system-reboot", "instance-reboot");

  /** Codes after which the same node comes back to service (its instance is not taken away). */
  static final Set<String> RETURNS =
      Set.of("system-reboot", "instance-reboot", "system-maintenance");

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
    NodeState.Scheduled gone = over.get();
    String how = overHow(gone, listed);
    if (!CANCELED.equals(how) && RETURNS.contains(gone.code()) && !back(s, gone)) {
      s.returning = gone;
      return Optional.empty();
    }
    return Optional.of(recovered(node, gone, how, ev, at));
  }

  /**
   * The node rebooted or turned Ready (its state already says so): recovery of an event that was
   * waiting for the node to come back, when it now has.
   */
  public Optional<Signal> onNodeBack(NodeState s, String node, Evidence ev, Instant at) {
    NodeState.Scheduled r = s.returning;
    if (r == null || !back(s, r)) {
      return Optional.empty();
    }
    s.returning = null;
    String how = REBOOTS.contains(r.code()) ? "over: node rebooted and Ready" : "over: node Ready";
    return Optional.of(recovered(node, r, how, ev, at));
  }

  /**
   * Recovery at stream time {@code now} of an event over whose node never reported the reboot, once
   * the event's window has ended and the node is not NotReady: the cloud is done with it.
   */
  public Optional<Signal> windowEnded(String node, NodeState s, Instant now) {
    NodeState.Scheduled r = s.returning;
    if (r == null || now.isBefore(windowEnd(r)) || Boolean.FALSE.equals(s.ready) || anyRaised(s)) {
      return Optional.empty();
    }
    s.returning = null;
    Evidence ev = Evidences.of(Evidences.NONE, r.eventId(), now, "stream_time").build();
    return Optional.of(recovered(node, r, "over: its window ended", ev, now));
  }

  /**
   * Whether the cloud may be rebooting the node now: a reboot event on it is due or over, and the
   * node has not come back from it. A node silent and NotReady then is not hung.
   */
  public boolean cloudRebooting(NodeState s, Instant now) {
    long ms = now.toEpochMilli();
    boolean due =
        s.scheduledEvents.values().stream()
            .anyMatch(e -> e.raised() && REBOOTS.contains(e.code()) && ms >= e.notBefore());
    return due || (s.returning != null && REBOOTS.contains(s.returning.code()));
  }

  /** Ready (or not known NotReady) and, after a reboot event, rebooted since it was due. */
  private boolean back(NodeState s, NodeState.Scheduled e) {
    if (Boolean.FALSE.equals(s.ready)) {
      return false;
    }
    if (!REBOOTS.contains(e.code())) {
      return true;
    }
    // The user may reboot an instance-reboot's instance early (that completes it); a host reboot
    // is the cloud's, in the window.
    long since =
        e.code().equals("instance-reboot")
            ? e.notBefore() - params.lead().toMillis()
            : e.notBefore();
    return s.rebootedAt != null && s.rebootedAt >= since;
  }

  private Instant windowEnd(NodeState.Scheduled e) {
    return e.notAfter() != null && e.notAfter() > e.notBefore()
        ? Instant.ofEpochMilli(e.notAfter())
        : Instant.ofEpochMilli(e.notBefore()).plus(params.openEndedWindow());
  }

  private static Signal.Recovered recovered(
      String node, NodeState.Scheduled e, String how, Evidence ev, Instant at) {
    return new Signal.Recovered(
        node,
        EnumSet.of(FaultClass.SCHEDULED_MAINTENANCE),
        List.of(),
        "EC2 " + e.code() + " " + how,
        ev,
        at,
        RULE_ID);
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
    s.returning = null;
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
      s.returning = null; // the new event's verdict is the one open now
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
