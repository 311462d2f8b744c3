package io.gpuward.watch;

import io.fabric8.kubernetes.api.model.Node;
import io.gpuward.avro.CloudScheduledEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.InstanceMetadata;
import io.gpuward.kube.KubeIds;
import io.gpuward.kube.NodeInventories;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the inventory topic should hold for each node, from the Nodes the API server has and the
 * instances the cloud has. Pure: the caller gives the time and both views, and publishes what
 * changed.
 *
 * <p>For each node name, first rule that applies:
 *
 * <ol>
 *   <li>its instance is gone (shutting down, terminated, leaving its Auto Scaling group): a
 *       tombstone, also while the Node object lingers: a scale-in is never a fault;
 *   <li>a Node exists: its inventory, {@code registered=true}, with the cloud's ASG, AMI, image
 *       name and SSM status when the Node's provider id names a known instance;
 *   <li>no Node, the instance is pending or running, and has been without a Node for at least the
 *       grace (since launch, or since its Node was deleted): {@code registered=false} with the
 *       instance's type, image, AMI, launch time and SSM status, named by its private DNS name;
 *   <li>no Node, the instance is live but within the grace: no opinion yet;
 *   <li>the Node was deleted and no live instance carries its name: a tombstone.
 * </ol>
 *
 * Stopped instances get no record of their own. While the cloud has not been read yet ({@link
 * View#instances()} null), only rule 2 applies: nothing is removed on half a view.
 */
public final class FleetReconciler {

  /** What one node's inventory should be. */
  public sealed interface Desired {
    /** The node's name (the record key). */
    String node();
  }

  /** Publish this inventory. */
  public record Publish(NodeInventory inventory) implements Desired {
    @Override
    public String node() {
      return inventory.getNode();
    }
  }

  /**
   * Remove the node's inventory (a tombstone).
   *
   * @param why for the log
   */
  public record Tombstone(String node, String why) implements Desired {}

  /**
   * Both views.
   *
   * @param nodes the Node objects by name
   * @param instances the cluster's instances, or null before the cloud was first read
   * @param goneAt when each Node seen by this watcher was deleted
   * @param knownNames node names seen before by instance id (a terminated instance loses its DNS
   *     name; its Node's provider id or an earlier listing still names it)
   */
  public record View(
      Map<String, Node> nodes,
      List<CloudInstance> instances,
      Map<String, Instant> goneAt,
      Map<String, String> knownNames) {
    public View {
      nodes = Map.copyOf(nodes);
      instances = instances == null ? null : List.copyOf(instances);
      goneAt = Map.copyOf(goneAt);
      knownNames = Map.copyOf(knownNames);
    }
  }

  private final InstanceTypeCatalog catalog;
  private final Duration grace;
  private final NodeInventories.Problems problems;

  /**
   * @param catalog expected GPUs by instance type
   * @param grace how long a running instance may be without a Node before it is reported
   * @param problems told about identifiers left out
   */
  public FleetReconciler(
      InstanceTypeCatalog catalog, Duration grace, NodeInventories.Problems problems) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.problems = Objects.requireNonNull(problems, "problems");
  }

  /** The desired record of every node the views have an opinion on, by node name. */
  public Map<String, Desired> reconcile(View view, Instant now) {
    Map<String, CloudInstance> byId = new HashMap<>();
    Map<String, String> names = new HashMap<>(view.knownNames());
    if (view.instances() != null) {
      for (CloudInstance i : view.instances()) {
        byId.put(i.instanceId(), i);
        if (KubeIds.isNodeName(i.privateDnsName())) {
          names.put(i.instanceId(), i.privateDnsName());
        }
      }
    }
    Map<String, Desired> out = new TreeMap<>();
    view.nodes().forEach((name, n) -> out.put(name, registered(name, n, byId, now)));
    if (view.instances() == null) {
      return out;
    }
    Set<String> waiting = new HashSet<>();
    for (CloudInstance i : view.instances()) {
      unregistered(i, names.get(i.instanceId()), view, now, out, waiting);
    }
    view.goneAt()
        .forEach(
            (name, at) -> {
              if (!out.containsKey(name) && !waiting.contains(name)) {
                out.put(name, new Tombstone(name, "Node deleted and no running instance has it"));
              }
            });
    return out;
  }

  private Desired registered(String name, Node n, Map<String, CloudInstance> byId, Instant now) {
    String id =
        n.getSpec() != null
            ? KubeIds.parseProviderId(n.getSpec().getProviderID())
                .map(KubeIds.ProviderId::instanceId)
                .orElse(null)
            : null;
    CloudInstance i = id != null ? byId.get(id) : null;
    if (i != null && i.gone()) {
      return new Tombstone(name, "instance " + id + " " + goneHow(i));
    }
    InstanceMetadata md =
        i == null
            ? null
            : new InstanceMetadata(
                i.instanceId(), i.instanceType(), i.zone(), i.amiId(), i.asgName());
    NodeInventory inv = NodeInventories.fromNode(name, n, md, "EC2", catalog, now, problems);
    if (i == null) {
      return new Publish(inv);
    }
    NodeInventory.Builder b =
        NodeInventory.newBuilder(inv)
            .setSsmPingStatus(i.ssmPingStatus())
            .setScheduledEvents(scheduledEvents(i));
    if (inv.getImage() == null) {
      b.setImage(i.imageName());
    }
    if (inv.getNodegroup() == null) {
      b.setNodegroup(i.nodegroup());
    }
    return new Publish(b.build());
  }

  private void unregistered(
      CloudInstance i,
      String name,
      View view,
      Instant now,
      Map<String, Desired> out,
      Set<String> waiting) {
    if (name == null || out.containsKey(name) || view.nodes().containsKey(name)) {
      return;
    }
    if (i.gone()) {
      out.put(name, new Tombstone(name, "instance " + i.instanceId() + " " + goneHow(i)));
      return;
    }
    if (!i.live()) {
      waiting.add(name); // stopped: neither a fault nor gone
      return;
    }
    Instant since = latest(i.launchedAt(), view.goneAt().get(name));
    if (since != null && now.isBefore(since.plus(grace))) {
      waiting.add(name);
      return;
    }
    if (!KubeIds.isInstanceId(i.instanceId())) {
      problems.invalid("instanceId", i.instanceId(), "EC2");
      return;
    }
    out.put(name, new Publish(unregisteredInventory(name, i, now)));
  }

  /** A running instance without a Node: what it is, from the cloud alone. */
  NodeInventory unregisteredInventory(String name, CloudInstance i, Instant now) {
    String type = check("instanceType", i.instanceType(), KubeIds.isInstanceType(i.instanceType()));
    InstanceType t = type != null ? catalog.resolve(type) : null;
    return NodeInventory.newBuilder()
        .setNode(name)
        .setInstanceId(i.instanceId())
        .setInstanceType(type)
        .setNodegroup(i.nodegroup())
        .setAsgName(check("asgName", i.asgName(), KubeIds.isAsgName(i.asgName())))
        .setZone(check("zone", i.zone(), KubeIds.isZone(i.zone())))
        .setImage(i.imageName())
        .setAmiId(check("amiId", i.amiId(), KubeIds.isAmiId(i.amiId())))
        .setExpectedGpus(t != null ? t.nvidiaGpus() : 0)
        .setGpuModel(t != null && !t.gpuModel().isEmpty() ? t.gpuModel() : null)
        .setMigCapable(t != null && t.migCapable())
        .setRegistered(false)
        .setLaunchedAt(
            i.launchedAt() != null ? i.launchedAt().truncatedTo(ChronoUnit.MILLIS) : null)
        .setUpdatedAt(now.truncatedTo(ChronoUnit.MILLIS))
        .setLabels(Map.of())
        .setSsmPingStatus(i.ssmPingStatus())
        .setScheduledEvents(scheduledEvents(i))
        .build();
  }

  /** The instance's scheduled events as inventory lists them; null when they were not read. */
  static List<CloudScheduledEvent> scheduledEvents(CloudInstance i) {
    if (i.scheduledEvents() == null) {
      return null;
    }
    return i.scheduledEvents().stream()
        .map(
            e ->
                CloudScheduledEvent.newBuilder()
                    .setEventId(e.key())
                    .setCode(e.code())
                    .setDescription(e.description())
                    .setNotBefore(e.notBefore().truncatedTo(ChronoUnit.MILLIS))
                    .setNotAfter(
                        e.notAfter() == null ? null : e.notAfter().truncatedTo(ChronoUnit.MILLIS))
                    .setState(e.state())
                    .build())
        .toList();
  }

  private String check(String field, String value, boolean ok) {
    if (value == null || ok) {
      return value;
    }
    problems.invalid(field, value, "EC2");
    return null;
  }

  private static String goneHow(CloudInstance i) {
    return i.asgLifecycle() != null && !i.asgLifecycle().equals("InService")
        ? i.state() + ", " + i.asgLifecycle() + " in " + i.asgName()
        : i.state();
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }
}
