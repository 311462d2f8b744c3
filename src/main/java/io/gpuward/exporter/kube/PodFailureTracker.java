package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.exporter.kube.StartFailures.StartFailure;
import io.gpuward.kube.KubeEvents;
import io.gpuward.kube.NodeTracker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Container start failures of the pods on one node, each occurrence published once.
 *
 * <ul>
 *   <li>From pod status: a waiting state is one occurrence as long as its reason and message stay;
 *       a terminated attempt is one occurrence whether it is the current or the last state.
 *   <li>From Pod Events: one occurrence per event object and count (the kubelet bumps the count on
 *       a repeat).
 *   <li>Across the two: the kubelet reports a failed start both as an Event ({@code "Error: "} +
 *       text) and in the container status (text). The second report of the same pod, container and
 *       text within {@link #SAME_FAILURE_WINDOW} of the first is the same failure and is dropped.
 * </ul>
 *
 * Not thread-safe; the watcher serialises calls.
 */
final class PodFailureTracker {

  /** Reports of one failure from the Event and from the status are this close in time. */
  static final Duration SAME_FAILURE_WINDOW = Duration.ofSeconds(5);

  private static final int MAX_EVENTS = 4096;
  private static final int MAX_RECENT = 2048;
  private static final int MAX_PER_POD = 256;

  private final String node;
  private final Clock clock;
  private final NodeTracker nodeState;

  /** Pod uid → occurrences already published from its status. */
  private final Map<String, Set<String>> publishedByPod = new HashMap<>();

  /** namespace/name of the pods on this node (a Pod Event's involvedObject names no node). */
  private final Map<String, String> podUidByKey = new HashMap<>();

  private final Map<String, String> seenEvents = KubeEvents.bounded(MAX_EVENTS);
  private final Map<String, Instant> recent = KubeEvents.bounded(MAX_RECENT);

  PodFailureTracker(String node, Clock clock, NodeTracker nodeState) {
    this.node = node;
    this.clock = clock;
    this.nodeState = nodeState;
  }

  /** Whether the Pod is scheduled on this node (the field selector, checked again). */
  boolean onThisNode(Pod p) {
    return p.getSpec() != null && node.equals(p.getSpec().getNodeName());
  }

  /**
   * Whether a Pod Event is about a pod on this node: the kubelet names its node as the event's
   * source host; otherwise the pod must be one the pod watch has seen here.
   */
  boolean concerns(Event e) {
    if (e.getInvolvedObject() == null || !"Pod".equals(e.getInvolvedObject().getKind())) {
      return false;
    }
    String host = KubeEvents.host(e);
    if (host != null) {
      return node.equals(host);
    }
    return podUidByKey.containsKey(
        e.getInvolvedObject().getNamespace() + "/" + e.getInvolvedObject().getName());
  }

  /** The failures a version of a pod on this node adds to what was published. */
  List<NodeEvent> observe(Pod p) {
    String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    String podUid = p.getMetadata().getUid() != null ? p.getMetadata().getUid() : key;
    podUidByKey.put(key, podUid);
    List<StartFailure> now = StartFailures.fromPod(p);
    if (now.isEmpty()) {
      return List.of();
    }
    Set<String> published =
        publishedByPod.computeIfAbsent(
            podUid, k -> Collections.newSetFromMap(KubeEvents.bounded(MAX_PER_POD)));
    List<NodeEvent> out = new ArrayList<>();
    for (StartFailure f : now) {
      if (!published.add(f.idSuffix())) {
        continue;
      }
      Instant at = f.at() != null ? f.at() : clock.instant();
      if (sameAsRecent(f, at)) {
        continue;
      }
      out.add(event(f, f.idSuffix(), at, "kubelet"));
    }
    return out;
  }

  /** Forgets a deleted pod. */
  void podDeleted(Pod p) {
    String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    String podUid = podUidByKey.remove(key);
    publishedByPod.remove(p.getMetadata().getUid() != null ? p.getMetadata().getUid() : podUid);
  }

  /** The failure a Pod Event on this node adds, if it reports one not yet published. */
  List<NodeEvent> podEvent(Event e) {
    String eventUid = KubeEvents.uid(e);
    String occurrence = KubeEvents.occurrence(e);
    if (occurrence.equals(seenEvents.get(eventUid))) {
      return List.of();
    }
    seenEvents.put(eventUid, occurrence);
    Instant at = KubeEvents.time(e, clock);
    Optional<StartFailure> f = StartFailures.fromEvent(e, at);
    if (f.isEmpty() || sameAsRecent(f.get(), at)) {
      return List.of();
    }
    return List.of(event(f.get(), eventUid + "/" + KubeEvents.count(e), at, KubeEvents.source(e)));
  }

  /** Forgets a deleted Event. */
  void eventDeleted(Event e) {
    seenEvents.remove(KubeEvents.uid(e));
  }

  private boolean sameAsRecent(StartFailure f, Instant at) {
    String key =
        f.namespace()
            + "/"
            + f.pod()
            + "/"
            + f.container()
            + "/"
            + StartFailures.normalized(f.message());
    Instant before = recent.get(key);
    if (before != null && Duration.between(before, at).abs().compareTo(SAME_FAILURE_WINDOW) < 0) {
      return true;
    }
    recent.remove(key);
    recent.put(key, at);
    return false;
  }

  private NodeEvent event(StartFailure f, String suffix, Instant at, String source) {
    return nodeState
        .base(NodeEventKind.CONTAINER_START_FAILURE, suffix, at, source)
        .setReason(f.reason())
        .setMessage(f.message())
        .setNamespace(f.namespace())
        .setPod(f.pod())
        .setContainer(f.container())
        .build();
  }
}
