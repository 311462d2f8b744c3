package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SCHEDULED_MAINTENANCE: the cloud will reboot, stop or retire the node's instance at or after a
 * known time (an EC2 scheduled event, reported by the cluster watcher as a SCHEDULED_EVENT node
 * event). Once the start is {@link ScheduledMaintenanceParams#lead() lead} away the verdict opens
 * with the action its code calls for, so the node is moved off under the remediator's budgets and
 * holds before the cloud acts rather than losing its pods when it does.
 *
 * <p>The verdict's validUntil is the end of the event's window (NotAfter, or NotBefore plus the
 * open-ended window): the cloud acts anywhere in it, so a verdict that expired at the start would
 * return a node about to be taken away to service. The start itself is in the evidence (window
 * start) as the deadline for disruptive steps. An event first seen at or after its start opens
 * nothing: moving off ahead is no longer possible, and the cloud's action speaks for itself.
 *
 * <p>Recovery: the event completed or canceled (the last one open on the node), or the node gone.
 */
public final class ScheduledMaintenanceRule {
  public static final String RULE_ID = "cloud.ec2-scheduled-event";

  /** Evidence signal of a scheduled event. */
  public static final String SIGNAL = "ec2_scheduled_event";

  /** NodeEvent.scheduledState of an event still to come. */
  public static final String SCHEDULED = "scheduled";

  /** The furthest ahead a verdict may be valid (the remediator refuses one beyond a week). */
  static final Duration MAX_VALID = Duration.ofDays(6);

  private final ScheduledMaintenanceParams params;

  public ScheduledMaintenanceRule(ScheduledMaintenanceParams params) {
    this.params = params;
  }

  /**
   * What names one event on a node across its reports: its event id without the trailing start and
   * state ({@code <node>/SCHEDULED_EVENT/<instance>/<EC2 event id>}), so a report that EC2 moved
   * the window replaces the one before instead of leaving it open for good.
   */
  public static String key(NodeEvent e) {
    String id = e.getEventId();
    int state = id.lastIndexOf('/');
    int start = state > 0 ? id.lastIndexOf('/', state - 1) : -1;
    return start > 0 ? id.substring(0, start) : id;
  }

  /**
   * Remembers an event still to come, or forgets one that is over: recovery when it was the last
   * one open on the node.
   */
  public Optional<Signal> onEvent(NodeState s, NodeEvent e, Evidence ev) {
    if (e.getNotBefore() == null || e.getReason() == null) {
      return Optional.empty();
    }
    String key = key(e);
    if (SCHEDULED.equals(e.getScheduledState())) {
      NodeState.Scheduled last = s.scheduledEvents.get(key);
      s.scheduledEvents.put(
          key,
          new NodeState.Scheduled(
              e.getReason(),
              e.getMessage() == null ? "" : e.getMessage(),
              e.getEventId(),
              e.getNotBefore().toEpochMilli(),
              e.getNotAfter() == null ? null : e.getNotAfter().toEpochMilli(),
              last != null && last.raised()));
      return Optional.empty();
    }
    NodeState.Scheduled gone = s.scheduledEvents.remove(key);
    if (gone == null || !gone.raised() || anyRaised(s)) {
      return Optional.empty();
    }
    return Optional.of(
        new Signal.Recovered(
            e.getNode(),
            EnumSet.of(FaultClass.SCHEDULED_MAINTENANCE),
            List.of(),
            "EC2 " + e.getReason() + " " + e.getScheduledState(),
            ev,
            e.getEventTime(),
            RULE_ID));
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
