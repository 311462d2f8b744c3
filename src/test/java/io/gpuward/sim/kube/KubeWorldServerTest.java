package io.gpuward.sim.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.kube.NodeWatcher;
import io.gpuward.exporter.kube.SharedNodeWatches;
import io.gpuward.remediation.k8s.KubernetesActuatorSettings;
import io.gpuward.remediation.k8s.KubernetesClients;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.ClusterAction;
import io.gpuward.sim.PodView;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.Eventually;
import io.gpuward.watch.WatchService;
import io.gpuward.watch.WatchSettings;
import io.gpuward.watch.WatchSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** gpuward's production Kubernetes code against a real simulated cluster served as an API. */
class KubeWorldServerTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String P5 = "p5-train-0";

  private static final String FLEET =
      """
      name: kube-world
      seed: 7
      sampleInterval: 1s
      duration: 10m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 2, zone: us-east-1a}
      faults:
        - {at: 20s, node: p5-train-1, inject: not-ready, message: "PLEG is not healthy", for: 30s}
        - {at: 20s, node: p5-train-1, inject: container-error, reason: Failed, message: "failed to create containerd task: nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object file", for: 60s}
      """;

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  private KubeWorld world(SimulatedCluster.Settings settings) {
    KubeWorld w = new KubeWorld(FLEET, settings);
    closing.add(w);
    w.runTo(Duration.ofSeconds(5));
    w.server.sync();
    return w;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private KubernetesClusterActuator actuator(KubeWorld w) {
    var client = KubernetesClients.create(w.server.clientConfig(), WAIT, WAIT);
    closing.add(client);
    // Waiting is simulated time passing: the simulator ticks while the actuator backs off.
    return new KubernetesClusterActuator(
        client, w.clock, d -> w.pass(d), KubernetesActuatorSettings.defaults());
  }

  @Test
  void shouldCordonDrainUnderThePdbAndUncordonTheSimulatedNodeThroughTheActuator() {
    KubeWorld w = world(SimulatedCluster.Settings.defaults());
    KubernetesClusterActuator actuator = actuator(w);

    actuator.cordon(P5, "op-cordon-1");
    LiveNode cordoned = w.cluster.node(P5).orElseThrow();
    assertThat(cordoned.unschedulable()).isTrue();
    assertThat(cordoned.cordonedBy()).contains("op-cordon-1");
    assertThat(actuator.node(P5).orElseThrow().cordonedBy()).contains("op-cordon-1");

    DrainResult drained = actuator.drain(P5, Duration.ofMinutes(3));

    assertThat(drained.complete()).isTrue();
    assertThat(drained.evicted()).isEqualTo(8);
    assertThat(w.cluster.pods(P5)).allMatch(PodView::daemonSet);
    assertThat(w.client.pods().inNamespace("ml").list().getItems())
        .noneMatch(p -> P5.equals(p.getSpec().getNodeName()));
    List<ClusterAction> evictions =
        w.cluster.actions().stream().filter(a -> a.action().equals("EVICT")).toList();
    assertThat(evictions).anyMatch(a -> a.outcome().equals("REJECTED")); // 429s were honoured
    List<ClusterAction> accepted =
        evictions.stream().filter(a -> a.outcome().equals("ACCEPTED")).toList();
    for (int i = 1; i < accepted.size(); i++) {
      // One at a time: the budget frees only when the last evicted pod is rescheduled.
      assertThat(Duration.between(accepted.get(i - 1).at(), accepted.get(i).at()))
          .isGreaterThanOrEqualTo(SimulatedCluster.Settings.defaults().rescheduleDelay());
    }

    actuator.uncordon(P5, "op-uncordon-1");
    assertThat(w.cluster.node(P5).orElseThrow().unschedulable()).isFalse();
    assertThat(w.client.nodes().withName(P5).get().getSpec().getUnschedulable()).isNull();
  }

  @Test
  void shouldServeGpuwardsTaintAndHealthLabelFromCordonToUncordon() {
    KubeWorld w = world(SimulatedCluster.Settings.defaults());
    KubernetesClusterActuator actuator = actuator(w);

    actuator.cordon(P5, "op-cordon-2");
    Node cordoned = w.client.nodes().withName(P5).get();
    assertThat(cordoned.getSpec().getTaints())
        .extracting(Taint::getKey)
        .contains(HealthMark.TAINT_KEY, "node.kubernetes.io/unschedulable");
    assertThat(cordoned.getMetadata().getLabels()).containsEntry(HealthMark.LABEL, "unschedulable");

    actuator.markHealth(P5, HealthMark.PENDING_RESET);
    assertThat(w.client.nodes().withName(P5).get().getMetadata().getLabels())
        .containsEntry(HealthMark.LABEL, "pending-reset");
    assertThat(w.cluster.node(P5).orElseThrow().labels())
        .containsEntry(HealthMark.LABEL, "pending-reset");

    actuator.uncordon(P5, "op-uncordon-2");
    Node back = w.client.nodes().withName(P5).get();
    assertThat(back.getSpec().getTaints()).isNullOrEmpty();
    assertThat(back.getMetadata().getLabels()).doesNotContainKey(HealthMark.LABEL);

    actuator.markHealth(P5, HealthMark.ESCALATED); // not gpuward's cordon any more: nothing
    assertThat(w.client.nodes().withName(P5).get().getMetadata().getLabels())
        .doesNotContainKey(HealthMark.LABEL);
  }

  @Test
  void shouldShowTheClusterWatcherANodeLeavingAndItsReplacementJoining() {
    KubeWorld w =
        world(SimulatedCluster.Settings.defaults().withReplaceDuration(Duration.ofSeconds(10)));
    Inventory sink = new Inventory();
    WatchService watcher =
        new WatchService(
            w.client,
            null,
            sink,
            Clock.systemUTC(),
            new WatchSettings(
                "sim",
                Duration.ofMillis(200),
                Duration.ofMinutes(10),
                Duration.ZERO,
                "gpuward-watch",
                "gpuward",
                "watch-0",
                Duration.ofSeconds(3)),
            KubeWorld.CATALOG,
            new SimpleMeterRegistry());
    closing.add(watcher);
    watcher.start();
    Eventually.await(WAIT, () -> assertThat(sink.registered()).contains(P5, "p5-train-1"));
    assertThat(w.client.leases().inNamespace("gpuward").withName("gpuward-watch").get())
        .isNotNull();

    LiveNode old = w.cluster.node(P5).orElseThrow();
    w.cluster.replace(old.instanceId(), old.asgName(), "op-replace-1");
    Eventually.await(WAIT, () -> assertThat(sink.removed).contains(P5));
    w.pass(Duration.ofSeconds(11));

    Eventually.await(WAIT, () -> assertThat(sink.registered()).contains("p5-train-2"));
    Node joined = w.client.nodes().withName("p5-train-2").get();
    assertThat(joined.getSpec().getProviderID()).startsWith("aws:///us-east-1a/i-");
    assertThat(joined.getMetadata().getLabels())
        .containsEntry("node.kubernetes.io/instance-type", "p5.48xlarge");
  }

  @Test
  void shouldShowTheClusterWatcherACrashLoopingOperandPod() {
    KubeWorld w =
        new KubeWorld(
            FLEET
                + "  - {at: 10s, node: p5-train-0, inject: operand-crashloop,"
                + " operand: device-plugin}\n",
            SimulatedCluster.Settings.defaults());
    closing.add(w);
    w.runTo(Duration.ofSeconds(5));
    w.server.sync();
    Inventory sink = new Inventory();
    WatchService watcher =
        new WatchService(
            w.client,
            null,
            sink,
            Clock.systemUTC(),
            new WatchSettings(
                "sim",
                Duration.ofMillis(200),
                Duration.ofMinutes(10),
                Duration.ZERO,
                "gpuward-watch",
                "gpuward",
                "watch-0",
                Duration.ofSeconds(3)),
            KubeWorld.CATALOG,
            new SimpleMeterRegistry());
    closing.add(watcher);
    watcher.start();
    Eventually.await(
        WAIT, () -> assertThat(sink.operands(P5, "Running")).hasSizeGreaterThanOrEqualTo(5));

    w.runTo(Duration.ofSeconds(60));
    w.server.sync();

    Eventually.await(
        WAIT,
        () ->
            assertThat(sink.operands(P5, "CrashLoopBackOff"))
                .isNotEmpty()
                .allSatisfy(
                    e -> {
                      assertThat(e.getNamespace()).isEqualTo("gpu-operator");
                      assertThat(e.getPod()).startsWith("nvidia-device-plugin-daemonset-");
                      assertThat(e.getMessage()).startsWith("restarts ");
                    }));
    assertThat(sink.operands("p5-train-1", "CrashLoopBackOff")).isEmpty();
  }

  @Test
  void shouldShowTheExporterItsNodeGoingNotReadyAndItsFailingPodsEvent() {
    KubeWorld w = world(SimulatedCluster.Settings.defaults());
    List<NodeEvent> published = new CopyOnWriteArrayList<>();
    NodeWatcher watcher =
        new NodeWatcher(w.client, "p5-train-1", new Published(published), Clock.systemUTC());
    closing.add(watcher);
    watcher.start();
    Eventually.await(
        WAIT, () -> assertThat(kinds(published)).contains(NodeEventKind.NODE_REGISTERED));
    Node before = w.client.nodes().withName("p5-train-1").get();
    assertThat(before.getMetadata().getLabels()).containsEntry("nvidia.com/gpu.present", "true");
    assertThat(before.getStatus().getAllocatable().get("nvidia.com/gpu").getAmount())
        .isEqualTo("8");

    w.runTo(Duration.ofSeconds(45));

    Eventually.await(
        WAIT,
        () ->
            assertThat(published)
                .anyMatch(
                    e ->
                        e.getKind() == NodeEventKind.CONDITION_CHANGED
                            && "Ready".equals(e.getConditionType())
                            && "False".equals(e.getConditionStatus())));
    Eventually.await(
        WAIT,
        () ->
            assertThat(published)
                .anyMatch(
                    e ->
                        e.getKind() == NodeEventKind.CONTAINER_START_FAILURE
                            && e.getMessage().contains("libnvidia-ml.so.1")));
    assertThat(podEvents(w)).extracting(e -> e.getSource().getHost()).contains("p5-train-1");
    assertThat(readyStatus(w, "p5-train-1")).isEqualTo("False");
  }

  @Test
  void shouldRunAnExporterWatcherPerNodeOnSharedWatchesWhileTheNodeExists() {
    KubeWorld w =
        world(SimulatedCluster.Settings.defaults().withReplaceDuration(Duration.ofSeconds(10)));
    List<NodeEvent> published = new CopyOnWriteArrayList<>();
    SharedNodeWatches watches =
        new SharedNodeWatches(
            w.client, new Published(published), Clock.systemUTC(), new SimpleMeterRegistry());
    closing.add(watches);
    watches.start();
    Eventually.await(WAIT, () -> assertThat(watches.nodes()).containsExactly(P5, "p5-train-1"));
    Eventually.await(
        WAIT,
        () ->
            assertThat(published)
                .filteredOn(e -> e.getKind() == NodeEventKind.NODE_REGISTERED)
                .extracting(NodeEvent::getNode)
                .containsExactlyInAnyOrder(P5, "p5-train-1"));

    w.runTo(Duration.ofSeconds(45));
    Eventually.await(
        WAIT,
        () ->
            assertThat(published)
                .filteredOn(e -> e.getKind() == NodeEventKind.CONTAINER_START_FAILURE)
                .isNotEmpty()
                .allMatch(e -> e.getNode().equals("p5-train-1"))
                .allMatch(e -> e.getMessage().contains("libnvidia-ml.so.1")));

    LiveNode old = w.cluster.node(P5).orElseThrow();
    w.cluster.replace(old.instanceId(), old.asgName(), "op-replace-1");
    Eventually.await(
        WAIT,
        () ->
            assertThat(published)
                .anyMatch(
                    e -> e.getKind() == NodeEventKind.NODE_REMOVED && e.getNode().equals(P5)));
    Eventually.await(WAIT, () -> assertThat(watches.nodes()).doesNotContain(P5));
    w.pass(Duration.ofSeconds(11));
    Eventually.await(
        WAIT, () -> assertThat(watches.nodes()).containsExactly("p5-train-1", "p5-train-2"));
    assertThat(published)
        .filteredOn(e -> e.getKind() == NodeEventKind.NODE_REGISTERED)
        .extracting(NodeEvent::getEventId)
        .doesNotHaveDuplicates();
  }

  private static List<Event> podEvents(KubeWorld w) {
    return w.client.v1().events().inNamespace("ml").list().getItems().stream()
        .filter(e -> "Pod".equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  private static String readyStatus(KubeWorld w, String node) {
    return w.client.nodes().withName(node).get().getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .map(NodeCondition::getStatus)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldRefuseWritesToTheSimulatedClustersOwnObjects() {
    KubeWorld w = world(SimulatedCluster.Settings.defaults());
    Pod pod = w.client.pods().inNamespace("ml").list().getItems().get(0);

    assertThatThrownBy(
            () ->
                w.client
                    .nodes()
                    .withName(P5)
                    .edit(
                        n -> {
                          n.getMetadata().getLabels().put("team", "infra");
                          return n;
                        }))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThatThrownBy(() -> w.client.pods().resource(pod).delete())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThatThrownBy(
            () ->
                w.client
                    .policy()
                    .v1()
                    .podDisruptionBudget()
                    .inNamespace("ml")
                    .withName("p5-train-worker-pdb")
                    .delete())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

    assertThat(w.client.nodes().withName(P5).get().getMetadata().getLabels())
        .doesNotContainKey("team");
    assertThat(w.cluster.pods(P5)).extracting(PodView::name).contains(pod.getMetadata().getName());
    w.client
        .leases()
        .inNamespace("default")
        .resource(new LeaseBuilder().withNewMetadata().withName("free").endMetadata().build())
        .create();
    assertThat(w.client.leases().inNamespace("default").withName("free").get()).isNotNull();
  }

  private static List<NodeEventKind> kinds(List<NodeEvent> events) {
    return events.stream().map(NodeEvent::getKind).toList();
  }

  /** The watcher's inventory records. */
  private static final class Inventory implements WatchSink {
    final List<NodeInventory> inventories = new CopyOnWriteArrayList<>();
    final List<String> removed = new CopyOnWriteArrayList<>();

    List<String> registered() {
      return inventories.stream()
          .filter(NodeInventory::getRegistered)
          .map(NodeInventory::getNode)
          .toList();
    }

    @Override
    public void inventory(NodeInventory inventory) {
      inventories.add(inventory);
    }

    @Override
    public void inventoryRemoved(String node) {
      removed.add(node);
    }

    final List<NodeEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void nodeEvent(NodeEvent event) {
      events.add(event);
    }

    List<NodeEvent> operands(String node, String state) {
      return events.stream()
          .filter(e -> e.getKind() == NodeEventKind.OPERAND_STATUS)
          .filter(e -> e.getNode().equals(node) && e.getReason().equals(state))
          .toList();
    }
  }

  private record Published(List<NodeEvent> events) implements TelemetrySink {
    @Override
    public void gpuSample(GpuSample s) {}

    @Override
    public void xid(XidEvent e) {}

    @Override
    public void nodeEvent(NodeEvent e) {
      events.add(e);
    }

    @Override
    public void inventory(NodeInventory i) {}

    @Override
    public void inventoryRemoved(String node) {}
  }
}
