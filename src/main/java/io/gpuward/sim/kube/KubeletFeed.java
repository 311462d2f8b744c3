package io.gpuward.sim.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.kube.NodeLabels;
import io.gpuward.sim.SimulatedCluster;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What the simulated kubelets and controllers report beyond the cluster model, taken from the
 * simulator's kube {@link NodeEvent}s on their way to the real sink: Node and Pod Events (start
 * failures, NotReady, reboots, cordons), condition types other than Ready, and the labels GPU
 * feature discovery sets. The simulator's sink is wrapped ({@link #before}), so every record still
 * reaches it unchanged.
 *
 * <p>The simulator's thread calls it; the projection reads {@link #labels} and {@link #conditions}
 * from its own thread, hence the concurrent maps of immutable copies.
 */
final class KubeletFeed {

  /** Namespace of Events about nodes (cluster-scoped objects), as the kubelet writes them. */
  static final String NODE_EVENT_NAMESPACE = "default";

  private final Consumer<Event> events;
  private final Runnable changed;
  private final Map<String, Map<String, String>> labels = new ConcurrentHashMap<>();
  private final Map<String, Map<String, WorldObjects.Condition>> conditions =
      new ConcurrentHashMap<>();

  /**
   * @param events writes an Event into the API
   * @param changed called when a node's labels or conditions changed
   */
  KubeletFeed(Consumer<Event> events, Runnable changed) {
    this.events = Objects.requireNonNull(events, "events");
    this.changed = Objects.requireNonNull(changed, "changed");
  }

  Map<String, String> labels(String node) {
    return labels.getOrDefault(node, Map.of());
  }

  Map<String, WorldObjects.Condition> conditions(String node) {
    return conditions.getOrDefault(node, Map.of());
  }

  /** A sink that reads every record on its way to {@code downstream}, which gets it unchanged. */
  TelemetrySink before(TelemetrySink downstream) {
    Objects.requireNonNull(downstream, "downstream");
    return new TelemetrySink() {
      @Override
      public void gpuSample(GpuSample s) {
        downstream.gpuSample(s);
      }

      @Override
      public void xid(XidEvent e) {
        downstream.xid(e);
      }

      @Override
      public void nodeEvent(NodeEvent e) {
        project(e);
        downstream.nodeEvent(e);
      }

      @Override
      public void inventory(NodeInventory i) {
        downstream.inventory(i);
      }

      @Override
      public void inventoryRemoved(String node) {
        labels.remove(node);
        conditions.remove(node);
        downstream.inventoryRemoved(node);
      }
    };
  }

  private void project(NodeEvent e) {
    switch (e.getKind()) {
      case LABELS_SNAPSHOT -> {
        labels.put(e.getNode(), Map.copyOf(NodeLabels.ofInterest(e.getLabels())));
        changed.run();
      }
      case CONDITION_CHANGED -> condition(e);
      case KUBE_EVENT, NODE_REBOOTED, NODE_REGISTERED, NODE_REMOVED ->
          events.accept(nodeEvent(e, e.getReason(), e.getMessage()));
      case CONTAINER_START_FAILURE -> events.accept(podEvent(e));
      default -> {
        // samples of state the cluster model serves itself (resources) or exporter-only records
      }
    }
  }

  private void condition(NodeEvent e) {
    String type = e.getConditionType();
    if (type == null) {
      return;
    }
    if ("Ready".equals(type)) {
      // The node controller's Event; the Ready condition itself comes from the cluster model.
      boolean ready = "True".equals(e.getConditionStatus());
      String reason = ready ? "NodeReady" : "NodeNotReady";
      events.accept(nodeEvent(e, reason, "Node " + e.getNode() + " status is now: " + reason));
      return;
    }
    Map<String, WorldObjects.Condition> m = new TreeMap<>(conditions(e.getNode()));
    m.put(
        type,
        new WorldObjects.Condition(
            e.getConditionStatus(), e.getReason(), e.getMessage(), e.getEventTime()));
    conditions.put(e.getNode(), Map.copyOf(m));
    changed.run();
  }

  private static Event nodeEvent(NodeEvent e, String reason, String message) {
    return base(e, NODE_EVENT_NAMESPACE, e.getNode(), reason, message)
        .withNewInvolvedObject()
        .withApiVersion("v1")
        .withKind("Node")
        .withName(e.getNode())
        .withUid(e.getNode())
        .endInvolvedObject()
        .withType("Rebooted".equals(reason) || "NodeNotReady".equals(reason) ? "Warning" : "Normal")
        .build();
  }

  private static Event podEvent(NodeEvent e) {
    String ns = e.getNamespace() == null ? SimulatedCluster.WORKLOAD_NAMESPACE : e.getNamespace();
    return base(e, ns, e.getPod(), e.getReason(), e.getMessage())
        .withNewInvolvedObject()
        .withApiVersion("v1")
        .withKind("Pod")
        .withNamespace(ns)
        .withName(e.getPod())
        .withUid(WorldObjects.podUid(ns, e.getPod()))
        .withFieldPath(
            e.getContainer() == null ? null : "spec.containers{" + e.getContainer() + "}")
        .endInvolvedObject()
        .withType("Warning")
        .build();
  }

  private static EventBuilder base(
      NodeEvent e, String namespace, String object, String reason, String message) {
    String at = WorldObjects.time(e.getEventTime());
    String id = WorldObjects.uid("event", e.getEventId()).replace("-", "").substring(0, 16);
    return new EventBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(object + "." + id)
        .addToLabels(WorldObjects.MANAGED_BY, WorldObjects.MANAGED_BY_VALUE)
        .endMetadata()
        .withReason(reason)
        .withMessage(message == null ? reason : message)
        .withNewSource()
        .withComponent(e.getSource())
        .withHost(e.getNode())
        .endSource()
        .withReportingComponent(e.getSource())
        .withReportingInstance(e.getNode())
        .withFirstTimestamp(at)
        .withLastTimestamp(at)
        .withCount(1);
  }
}
