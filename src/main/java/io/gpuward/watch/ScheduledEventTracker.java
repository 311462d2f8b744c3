package io.gpuward.watch;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.kube.KubeIds;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * EC2 scheduled events as SCHEDULED_EVENT node events, each once: when first listed, and again when
 * it completes or is canceled (or EC2 moves its start). The event id is deterministic ({@code
 * <node>/SCHEDULED_EVENT/<instance id>/<event id or code>/<notBefore ms>/<state>}), so a new leader
 * that publishes what it lists again repeats its predecessor's ids, which the engine drops.
 *
 * <p>Only what the current listing holds is remembered: an event EC2 stopped listing is forgotten.
 */
final class ScheduledEventTracker {

  private final Clock clock;
  private Set<String> published = new HashSet<>();

  ScheduledEventTracker(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The node events of what changed since the last listing.
   *
   * @param events every event EC2 lists for the cluster's instances now
   * @param nodeOf the node name of each instance id (events of an instance without one are left
   *     until it has one)
   */
  List<NodeEvent> observe(List<ScheduledEvent> events, Map<String, String> nodeOf) {
    Set<String> listed = new HashSet<>();
    List<NodeEvent> out = new ArrayList<>();
    for (ScheduledEvent e : events) {
      String node = nodeOf.get(e.instanceId());
      if (!KubeIds.isNodeName(node)) {
        continue;
      }
      String id = eventId(node, e);
      listed.add(id);
      if (!published.contains(id)) {
        out.add(event(node, id, e));
      }
    }
    published = listed;
    return out;
  }

  /** Forgets what was published for an event so it is sent again (its send failed). */
  void unpublished(NodeEvent e) {
    published.remove(e.getEventId());
  }

  static String eventId(String node, ScheduledEvent e) {
    return node
        + "/"
        + NodeEventKind.SCHEDULED_EVENT.name()
        + "/"
        + e.instanceId()
        + "/"
        + e.key()
        + "/"
        + e.notBefore().toEpochMilli()
        + "/"
        + e.state();
  }

  private NodeEvent event(String node, String id, ScheduledEvent e) {
    return NodeEvent.newBuilder()
        .setEventId(id)
        .setNode(node)
        .setKind(NodeEventKind.SCHEDULED_EVENT)
        .setEventTime(clock.instant().truncatedTo(ChronoUnit.MILLIS))
        .setSource(ClusterWatcher.SOURCE)
        .setReason(e.code())
        .setMessage(e.description())
        .setNotBefore(millis(e.notBefore()))
        .setNotAfter(millis(e.notAfter()))
        .setScheduledState(e.state())
        .build();
  }

  private static Instant millis(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS);
  }
}
