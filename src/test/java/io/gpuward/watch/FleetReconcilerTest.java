package io.gpuward.watch;

import static io.gpuward.watch.WatchObjects.M5_ID;
import static io.gpuward.watch.WatchObjects.M5_NODE;
import static io.gpuward.watch.WatchObjects.NVIDIA_IMAGE;
import static io.gpuward.watch.WatchObjects.P5_ID;
import static io.gpuward.watch.WatchObjects.P5_NODE;
import static io.gpuward.watch.WatchObjects.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.gpuward.avro.NodeInventory;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.NodeInventories;
import io.gpuward.watch.FleetReconciler.Desired;
import io.gpuward.watch.FleetReconciler.Publish;
import io.gpuward.watch.FleetReconciler.Tombstone;
import io.gpuward.watch.FleetReconciler.View;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetReconcilerTest {

  static final Duration GRACE = Duration.ofMinutes(5);
  final FleetReconciler reconciler =
      new FleetReconciler(InstanceTypeCatalog.load(), GRACE, NodeInventories.Problems.IGNORE);

  static View view(Map<String, Node> nodes, List<CloudInstance> instances) {
    return new View(nodes, instances, Map.of(), Map.of());
  }

  @Test
  void shouldDescribeARegisteredNodeFromItsLabelsAndTheCloud() {
    Node n = WatchObjects.p5Node("True", "KubeletReady");
    Map<String, Desired> out =
        reconciler.reconcile(
            view(Map.of(P5_NODE, n), List.of(WatchObjects.p5("running", "InService"))), T0);

    NodeInventory inv = ((Publish) out.get(P5_NODE)).inventory();
    assertThat(inv.getRegistered()).isTrue();
    assertThat(inv.getInstanceId()).isEqualTo(P5_ID);
    assertThat(inv.getInstanceType()).isEqualTo("p5.48xlarge");
    assertThat(inv.getNodegroup()).isEqualTo("p5-train");
    assertThat(inv.getZone()).isEqualTo("us-east-1a");
    assertThat(inv.getExpectedGpus()).isEqualTo(8);
    assertThat(inv.getGpuModel()).isNotNull();
    assertThat(inv.getMigCapable()).isTrue();
    assertThat(inv.getDriverVersion()).isEqualTo("550.90.07");
    assertThat(inv.getAsgName()).isEqualTo("eks-p5-train-asg");
    assertThat(inv.getAmiId()).isEqualTo("ami-0aaaaaaaaaaaaaaa1");
    assertThat(inv.getSsmPingStatus()).isEqualTo("Online");
    assertThat(inv.getLabels())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3")
        .doesNotContainKeys("nvidia.com/gfd.timestamp", "kubernetes.io/os");
  }

  @Test
  void shouldListTheInstancesScheduledEventsInItsInventoryAndNullWhenNotRead() {
    ScheduledEvent retirement =
        new ScheduledEvent(
            P5_ID,
            "instance-event-0d59937288b749b32",
            "instance-retirement",
            "The instance is running on degraded hardware",
            T0.plusSeconds(3600),
            null);
    CloudInstance p5 = WatchObjects.p5("running", "InService");
    Node n = WatchObjects.p5Node("True", "KubeletReady");

    List<CloudInstance> listed = ClusterWatcher.withEvents(List.of(p5), List.of(retirement), null);
    NodeInventory inv =
        ((Publish) reconciler.reconcile(view(Map.of(P5_NODE, n), listed), T0).get(P5_NODE))
            .inventory();
    List<CloudInstance> unread = ClusterWatcher.withEvents(List.of(p5), null, listed);
    List<CloudInstance> never = ClusterWatcher.withEvents(List.of(p5), null, null);

    assertThat(inv.getScheduledEvents())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getEventId()).isEqualTo("instance-event-0d59937288b749b32");
              assertThat(e.getCode()).isEqualTo("instance-retirement");
              assertThat(e.getNotBefore()).isEqualTo(T0.plusSeconds(3600));
              assertThat(e.getState()).isEqualTo(ScheduledEvent.SCHEDULED);
            });
    assertThat(unread.get(0).scheduledEvents()).containsExactly(retirement);
    assertThat(never.get(0).scheduledEvents()).isNull();
    assertThat(ClusterWatcher.withEvents(List.of(p5), List.of(), listed).get(0).scheduledEvents())
        .isEmpty();
  }

  @Test
  void shouldDescribeANodeFromKubernetesAloneBeforeTheCloudIsRead() {
    Map<String, Desired> out =
        reconciler.reconcile(
            view(Map.of(P5_NODE, WatchObjects.p5Node("True", "KubeletReady")), null), T0);

    NodeInventory inv = ((Publish) out.get(P5_NODE)).inventory();
    assertThat(inv.getRegistered()).isTrue();
    assertThat(inv.getAsgName()).isNull();
    assertThat(inv.getSsmPingStatus()).isNull();
    assertThat(inv.getScheduledEvents()).isNull();
  }

  @Test
  void shouldReportAnInstanceThatNeverRegisteredOnceTheGraceIsOver() {
    CloudInstance m5 = WatchObjects.m5Nvidia("running", CloudInstance.SSM_NOT_REGISTERED);

    assertThat(reconciler.reconcile(view(Map.of(), List.of(m5)), T0.plus(GRACE).minusSeconds(1)))
        .isEmpty();
    Map<String, Desired> out = reconciler.reconcile(view(Map.of(), List.of(m5)), T0.plus(GRACE));

    NodeInventory inv = ((Publish) out.get(M5_NODE)).inventory();
    assertThat(inv.getRegistered()).isFalse();
    assertThat(inv.getInstanceId()).isEqualTo(M5_ID);
    assertThat(inv.getInstanceType()).isEqualTo("m5.large");
    assertThat(inv.getExpectedGpus()).isZero();
    assertThat(inv.getImage()).isEqualTo(NVIDIA_IMAGE);
    assertThat(inv.getAmiId()).isEqualTo("ami-0123456789abcdef0");
    assertThat(inv.getLaunchedAt()).isEqualTo(T0);
    assertThat(inv.getNodegroup()).isEqualTo("cache-warm");
    assertThat(inv.getSsmPingStatus()).isEqualTo(CloudInstance.SSM_NOT_REGISTERED);
  }

  @Test
  void shouldTombstoneATerminatedInstanceNeverReportIt() {
    Map<String, Desired> out =
        reconciler.reconcile(
            view(Map.of(), List.of(WatchObjects.m5Nvidia("terminated", null))),
            T0.plusSeconds(9999));

    assertThat(out.get(M5_NODE)).isInstanceOf(Tombstone.class);
  }

  @Test
  void shouldTombstoneAScaledInNodeEvenWhileItsNodeObjectLingers() {
    Node n = WatchObjects.p5Node("Unknown", "NodeStatusUnknown");
    Map<String, Desired> out =
        reconciler.reconcile(
            view(Map.of(P5_NODE, n), List.of(WatchObjects.p5("running", "Terminating:Wait"))), T0);

    assertThat(out.get(P5_NODE))
        .isInstanceOfSatisfying(
            Tombstone.class, t -> assertThat(t.why()).contains("Terminating:Wait"));
  }

  @Test
  void shouldTombstoneATerminatedInstanceByTheNameItsNodeHadOnceItsDnsNameIsGone() {
    CloudInstance gone =
        new CloudInstance(
            P5_ID,
            "p5.48xlarge",
            "terminated",
            "",
            null,
            null,
            null,
            T0,
            null,
            null,
            null,
            null,
            null);
    View v = new View(Map.of(), List.of(gone), Map.of(), Map.of(P5_ID, P5_NODE));

    assertThat(reconciler.reconcile(v, T0).get(P5_NODE)).isInstanceOf(Tombstone.class);
  }

  @Test
  void shouldWaitTheGraceAfterANodeIsDeletedWhileItsInstanceStillRuns() {
    Instant deleted = T0.plusSeconds(100);
    View v =
        new View(
            Map.of(),
            List.of(WatchObjects.p5("running", "InService")),
            Map.of(P5_NODE, deleted),
            Map.of());

    assertThat(reconciler.reconcile(v, deleted.plusSeconds(10))).isEmpty();
    NodeInventory inv =
        ((Publish) reconciler.reconcile(v, deleted.plus(GRACE)).get(P5_NODE)).inventory();
    assertThat(inv.getRegistered()).isFalse();
  }

  @Test
  void shouldTombstoneADeletedNodeWhoseInstanceTheCloudDoesNotList() {
    View v = new View(Map.of(), List.of(), Map.of(P5_NODE, T0), Map.of());

    assertThat(reconciler.reconcile(v, T0).get(P5_NODE)).isInstanceOf(Tombstone.class);
  }

  @Test
  void shouldRemoveNothingBeforeTheCloudWasRead() {
    View v = new View(Map.of(), null, Map.of(P5_NODE, T0), Map.of());

    assertThat(reconciler.reconcile(v, T0.plusSeconds(9999))).isEmpty();
  }

  @Test
  void shouldNeitherReportNorRemoveAStoppedInstance() {
    assertThat(
            reconciler.reconcile(
                view(Map.of(), List.of(WatchObjects.m5Nvidia("stopped", "Inactive"))),
                T0.plusSeconds(9999)))
        .isEmpty();
  }
}
