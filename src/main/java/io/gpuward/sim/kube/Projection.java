package io.gpuward.sim.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.gpuward.sim.ClusterSnapshot;
import io.gpuward.sim.NodeView;
import io.gpuward.sim.PdbView;
import io.gpuward.sim.PodView;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.aws.CloudWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the simulated cluster into the API store: Nodes, their Pods and the PodDisruptionBudgets,
 * created, updated and deleted as the model changes.
 *
 * <p>Each {@link #sync} takes one {@link ClusterSnapshot} and writes what differs from what it
 * wrote last, in dependency order: Nodes created or updated first, then Pods deleted and created,
 * then budgets, then Nodes that left (their Pods first). Writes happen only on a difference, so a
 * watcher sees one MODIFIED per change and none while the world is quiet.
 */
final class Projection {

  /** How often the kubelet refreshes an unchanged node status (its nodeStatusReportFrequency). */
  static final Duration HEARTBEAT = Duration.ofMinutes(5);

  private record Ready(boolean ready, Instant since) {}

  private final SimulatedCluster cluster;
  private final CrudStore store;
  private final KubeletFeed feed;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final Map<String, Ready> ready = new HashMap<>();
  private final Map<String, Map<String, PodView>> podsByNode = new HashMap<>();
  private final Map<String, Instant> podCreated = new HashMap<>();
  private final Map<String, Object> pdbs = new HashMap<>();
  private final Map<String, Object> slices = new HashMap<>();

  Projection(SimulatedCluster cluster, CrudStore store, KubeletFeed feed) {
    this.cluster = cluster;
    this.store = store;
    this.feed = feed;
  }

  /** Brings the store up to the cluster model's state now. */
  synchronized void sync() {
    ClusterSnapshot s = cluster.snapshot();
    Map<String, String> images = images();
    Set<String> present = new HashSet<>();
    for (NodeView v : s.nodes()) {
      present.add(v.name());
      node(v, s.at(), OsImages.of(images.get(v.live().instanceId())));
      pods(v.name(), v.pods(), s.at());
      slice(v);
    }
    for (PdbView p : s.pdbs()) {
      pdb(p, s);
    }
    for (String gone : List.copyOf(nodes.keySet())) {
      if (!present.contains(gone)) {
        pods(gone, List.of(), s.at());
        podsByNode.remove(gone);
        ready.remove(gone);
        nodes.remove(gone);
        if (slices.remove(gone) != null) {
          store.delete(ApiPaths.resourceSlice(WorldObjects.sliceName(gone)));
        }
        store.delete(ApiPaths.node(gone));
      }
    }
  }

  /** Instance id to the image it booted, as the cloud describes it. */
  private Map<String, String> images() {
    Map<String, String> out = new HashMap<>();
    for (CloudWorld.Instance i : cluster.cloudInstances()) {
      if (i.imageName() != null) {
        out.put(i.instanceId(), i.imageName());
      }
    }
    return out;
  }

  private void node(NodeView v, Instant now, String osImage) {
    Ready r = ready.get(v.name());
    if (r == null || r.ready() != v.live().ready()) {
      r = new Ready(v.live().ready(), r == null ? v.launchedAt() : now);
      ready.put(v.name(), r);
    }
    Instant beat = heartbeat(r.since(), now);
    WorldObjects.NodeExtras extras =
        new WorldObjects.NodeExtras(
            r.since(), beat, feed.labels(v.name()), feed.conditions(v.name()), osImage);
    Node built = WorldObjects.node(v, extras);
    if (!built.equals(nodes.get(v.name()))) {
      nodes.put(v.name(), built);
      store.put(built);
    }
  }

  /** The last status post: the last change, then every {@link #HEARTBEAT} after it. */
  static Instant heartbeat(Instant since, Instant now) {
    if (!now.isAfter(since)) {
      return since;
    }
    long periods = Duration.between(since, now).toMillis() / HEARTBEAT.toMillis();
    return since.plus(HEARTBEAT.multipliedBy(periods));
  }

  private void pods(String node, List<PodView> now, Instant at) {
    Map<String, PodView> before = podsByNode.getOrDefault(node, Map.of());
    Map<String, PodView> after = new LinkedHashMap<>();
    for (PodView p : now) {
      after.put(ApiPaths.pod(p.namespace(), p.name()), p);
    }
    for (String path : before.keySet()) {
      if (!after.containsKey(path)) {
        podCreated.remove(path);
        store.delete(path);
      }
    }
    after.forEach(
        (path, p) -> {
          if (!p.equals(before.get(path))) {
            Instant created = podCreated.computeIfAbsent(path, k -> at);
            store.put(WorldObjects.pod(p, created));
          }
        });
    podsByNode.put(node, after);
  }

  /** A DRA node's ResourceSlice, written when it first appears or changes. */
  private void slice(NodeView v) {
    if (v.draGpus().isEmpty()) {
      return;
    }
    var built = WorldObjects.resourceSlice(v);
    if (!built.equals(slices.get(v.name()))) {
      slices.put(v.name(), built);
      store.put(built);
    }
  }

  private void pdb(PdbView p, ClusterSnapshot s) {
    int healthy = 0;
    for (NodeView v : s.nodes()) {
      for (PodView pod : v.pods()) {
        if (!pod.daemonSet() && pod.owner().equals(p.app())) {
          healthy++;
        }
      }
    }
    var built = WorldObjects.pdb(p, healthy);
    String path = ApiPaths.pdb(p.namespace(), p.name());
    if (!built.equals(pdbs.get(path))) {
      pdbs.put(path, built);
      store.put(built);
    }
  }
}
