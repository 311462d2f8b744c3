package io.gpuward.exporter.kube;

import static io.gpuward.exporter.kube.KubeObjects.LIBNVML;
import static io.gpuward.exporter.kube.KubeObjects.NODE;
import static io.gpuward.exporter.kube.KubeObjects.NO_NVIDIA_RUNTIME;
import static io.gpuward.exporter.kube.KubeObjects.OTHER_NODE;
import static io.gpuward.exporter.kube.KubeObjects.T0;
import static io.gpuward.exporter.kube.KubeObjects.condition;
import static io.gpuward.exporter.kube.KubeObjects.gpuNode;
import static io.gpuward.exporter.kube.KubeObjects.nodeEvent;
import static io.gpuward.exporter.kube.KubeObjects.podEvent;
import static io.gpuward.exporter.kube.KubeObjects.runningPod;
import static io.gpuward.exporter.kube.KubeObjects.startErrorPod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeWatcherTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private KubeMock mock;
  private KubernetesClient client;
  private final RecordingSink sink = new RecordingSink();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private NodeWatcher watcher;

  @BeforeEach
  void setUp() {
    mock = new KubeMock();
    client = mock.client();
  }

  @AfterEach
  void tearDown() {
    if (watcher != null) {
      watcher.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  private NodeWatcher start(NodeWatcher.Options options) throws Exception {
    watcher =
        new NodeWatcher(client, NODE, sink, Clock.fixed(NOW, ZoneOffset.UTC), options, meters);
    watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return watcher;
  }

  private NodeWatcher start() throws Exception {
    return start(NodeWatcher.Options.defaults());
  }

  private Node createNode(Node n) {
    return client.nodes().resource(n).create();
  }

  private void editNode(Consumer<Node> change) {
    Node n = client.nodes().withName(NODE).get();
    change.accept(n);
    client.nodes().resource(n).update();
  }

  private void setCondition(NodeCondition c) {
    editNode(
        n -> {
          n.getStatus().getConditions().removeIf(x -> x.getType().equals(c.getType()));
          n.getStatus().getConditions().add(c);
        });
  }

  private Event createEvent(Event e) {
    return client.v1().events().inNamespace(e.getMetadata().getNamespace()).resource(e).create();
  }

  private Pod createPod(Pod p) {
    return client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).create();
  }

  private void awaitEvents(NodeEventKind kind, int n) {
    Eventually.await(WAIT, () -> assertThat(sink.events(kind)).hasSize(n));
  }

  /** Waits until the watcher has handled {@code more} further notifications. */
  private void awaitHandled(long before, int more) {
    Eventually.await(
        WAIT, () -> assertThat(watcher.handled()).isGreaterThanOrEqualTo(before + more));
  }

  /** Registered, conditions, resources, labels: what a newly watched node reports. */
  private Node registered() throws Exception {
    Node n = createNode(gpuNode(NODE, "boot-1", 8, 8));
    start();
    awaitEvents(NodeEventKind.LABELS_SNAPSHOT, 1);
    awaitEvents(NodeEventKind.CONDITION_CHANGED, 3);
    return n;
  }

  @Test
  void shouldReportRegistrationConditionsResourcesAndLabelsOnFirstSight() throws Exception {
    Node created = registered();

    List<NodeEvent> all = sink.events();
    assertThat(all.get(0).getKind()).isEqualTo(NodeEventKind.NODE_REGISTERED);
    NodeEvent reg = all.get(0);
    assertThat(reg.getNode()).isEqualTo(NODE);
    assertThat(reg.getBootId()).isEqualTo("boot-1");
    assertThat(reg.getUnschedulable()).isFalse();
    assertThat(reg.getEventId())
        .isEqualTo(NODE + "/NODE_REGISTERED/" + created.getMetadata().getUid());
    // the mock API server stamps creation with the wall clock, after this test's clock: an event
    // time from the API server's future is taken as our now
    assertThat(Instant.parse(created.getMetadata().getCreationTimestamp())).isAfter(NOW);
    assertThat(reg.getEventTime()).isEqualTo(NOW);

    assertThat(sink.events(NodeEventKind.CONDITION_CHANGED))
        .extracting(
            NodeEvent::getConditionType,
            NodeEvent::getConditionStatus,
            NodeEvent::getReason,
            NodeEvent::getSource)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet"),
            org.assertj.core.groups.Tuple.tuple("Ready", "True", "KubeletReady", "kubelet"),
            org.assertj.core.groups.Tuple.tuple(
                "AcceleratedHardwareReady",
                "True",
                "NvidiaGPUIsReady",
                "eks-node-monitoring-agent"));
    assertThat(sink.events(NodeEventKind.CONDITION_CHANGED))
        .allSatisfy(e -> assertThat(e.getEventTime()).isEqualTo(T0));

    NodeEvent res = sink.events(NodeEventKind.RESOURCE_SNAPSHOT).get(0);
    assertThat(res.getGpuCapacity()).isEqualTo(8);
    assertThat(res.getGpuAllocatable()).isEqualTo(8);
    assertThat(res.getEventTime()).isEqualTo(NOW);

    NodeEvent labels = sink.events(NodeEventKind.LABELS_SNAPSHOT).get(0);
    assertThat(labels.getLabels())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3")
        .containsEntry("nvidia.com/gpu.deploy.device-plugin", "true")
        .containsEntry("feature.node.kubernetes.io/pci-10de.present", "true")
        .containsEntry("eks.amazonaws.com/nodegroup", "p5-train")
        .containsEntry("node.kubernetes.io/instance-type", "p5.48xlarge")
        .containsEntry("topology.kubernetes.io/zone", "us-east-1a")
        .doesNotContainKeys(
            "kubernetes.io/hostname", "kubernetes.io/os", "nvidia.com/gfd.timestamp");
    assertThat(sink.events(NodeEventKind.NODE_REBOOTED)).isEmpty();

    assertThat(mock.fieldSelectors())
        .contains(
            "metadata.name=" + NODE,
            "involvedObject.kind=Node,involvedObject.name=" + NODE,
            "spec.nodeName=" + NODE,
            "involvedObject.kind=Pod,reason=FailedCreatePodSandBox",
            "involvedObject.kind=Pod,reason=Failed",
            "involvedObject.kind=Pod,reason=UnexpectedAdmissionError");
    assertThat(meters.counter(KubeMetrics.PUBLISHED, "kind", "CONDITION_CHANGED").count())
        .isEqualTo(3.0);
  }

  @Test
  void shouldReportReadyGoingFalseAndBackWithReasonAndMessage() throws Exception {
    registered();
    String pleg = "PLEG is not healthy: pleg was last seen active 3m0.1s ago; threshold is 3m0s";
    Instant down = T0.plusSeconds(600);
    setCondition(condition("Ready", "False", "KubeletNotReady", pleg, down));
    Eventually.await(
        WAIT,
        () ->
            assertThat(sink.events(NodeEventKind.CONDITION_CHANGED))
                .anySatisfy(e -> assertThat(e.getConditionStatus()).isEqualTo("False")));

    // The message changes on every kubelet status post; a message alone is not a transition.
    long before = watcher.handled();
    setCondition(
        condition(
            "Ready",
            "False",
            "KubeletNotReady",
            "PLEG is not healthy: pleg was last seen active 3m10.4s ago; threshold is 3m0s",
            down));
    awaitHandled(before, 1);

    Instant up = T0.plusSeconds(900);
    setCondition(condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", up));
    awaitEvents(NodeEventKind.CONDITION_CHANGED, 5);

    List<NodeEvent> ready =
        sink.events(NodeEventKind.CONDITION_CHANGED).stream()
            .filter(e -> e.getConditionType().equals("Ready"))
            .toList();
    assertThat(ready)
        .extracting(NodeEvent::getConditionStatus, NodeEvent::getReason, NodeEvent::getEventTime)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("True", "KubeletReady", T0),
            org.assertj.core.groups.Tuple.tuple("False", "KubeletNotReady", down),
            org.assertj.core.groups.Tuple.tuple("True", "KubeletReady", up));
    assertThat(ready.get(1).getMessage()).isEqualTo(pleg);
    assertThat(ready.get(1).getBootId()).isEqualTo("boot-1");
    assertThat(ready).extracting(NodeEvent::getEventId).doesNotHaveDuplicates();
  }

  @Test
  void shouldReportEveryConditionTypeIncludingCustomOnes() throws Exception {
    registered();
    Instant at = T0.plusSeconds(60);
    setCondition(
        condition(
            "AcceleratedHardwareReady",
            "False",
            "NvidiaXID79Error",
            "detected XID-79 on the instance, review kernel logs for additional information.",
            at));
    setCondition(
        condition(
            "SysLogsXIDError",
            "True",
            "SysLogsXIDErrorIsNotHealthy",
            "[DCGM_FR_SXID_ERROR] GPU XID error detected on GPU 0 - RecommendedAction: RESTART_VM",
            at));
    awaitEvents(NodeEventKind.CONDITION_CHANGED, 5);
    assertThat(sink.events(NodeEventKind.CONDITION_CHANGED).subList(3, 5))
        .extracting(NodeEvent::getConditionType, NodeEvent::getConditionStatus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("AcceleratedHardwareReady", "False"),
            org.assertj.core.groups.Tuple.tuple("SysLogsXIDError", "True"));
  }

  @Test
  void shouldReportABootIdChangeAsExactlyOneReboot() throws Exception {
    registered();
    editNode(n -> n.getStatus().getNodeInfo().setBootID("boot-2"));
    awaitEvents(NodeEventKind.NODE_REBOOTED, 1);

    // The kubelet's Rebooted event for the same boot arrives later: the same reboot.
    long before = watcher.handled();
    createEvent(
        nodeEvent(
            "rebooted-2",
            NODE,
            "Warning",
            "Rebooted",
            "Node " + NODE + " has been rebooted, boot id: boot-2",
            1,
            T0.plusSeconds(30)));
    awaitHandled(before, 1);

    NodeEvent reboot = sink.events(NodeEventKind.NODE_REBOOTED).get(0);
    assertThat(reboot.getBootId()).isEqualTo("boot-2");
    assertThat(reboot.getEventId()).isEqualTo(NODE + "/NODE_REBOOTED/boot-2");
    assertThat(sink.events(NodeEventKind.NODE_REBOOTED)).hasSize(1);
    assertThat(sink.events(NodeEventKind.KUBE_EVENT)).isEmpty();
  }

  @Test
  void shouldNotCountARebootedEventTwiceWhenTheBootIdFollows() throws Exception {
    registered();
    Instant at = T0.plusSeconds(45);
    createEvent(
        nodeEvent(
            "rebooted-3",
            NODE,
            "Warning",
            "Rebooted",
            "Node " + NODE + " has been rebooted, boot id: boot-3",
            1,
            at));
    awaitEvents(NodeEventKind.NODE_REBOOTED, 1);

    long before = watcher.handled();
    editNode(n -> n.getStatus().getNodeInfo().setBootID("boot-3"));
    awaitHandled(before, 1);

    NodeEvent reboot = sink.events(NodeEventKind.NODE_REBOOTED).get(0);
    assertThat(reboot.getReason()).isEqualTo("Rebooted");
    assertThat(reboot.getBootId()).isEqualTo("boot-3");
    assertThat(reboot.getEventTime()).isEqualTo(at);
    assertThat(reboot.getSource()).isEqualTo("kubelet");
    assertThat(sink.events(NodeEventKind.NODE_REBOOTED)).hasSize(1);
  }

  @Test
  void shouldSnapshotAnAllocatableDropBelowCapacity() throws Exception {
    registered();
    editNode(n -> n.getStatus().getAllocatable().put("nvidia.com/gpu", new Quantity("7")));
    awaitEvents(NodeEventKind.RESOURCE_SNAPSHOT, 2);
    NodeEvent drop = sink.events(NodeEventKind.RESOURCE_SNAPSHOT).get(1);
    assertThat(drop.getGpuCapacity()).isEqualTo(8);
    assertThat(drop.getGpuAllocatable()).isEqualTo(7);

    // The device plugin is gone: the resource disappears from the node.
    editNode(
        n -> {
          n.getStatus().getAllocatable().remove("nvidia.com/gpu");
          n.getStatus().getCapacity().remove("nvidia.com/gpu");
        });
    awaitEvents(NodeEventKind.RESOURCE_SNAPSHOT, 3);
    NodeEvent gone = sink.events(NodeEventKind.RESOURCE_SNAPSHOT).get(2);
    assertThat(gone.getGpuCapacity()).isNull();
    assertThat(gone.getGpuAllocatable()).isNull();
  }

  @Test
  void shouldSnapshotGpuOperatorLabelChangesOnly() throws Exception {
    registered();
    long before = watcher.handled();
    editNode(
        n -> {
          n.getMetadata().getLabels().put("nvidia.com/gfd.timestamp", "1740823260");
          n.getMetadata().getLabels().put("team", "research");
        });
    awaitHandled(before, 1);
    assertThat(sink.events(NodeEventKind.LABELS_SNAPSHOT)).hasSize(1);

    editNode(n -> n.getMetadata().getLabels().put("nvidia.com/gpu.deploy.device-plugin", "false"));
    awaitEvents(NodeEventKind.LABELS_SNAPSHOT, 2);
    assertThat(sink.events(NodeEventKind.LABELS_SNAPSHOT).get(1).getLabels())
        .containsEntry("nvidia.com/gpu.deploy.device-plugin", "false")
        .doesNotContainKey("team");
  }

  @Test
  void shouldCarryCordonStateOnEveryEvent() throws Exception {
    registered();
    editNode(
        n -> {
          n.getSpec().setUnschedulable(true);
          n.getStatus().getAllocatable().put("nvidia.com/gpu", new Quantity("6"));
        });
    awaitEvents(NodeEventKind.RESOURCE_SNAPSHOT, 2);
    assertThat(sink.events(NodeEventKind.RESOURCE_SNAPSHOT).get(1).getUnschedulable()).isTrue();
  }

  @Test
  void shouldPublishNodeEventsOnceAndIgnoreOtherNodes() throws Exception {
    registered();
    Instant at = T0.plusSeconds(120);
    createEvent(
        nodeEvent(
            "other-not-ready",
            OTHER_NODE,
            "Normal",
            "NodeNotReady",
            "Node " + OTHER_NODE + " status is now: NodeNotReady",
            1,
            at));
    Event mine =
        createEvent(
            nodeEvent(
                "nma-warning",
                NODE,
                "Warning",
                "AcceleratedHardwareReady",
                "NvidiaXID13Warning: detected unknown XID-13 on the instance",
                1,
                at));
    awaitEvents(NodeEventKind.KUBE_EVENT, 1);
    NodeEvent e = sink.events(NodeEventKind.KUBE_EVENT).get(0);
    assertThat(e.getReason()).isEqualTo("AcceleratedHardwareReady");
    assertThat(e.getMessage()).startsWith("NvidiaXID13Warning: ");
    assertThat(e.getSource()).isEqualTo("kubelet");
    assertThat(e.getEventTime()).isEqualTo(at);
    assertThat(e.getEventId())
        .isEqualTo(NODE + "/KUBE_EVENT/" + mine.getMetadata().getUid() + "/1");

    // An update that is not a new occurrence publishes nothing; a repeat (count 2) does.
    long before = watcher.handled();
    mine.getMetadata().setAnnotations(java.util.Map.of("touched", "yes"));
    mine = client.v1().events().inNamespace("default").resource(mine).update();
    awaitHandled(before, 1);
    assertThat(sink.events(NodeEventKind.KUBE_EVENT)).hasSize(1);

    mine.setCount(2);
    mine.setLastTimestamp(at.plusSeconds(60).toString());
    client.v1().events().inNamespace("default").resource(mine).update();
    awaitEvents(NodeEventKind.KUBE_EVENT, 2);
    assertThat(sink.events(NodeEventKind.KUBE_EVENT).get(1).getEventTime())
        .isEqualTo(at.plusSeconds(60));
    assertThat(sink.events())
        .noneMatch(x -> x.getMessage() != null && x.getMessage().contains(OTHER_NODE));
  }

  @Test
  void shouldReportALibNvidiaMlStartFailureOnceWithPodAndContainer() throws Exception {
    registered();
    Instant at = T0.plusSeconds(300);
    createPod(startErrorPod("other", "cuda-elsewhere", OTHER_NODE, LIBNVML, at));
    createPod(runningPod("ml", "healthy", NODE));
    createPod(startErrorPod("ml", "cuda-vector-add", NODE, LIBNVML, at));
    // The kubelet also reports the same failure as an Event ("Error: " + text).
    createEvent(
        podEvent(
            "cuda-failed",
            "ml",
            "cuda-vector-add",
            "cuda",
            NODE,
            "Failed",
            "Error: " + LIBNVML,
            at));
    awaitEvents(NodeEventKind.CONTAINER_START_FAILURE, 1);

    long before = watcher.handled();
    createEvent(
        podEvent(
            "elsewhere-failed",
            "other",
            "cuda-elsewhere",
            "cuda",
            OTHER_NODE,
            "Failed",
            "Error: " + LIBNVML,
            at));
    awaitHandled(before, 1);

    List<NodeEvent> failures = sink.events(NodeEventKind.CONTAINER_START_FAILURE);
    assertThat(failures).hasSize(1);
    NodeEvent f = failures.get(0);
    assertThat(f.getNamespace()).isEqualTo("ml");
    assertThat(f.getPod()).isEqualTo("cuda-vector-add");
    assertThat(f.getContainer()).isEqualTo("cuda");
    assertThat(f.getMessage()).contains("libnvidia-ml.so.1: cannot open shared object file");
    assertThat(f.getEventTime()).isEqualTo(at);
    assertThat(f.getBootId()).isEqualTo("boot-1");
  }

  @Test
  void shouldReportASandboxFailureForAMissingNvidiaRuntime() throws Exception {
    registered();
    Instant at = T0.plusSeconds(400);
    createEvent(
        podEvent(
            "pull-failed",
            "ml",
            "train-0",
            "main",
            NODE,
            "Failed",
            "Failed to pull image \"nvcr.io/nvidia/pytorch:25.01\": not found",
            at));
    createEvent(
        podEvent(
            "sandbox-other",
            "ml",
            "train-9",
            null,
            OTHER_NODE,
            "FailedCreatePodSandBox",
            NO_NVIDIA_RUNTIME,
            at));
    createEvent(
        podEvent(
            "sandbox-mine",
            "ml",
            "train-1",
            null,
            NODE,
            "FailedCreatePodSandBox",
            NO_NVIDIA_RUNTIME,
            at));
    awaitEvents(NodeEventKind.CONTAINER_START_FAILURE, 1);

    NodeEvent f = sink.events(NodeEventKind.CONTAINER_START_FAILURE).get(0);
    assertThat(f.getReason()).isEqualTo("FailedCreatePodSandBox");
    assertThat(f.getMessage()).contains("no runtime for \"nvidia\" is configured");
    assertThat(f.getNamespace()).isEqualTo("ml");
    assertThat(f.getPod()).isEqualTo("train-1");
    assertThat(f.getContainer()).isNull();
    assertThat(f.getSource()).isEqualTo("kubelet");
    assertThat(f.getEventTime()).isEqualTo(at);
  }

  @Test
  void shouldReportAnUnexpectedAdmissionError() throws Exception {
    registered();
    Pod p = runningPod("ml", "needs-gpu", NODE);
    p.getStatus().setPhase("Failed");
    p.getStatus().setReason("UnexpectedAdmissionError");
    p.getStatus()
        .setMessage(
            "Pod Allocate failed due to requested number of devices unavailable for"
                + " nvidia.com/gpu. Requested: 1, Available: 0, which is unexpected");
    p.getStatus().setContainerStatuses(List.of());
    createPod(p);
    awaitEvents(NodeEventKind.CONTAINER_START_FAILURE, 1);
    NodeEvent f = sink.events(NodeEventKind.CONTAINER_START_FAILURE).get(0);
    assertThat(f.getReason()).isEqualTo("UnexpectedAdmissionError");
    assertThat(f.getPod()).isEqualTo("needs-gpu");
    assertThat(f.getContainer()).isNull();
    assertThat(f.getMessage()).contains("Available: 0");
  }

  @Test
  void shouldPublishNothingNewOnResync() throws Exception {
    createNode(gpuNode(NODE, "boot-1", 8, 7));
    createPod(startErrorPod("ml", "cuda-vector-add", NODE, LIBNVML, T0));
    createEvent(nodeEvent("nn", NODE, "Normal", "NodeNotReady", "Node status", 1, T0));
    start(NodeWatcher.Options.defaults().withResync(Duration.ofSeconds(1)));
    awaitEvents(NodeEventKind.CONTAINER_START_FAILURE, 1);
    awaitEvents(NodeEventKind.KUBE_EVENT, 1);
    awaitEvents(NodeEventKind.LABELS_SNAPSHOT, 1);
    int published = sink.events().size();

    awaitHandled(watcher.handled(), 20); // several resync rounds of every watch
    assertThat(sink.events()).hasSize(published);
  }

  @Test
  void shouldPublishNothingNewOnRelist() throws Exception {
    registered();
    createPod(startErrorPod("ml", "cuda-vector-add", NODE, LIBNVML, T0));
    createEvent(nodeEvent("nn", NODE, "Normal", "NodeNotReady", "Node status", 1, T0));
    awaitEvents(NodeEventKind.CONTAINER_START_FAILURE, 1);
    awaitEvents(NodeEventKind.KUBE_EVENT, 1);
    int published = sink.events().size();

    long before = watcher.handled();
    watcher.relist().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    awaitHandled(before, 3); // node, node event, pod listed again
    assertThat(watcher.isWatching()).isTrue();
    assertThat(sink.events()).hasSize(published);

    // Still watching after the relist.
    editNode(n -> n.getStatus().getAllocatable().put("nvidia.com/gpu", new Quantity("7")));
    awaitEvents(NodeEventKind.RESOURCE_SNAPSHOT, 2);
  }

  @Test
  void shouldReportRemovalAndRegistrationOfANewNodeObject() throws Exception {
    Node first = registered();
    client.nodes().withName(NODE).delete();
    awaitEvents(NodeEventKind.NODE_REMOVED, 1);
    NodeEvent removed = sink.events(NodeEventKind.NODE_REMOVED).get(0);
    assertThat(removed.getEventId())
        .isEqualTo(NODE + "/NODE_REMOVED/" + first.getMetadata().getUid());

    Node second = createNode(gpuNode(NODE, "boot-9", 8, 8));
    awaitEvents(NodeEventKind.NODE_REGISTERED, 2);
    assertThat(sink.events(NodeEventKind.NODE_REGISTERED).get(1).getEventId())
        .isEqualTo(NODE + "/NODE_REGISTERED/" + second.getMetadata().getUid());
    awaitEvents(NodeEventKind.RESOURCE_SNAPSHOT, 2);
    assertThat(sink.events(NodeEventKind.NODE_REBOOTED)).isEmpty();
  }

  @Test
  void shouldKeepWatchingWhenTheSinkFails() throws Exception {
    createNode(gpuNode(NODE, "boot-1", 8, 8));
    var failing =
        new RecordingSink() {
          private boolean failed;

          @Override
          public synchronized void nodeEvent(NodeEvent e) {
            if (!failed) {
              failed = true;
              throw new IllegalStateException("broker down");
            }
            super.nodeEvent(e);
          }
        };
    watcher =
        new NodeWatcher(
            client,
            NODE,
            failing,
            Clock.fixed(NOW, ZoneOffset.UTC),
            NodeWatcher.Options.defaults(),
            meters);
    watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Eventually.await(
        WAIT, () -> assertThat(failing.events(NodeEventKind.LABELS_SNAPSHOT)).hasSize(1));
    assertThat(watcher.errors()).isEqualTo(1);
    assertThat(meters.counter(KubeMetrics.ERRORS, "stage", "sink").count()).isEqualTo(1.0);

    editNode(n -> n.getStatus().getAllocatable().put("nvidia.com/gpu", new Quantity("7")));
    Eventually.await(
        WAIT, () -> assertThat(failing.events(NodeEventKind.RESOURCE_SNAPSHOT)).hasSize(2));
  }

  @Test
  void shouldTellNodeListenersAboutEveryVersionAndTheRemoval() throws Exception {
    createNode(gpuNode(NODE, "boot-1", 8, 8));
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    watcher =
        new NodeWatcher(
            client,
            NODE,
            sink,
            Clock.fixed(NOW, ZoneOffset.UTC),
            NodeWatcher.Options.defaults(),
            meters);
    watcher.addNodeListener(
        new NodeListener() {
          @Override
          public void onNode(Node node) {
            seen.add("node " + node.getStatus().getAllocatable().get("nvidia.com/gpu"));
          }

          @Override
          public void onNodeRemoved(String node) {
            seen.add("removed " + node);
          }
        });
    watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    editNode(n -> n.getStatus().getAllocatable().put("nvidia.com/gpu", new Quantity("7")));
    client.nodes().withName(NODE).delete();
    Eventually.await(
        WAIT, () -> assertThat(seen).containsExactly("node 8", "node 7", "removed " + NODE));
  }

  @Test
  void shouldRejectANodeNameThatIsNotADns1123Subdomain() {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    for (String bad : List.of("", "Node_1", "a,involvedObject.name=b", "-x", "x".repeat(254))) {
      assertThatThrownBy(() -> new NodeWatcher(client, bad, sink, clock))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("DNS-1123");
    }
    assertThatThrownBy(() -> new NodeWatcher(client, null, sink, clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRejectUnknownPodEventReasons() {
    assertThatThrownBy(
            () -> new NodeWatcher.Options(Duration.ZERO, true, java.util.Set.of("BackOff")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BackOff");
  }
}
