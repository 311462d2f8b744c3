package io.gpuward.watch;

import static io.gpuward.watch.WatchObjects.M5_NODE;
import static io.gpuward.watch.WatchObjects.NVIDIA_IMAGE;
import static io.gpuward.watch.WatchObjects.P5_ID;
import static io.gpuward.watch.WatchObjects.P5_NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.exporter.kube.KubeMock;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.aws.AwsStub;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watcher against fabric8's mock API server (CRUD mode) and the loopback AWS stub: what it
 * publishes for Nodes and instances, and that only the lease holder publishes.
 */
class WatchServiceTest {
  static final String CLUSTER = "gpu-prod";
  static final Duration WAIT = Duration.ofSeconds(20);

  KubeMock kube;
  AwsStub aws;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    kube = new KubeMock();
    aws = new AwsStub();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    aws.close();
    kube.close();
  }

  static boolean holds(BooleanSupplier condition) {
    return condition.getAsBoolean();
  }

  static WatchSettings settings(String identity, Duration grace) {
    return new WatchSettings(
        CLUSTER,
        Duration.ofMillis(200),
        Duration.ofMinutes(10),
        grace,
        "gpuward-watch",
        "gpuward",
        identity,
        Duration.ofSeconds(3));
  }

  WatchService watcher(String identity, ListSink sink, boolean withCloud, Duration grace) {
    KubernetesClient client = kube.client();
    CloudPort cloud = withCloud ? new AwsCloud(AwsFleet.clients(aws), CLUSTER) : null;
    WatchService w =
        new WatchService(
            client,
            cloud,
            sink,
            Clock.systemUTC(),
            settings(identity, grace),
            InstanceTypeCatalog.load(),
            new SimpleMeterRegistry());
    closing.add(w);
    if (cloud != null) {
      closing.add(cloud);
    }
    w.start();
    return w;
  }

  @Test
  void shouldPublishANodesInventoryWhenItIsAddedRelabelledAndDeleted() {
    AwsFleet.script(aws, CLUSTER, List.of());
    ListSink sink = new ListSink();
    watcher("watch-0", sink, true, Duration.ZERO);
    Node p5 = kube.client().nodes().resource(WatchObjects.p5Node("True", "KubeletReady")).create();

    Eventually.await(
        WAIT,
        () ->
            assertThat(holds(() -> sink.last(P5_NODE).map(i -> i.value() != null).orElse(false)))
                .isTrue());
    assertThat(sink.last(P5_NODE).get().value().getRegistered()).isTrue();
    assertThat(sink.last(P5_NODE).get().value().getInstanceId()).isEqualTo(P5_ID);
    assertThat(sink.events).extracting(NodeEvent::getKind).contains(NodeEventKind.NODE_REGISTERED);

    kube.client()
        .nodes()
        .withName(P5_NODE)
        .edit(
            n ->
                new NodeBuilder(n)
                    .editMetadata()
                    .addToLabels("nvidia.com/mig.strategy", "single")
                    .endMetadata()
                    .build());
    Eventually.await(
        WAIT,
        () ->
            assertThat(
                    holds(
                        () ->
                            sink.last(P5_NODE)
                                .map(
                                    i ->
                                        i.value() != null
                                            && i.value()
                                                .getLabels()
                                                .containsKey("nvidia.com/mig.strategy"))
                                .orElse(false)))
                .isTrue());

    kube.client().nodes().withName(p5.getMetadata().getName()).delete();
    Eventually.await(
        WAIT,
        () ->
            assertThat(holds(() -> sink.last(P5_NODE).map(i -> i.value() == null).orElse(false)))
                .isTrue());
    assertThat(sink.events).extracting(NodeEvent::getKind).contains(NodeEventKind.NODE_REMOVED);
  }

  @Test
  void shouldReportANeverRegisteredNvidiaImageOnM5LargeWithImageAndSsmEvidence() {
    AwsFleet.script(
        aws, CLUSTER, List.of(WatchObjects.m5Nvidia("running", CloudInstance.SSM_NOT_REGISTERED)));
    ListSink sink = new ListSink();
    watcher("watch-0", sink, true, Duration.ofMinutes(5));

    Eventually.await(WAIT, () -> assertThat(holds(() -> sink.last(M5_NODE).isPresent())).isTrue());
    var inv = sink.last(M5_NODE).get().value();
    assertThat(inv.getRegistered()).isFalse();
    assertThat(inv.getInstanceType()).isEqualTo("m5.large");
    assertThat(inv.getExpectedGpus()).isZero();
    assertThat(inv.getImage()).isEqualTo(NVIDIA_IMAGE);
    assertThat(inv.getAmiId()).isEqualTo("ami-0123456789abcdef0");
    assertThat(inv.getSsmPingStatus()).isEqualTo(CloudInstance.SSM_NOT_REGISTERED);
  }

  @Test
  void shouldTombstoneATerminatedInstanceAndRaiseNoFault() {
    AwsFleet.script(aws, CLUSTER, List.of(WatchObjects.m5Nvidia("terminated", null)));
    ListSink sink = new ListSink();
    watcher("watch-0", sink, true, Duration.ZERO);

    Eventually.await(WAIT, () -> assertThat(holds(() -> sink.last(M5_NODE).isPresent())).isTrue());
    assertThat(sink.last(M5_NODE).get().value()).isNull();
    assertThat(sink.inventory).allMatch(i -> i.value() == null);
  }

  @Test
  void shouldPublishTheControlPlanesNotReadyAsANodeEvent() {
    ListSink sink = new ListSink();
    watcher("watch-0", sink, false, Duration.ZERO);
    kube.client().nodes().resource(WatchObjects.p5Node("Unknown", "NodeStatusUnknown")).create();

    Eventually.await(
        WAIT,
        () ->
            assertThat(
                    holds(
                        () ->
                            sink.events.stream()
                                .anyMatch(
                                    e ->
                                        e.getKind() == NodeEventKind.CONDITION_CHANGED
                                            && "Ready".equals(e.getConditionType())
                                            && "Unknown".equals(e.getConditionStatus()))))
                .isTrue());
    NodeEvent ready =
        sink.events.stream().filter(e -> "Ready".equals(e.getConditionType())).findFirst().get();
    assertThat(ready.getSource()).isEqualTo("node-controller");
    assertThat(ready.getNode()).isEqualTo(P5_NODE);
  }

  @Test
  void shouldPublishFromTheLeaseHolderOnly() {
    ListSink first = new ListSink();
    ListSink second = new ListSink();
    WatchService a = watcher("watch-0", first, false, Duration.ZERO);
    WatchService b = watcher("watch-1", second, false, Duration.ZERO);
    kube.client().nodes().resource(WatchObjects.p5Node("True", "KubeletReady")).create();

    Eventually.await(WAIT, () -> assertThat(holds(() -> a.isLeader() || b.isLeader())).isTrue());
    ListSink leaderSink = a.isLeader() ? first : second;
    ListSink standbySink = a.isLeader() ? second : first;
    Eventually.await(
        WAIT, () -> assertThat(holds(() -> leaderSink.last(P5_NODE).isPresent())).isTrue());
    assertThat(a.isLeader() && b.isLeader()).isFalse();
    assertThat(standbySink.size()).isZero();
    assertThat((a.isLeader() ? b : a).health().check().isUp()).isTrue();
  }
}
