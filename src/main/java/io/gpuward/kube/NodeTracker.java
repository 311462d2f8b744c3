package io.gpuward.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last published state of one Node, and the NodeEvents a new version of it (or a Node Event)
 * adds to that state. Whatever was published is not published again: a resync, a relist or an
 * update that changes nothing of interest yields no events. Not thread-safe; the watcher serialises
 * calls.
 *
 * <p>Event ids are deterministic, so that the same fact observed again after an exporter restart
 * carries the same id: {@code <node>/<KIND>/<suffix>} where the suffix is the node uid
 * (registration, removal), the boot id (reboot), type/status/reason/transition time (condition),
 * the Node's resourceVersion (resource and label snapshots) or the Event's uid and count.
 */
public final class NodeTracker {
  private static final Logger log = LoggerFactory.getLogger(NodeTracker.class);

  public static final String GPU_RESOURCE = "nvidia.com/gpu";
  public static final String REBOOTED = "Rebooted";

  private static final Pattern BOOT_ID_IN_MESSAGE =
      Pattern.compile("boot id:\\s*([0-9A-Za-z][-0-9A-Za-z]*)");

  private static final Set<String> KUBELET_CONDITIONS =
      Set.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

  private static final Set<String> NMA_CONDITIONS =
      Set.of(
          "AcceleratedHardwareReady",
          "ContainerRuntimeReady",
          "KernelReady",
          "NetworkingReady",
          "StorageReady");

  private static final int MAX_EVENTS = 4096;
  private static final int MAX_BOOTS = 32;

  private record Cond(String status, String reason) {}

  private record Gpus(Integer capacity, Integer allocatable) {}

  private final String node;
  private final Clock clock;
  private final String self;

  private String uid;
  private String bootId;
  private Boolean unschedulable;
  private final Map<String, Cond> conditions = new LinkedHashMap<>();
  private final Map<String, Boolean> rebootedBoots = KubeEvents.bounded(MAX_BOOTS);
  private Gpus gpus;
  private SortedMap<String, String> labels;
  private final Map<String, String> seenEvents = KubeEvents.bounded(MAX_EVENTS);

  /** A tracker whose own observations (removal, unknown condition types) say {@code exporter}. */
  public NodeTracker(String node, Clock clock) {
    this(node, clock, "exporter");
  }

  /**
   * @param self the source named on what this tracker observes itself rather than relays: the
   *     Node's removal and condition types of no known reporter ({@code exporter}, {@code watcher})
   */
  public NodeTracker(String node, Clock clock, String self) {
    this.node = node;
    this.clock = clock;
    this.self = self;
  }

  /** The boot id last seen in the Node's status, or null. */
  public String bootId() {
    return bootId;
  }

  /** spec.unschedulable as last seen (false when unset), or null before the Node was seen. */
  public Boolean unschedulable() {
    return unschedulable;
  }

  /** Whether the Node has been seen (and not deleted since). */
  public boolean registered() {
    return uid != null;
  }

  /** Whether the Event is about this Node (the API server's field selector, checked again). */
  public boolean concerns(Event e) {
    return e.getInvolvedObject() != null
        && "Node".equals(e.getInvolvedObject().getKind())
        && node.equals(e.getInvolvedObject().getName());
  }

  /** The events that a version of the Node adds to what was published; empty when none. */
  public List<NodeEvent> observe(Node n) {
    List<NodeEvent> out = new ArrayList<>();
    String newUid = n.getMetadata().getUid();
    if (uid != null && newUid != null && !uid.equals(newUid)) {
      // Deleted and registered again while the watch was away: close the old object first.
      out.addAll(removed(uid, null));
    }
    unschedulable =
        Boolean.TRUE.equals(n.getSpec() != null ? n.getSpec().getUnschedulable() : null);
    String newBoot =
        n.getStatus() != null && n.getStatus().getNodeInfo() != null
            ? blankToNull(n.getStatus().getNodeInfo().getBootID())
            : null;
    if (uid == null) {
      uid = newUid != null ? newUid : "unknown";
      bootId = newBoot;
      Instant created = KubeTimes.parse(n.getMetadata().getCreationTimestamp());
      out.add(
          base(NodeEventKind.NODE_REGISTERED, uid, created, "kubelet")
              .setMessage("Node " + node + " registered")
              .build());
    } else if (newBoot != null && !newBoot.equals(bootId)) {
      String previous = bootId;
      bootId = newBoot;
      if (rebootedBoots.put(newBoot, Boolean.TRUE) == null) {
        out.add(
            base(NodeEventKind.NODE_REBOOTED, newBoot, null, "kubelet")
                .setReason(REBOOTED)
                .setMessage("Node " + node + " boot id changed from " + previous + " to " + newBoot)
                .build());
      }
    }
    out.addAll(conditions(n));
    resources(n, out);
    labels(n, out);
    return out;
  }

  private List<NodeEvent> conditions(Node n) {
    List<NodeEvent> out = new ArrayList<>();
    List<NodeCondition> now =
        n.getStatus() != null && n.getStatus().getConditions() != null
            ? n.getStatus().getConditions()
            : List.of();
    Set<String> present = new HashSet<>();
    for (NodeCondition c : now) {
      if (c == null || c.getType() == null) {
        continue;
      }
      present.add(c.getType());
      Cond cur = new Cond(c.getStatus(), c.getReason());
      Cond prev = conditions.put(c.getType(), cur);
      if (cur.equals(prev)) {
        continue;
      }
      Instant transition = KubeTimes.parse(c.getLastTransitionTime());
      Instant at = transition;
      if (prev != null && Objects.equals(prev.status(), cur.status())) {
        // Only the reason changed: the transition time stays; the heartbeat carries the change.
        Instant heartbeat = KubeTimes.parse(c.getLastHeartbeatTime());
        at =
            heartbeat != null && (transition == null || heartbeat.isAfter(transition))
                ? heartbeat
                : null;
      }
      String suffix =
          c.getType()
              + "/"
              + c.getStatus()
              + "/"
              + c.getReason()
              + "/"
              + (at != null ? at.toEpochMilli() : transitionOrResourceVersion(transition, n));
      out.add(
          base(NodeEventKind.CONDITION_CHANGED, suffix, at, conditionSource(c))
              .setConditionType(c.getType())
              .setConditionStatus(c.getStatus())
              .setReason(c.getReason())
              .setMessage(c.getMessage())
              .build());
    }
    conditions.keySet().removeIf(type -> !present.contains(type));
    return out;
  }

  private static String transitionOrResourceVersion(Instant transition, Node n) {
    return transition != null
        ? Long.toString(transition.toEpochMilli())
        : "rv" + n.getMetadata().getResourceVersion();
  }

  private String conditionSource(NodeCondition c) {
    if ("NodeStatusUnknown".equals(c.getReason())) {
      return "node-controller";
    }
    if (KUBELET_CONDITIONS.contains(c.getType())) {
      return "kubelet";
    }
    if (NMA_CONDITIONS.contains(c.getType())) {
      return "eks-node-monitoring-agent";
    }
    return self;
  }

  private void resources(Node n, List<NodeEvent> out) {
    Gpus now =
        new Gpus(
            gpuCount(n.getStatus() != null ? n.getStatus().getCapacity() : null, "capacity"),
            gpuCount(n.getStatus() != null ? n.getStatus().getAllocatable() : null, "allocatable"));
    boolean first = gpus == null;
    if (now.equals(gpus) || (first && now.capacity() == null && now.allocatable() == null)) {
      gpus = now;
      return;
    }
    gpus = now;
    out.add(
        base(
                NodeEventKind.RESOURCE_SNAPSHOT,
                "rv" + n.getMetadata().getResourceVersion(),
                null,
                "kubelet")
            .setGpuCapacity(now.capacity())
            .setGpuAllocatable(now.allocatable())
            .build());
  }

  private Integer gpuCount(Map<String, Quantity> resources, String what) {
    if (resources == null) {
      return null;
    }
    Quantity q = resources.get(GPU_RESOURCE);
    if (q == null) {
      return null;
    }
    try {
      BigDecimal v = q.getNumericalAmount();
      return v.intValueExact();
    } catch (RuntimeException e) {
      log.warn(
          "node={} status.{} {}={} is not a whole number; ignored",
          node,
          what,
          GPU_RESOURCE,
          KubeIds.printable(q.toString()));
      return null;
    }
  }

  private void labels(Node n, List<NodeEvent> out) {
    SortedMap<String, String> now = NodeLabels.ofInterest(n.getMetadata().getLabels());
    boolean first = labels == null;
    if (now.equals(labels) || (first && now.isEmpty())) {
      labels = now;
      return;
    }
    labels = now;
    out.add(
        base(
                NodeEventKind.LABELS_SNAPSHOT,
                "rv" + n.getMetadata().getResourceVersion(),
                null,
                "kubelet")
            .setLabels(new LinkedHashMap<>(now))
            .build());
  }

  /** NODE_REMOVED for the deleted Node, then the state is forgotten. */
  public List<NodeEvent> removed(Node n) {
    String goneUid = n.getMetadata() != null ? n.getMetadata().getUid() : null;
    if (uid == null) {
      return List.of();
    }
    Instant at =
        n.getMetadata() != null ? KubeTimes.parse(n.getMetadata().getDeletionTimestamp()) : null;
    return removed(goneUid != null ? goneUid : uid, at);
  }

  private List<NodeEvent> removed(String goneUid, Instant at) {
    NodeEvent e =
        base(NodeEventKind.NODE_REMOVED, goneUid, at, self)
            .setMessage("Node " + node + " deleted")
            .build();
    uid = null;
    bootId = null;
    unschedulable = null;
    conditions.clear();
    gpus = null;
    labels = null;
    return List.of(e);
  }

  /**
   * The event a Node Event adds: NODE_REBOOTED for {@code Rebooted} (unless that boot was already
   * reported from the boot id), KUBE_EVENT for every other reason; nothing for an occurrence
   * already published.
   */
  public List<NodeEvent> nodeEvent(Event e) {
    String eventUid = KubeEvents.uid(e);
    String occurrence = KubeEvents.occurrence(e);
    if (occurrence.equals(seenEvents.get(eventUid))) {
      return List.of();
    }
    seenEvents.put(eventUid, occurrence);
    Instant at = KubeEvents.time(e, clock);
    if (REBOOTED.equals(e.getReason())) {
      String boot = bootIdIn(e.getMessage());
      if (boot == null) {
        boot = bootId;
      }
      if (boot != null && rebootedBoots.put(boot, Boolean.TRUE) != null) {
        return List.of();
      }
      return List.of(
          base(
                  NodeEventKind.NODE_REBOOTED,
                  boot != null ? boot : eventUid + "/" + KubeEvents.count(e),
                  at,
                  KubeEvents.source(e))
              .setReason(e.getReason())
              .setMessage(e.getMessage())
              .setBootId(boot)
              .build());
    }
    return List.of(
        base(
                NodeEventKind.KUBE_EVENT,
                eventUid + "/" + KubeEvents.count(e),
                at,
                KubeEvents.source(e))
            .setReason(e.getReason())
            .setMessage(e.getMessage())
            .build());
  }

  /** Forgets a deleted Event (events expire after an hour). */
  public void eventDeleted(Event e) {
    seenEvents.remove(KubeEvents.uid(e));
  }

  public static String bootIdIn(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = BOOT_ID_IN_MESSAGE.matcher(message);
    return m.find() ? m.group(1) : null;
  }

  /**
   * A NodeEvent of this node; a null time means "now" by the injected clock. A time the API server
   * stamped after our own now (a creation or transition time from a server whose clock runs ahead)
   * is taken as now: an event time from the future would move the engine's stream time past every
   * node's real telemetry.
   */
  public NodeEvent.Builder base(NodeEventKind kind, String suffix, Instant at, String source) {
    Instant now = clock.instant();
    return NodeEvent.newBuilder()
        .setEventId(node + "/" + kind.name() + "/" + suffix)
        .setNode(node)
        .setKind(kind)
        .setEventTime((at != null && !at.isAfter(now) ? at : now).truncatedTo(ChronoUnit.MILLIS))
        .setSource(source)
        .setBootId(bootId)
        .setUnschedulable(unschedulable);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
