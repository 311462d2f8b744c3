package io.gpuward.remediation.k8s;

import static io.gpuward.remediation.k8s.K8sObjects.BOOT_ID;
import static io.gpuward.remediation.k8s.K8sObjects.INSTANCE_ID;
import static io.gpuward.remediation.k8s.K8sObjects.NODE;
import static io.gpuward.remediation.k8s.K8sObjects.OTHER_NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KubernetesClusterActuatorTest {

  private static final String OP = "op-3c1f0a9e";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClusterMock mock;
  private KubernetesClient kube;
  private FakeTime time;
  private KubernetesClusterActuator actuator;

  @BeforeEach
  void setUp() {
    mock = new ClusterMock();
    kube = mock.client();
    time = new FakeTime(Instant.parse("2026-03-01T10:00:00Z"));
    actuator =
        new KubernetesClusterActuator(kube, time, time, KubernetesActuatorSettings.defaults());
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  private Node create(Node n) {
    return kube.nodes().resource(n).create();
  }

  private Node stored(String name) {
    return kube.nodes().withName(name).get();
  }

  // --- node ----------------------------------------------------------------------------------

  @Test
  void shouldReadLiveNodeFromARealisticNode() {
    Node n = K8sObjects.gpuNode(NODE);
    n.getMetadata().getLabels().put("gpuward.io/asg", "eks-p5-train-20240301-abcd");
    create(n);

    Optional<LiveNode> live = actuator.node(NODE);

    assertThat(live)
        .contains(
            LiveNode.named(NODE)
                .bootId(BOOT_ID)
                .ready(true)
                .instanceId(INSTANCE_ID)
                .asgName("eks-p5-train-20240301-abcd")
                .labels(n.getMetadata().getLabels())
                .build());
    assertThat(live.get().nodegroup()).isPresent();
    assertThat(live.get().zone()).isPresent();
  }

  @Test
  void shouldReadTheGpusTheDevicePluginWithholdsFromAllocatable() {
    Node n = K8sObjects.gpuNode(NODE);
    n.getStatus()
        .setCapacity(Map.of("cpu", new Quantity("192"), "nvidia.com/gpu", new Quantity("8")));
    n.getStatus()
        .setAllocatable(Map.of("cpu", new Quantity("191"), "nvidia.com/gpu", new Quantity("7")));
    create(n);

    LiveNode live = actuator.node(NODE).orElseThrow();

    assertThat(live.gpus()).isEqualTo(new LiveNode.GpuCount(8, 7));
    assertThat(live.gpus().withheld()).isEqualTo(1);
  }

  @Test
  void shouldMarkASchedulableNodeDegradedAndTakeOnlyThatMarkOffAgain() {
    create(K8sObjects.gpuNode(NODE));

    actuator.markHealth(NODE, HealthMark.DEGRADED);
    Node marked = stored(NODE);
    assertThat(marked.getMetadata().getLabels()).containsEntry(HealthMark.LABEL, "degraded");
    assertThat(marked.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
    assertThat(marked.getSpec().getTaints())
        .noneMatch(t -> HealthMark.TAINT_KEY.equals(t.getKey()));
    assertThat(actuator.node(NODE).orElseThrow().degraded()).isTrue();

    actuator.uncordon(NODE, OP);

    Node back = stored(NODE);
    // The merge patch writes the label null: a real API server drops it, the mock keeps a null.
    assertThat(back.getMetadata().getLabels().get(HealthMark.LABEL)).isNull();
    assertThat(back.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
    assertThat(actuator.node(NODE).orElseThrow().degraded()).isFalse();
  }

  @Test
  void shouldNotMarkDegradedANodeSomeoneElseCordonedNorUncordonIt() {
    Node n = K8sObjects.gpuNode(NODE);
    n.getSpec().setUnschedulable(true);
    create(n);

    actuator.markHealth(NODE, HealthMark.DEGRADED);
    actuator.uncordon(NODE, OP);

    Node after = stored(NODE);
    assertThat(after.getMetadata().getLabels()).doesNotContainKey(HealthMark.LABEL);
    assertThat(after.getSpec().getUnschedulable()).isTrue();
  }

  @Test
  void shouldReportNotReadyUnschedulableAndGpuwardCordon() {
    Node n = K8sObjects.gpuNode(NODE);
    n.getStatus().getConditions().get(1).setStatus("Unknown");
    n.getSpec().setUnschedulable(true);
    n.getMetadata().getAnnotations().put(KubernetesClusterActuator.CORDONED_BY, OP);
    n.getSpec().setProviderID("kind://docker/kind/kind-worker");
    create(n);

    LiveNode live = actuator.node(NODE).orElseThrow();

    assertThat(live.ready()).isFalse();
    assertThat(live.unschedulable()).isTrue();
    assertThat(live.cordonedBy()).contains(OP);
    assertThat(live.cordonedBySomeoneElse()).isFalse();
    assertThat(live.instanceId()).isNull();
    assertThat(live.asgName()).isNull();
  }

  @Test
  void shouldReturnEmptyForAMissingNode() {
    assertThat(actuator.node(NODE)).isEmpty();
  }

  @Test
  void shouldClassifyAServerErrorOnReadAsTransient() {
    mock.failNext("GET", "/api/v1/nodes/" + NODE, 503, 1);
    assertThatThrownBy(() -> actuator.node(NODE))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.TRANSIENT));
  }

  @Test
  void shouldRejectAnInvalidNodeNameBeforeAnyRequest() {
    for (String bad : new String[] {"../nodes/x", "Node_1", "", "a/b", "x?watch=true"}) {
      assertThatThrownBy(() -> actuator.cordon(bad, OP))
          .isInstanceOfSatisfying(
              ActuatorException.class,
              e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.PERMANENT));
      assertThatThrownBy(() -> actuator.node(bad)).isInstanceOf(ActuatorException.class);
      assertThatThrownBy(() -> actuator.uncordon(bad, OP)).isInstanceOf(ActuatorException.class);
      assertThatThrownBy(() -> actuator.drain(bad, Duration.ofMinutes(1)))
          .isInstanceOf(ActuatorException.class);
    }
    assertThatThrownBy(() -> actuator.node(null)).isInstanceOf(ActuatorException.class);
    assertThat(mock.requests()).isEmpty();
  }

  // --- cordon / uncordon ---------------------------------------------------------------------

  @Test
  void shouldCordonWithOneMergePatchOfUnschedulableAndTheAnnotation() throws Exception {
    Node before = create(K8sObjects.gpuNode(NODE));

    actuator.cordon(NODE, OP);

    var patches = mock.requests("PATCH", "/api/v1/nodes/" + NODE);
    assertThat(patches).hasSize(1);
    JsonNode body = JSON.readTree(patches.get(0).body());
    assertThat(body)
        .isEqualTo(
            JSON.readTree(
                "{\"metadata\":{\"resourceVersion\":\""
                    + before.getMetadata().getResourceVersion()
                    + "\",\"annotations\":{\"gpuward.io/cordoned-by\":\""
                    + OP
                    + "\"},\"labels\":{\"gpuward.io/health\":\"unschedulable\"}},"
                    + "\"spec\":{\"unschedulable\":true,"
                    + "\"taints\":[{\"key\":\"gpuward.io/unhealthy\",\"effect\":\"NoSchedule\"}]}}"));
    Node after = stored(NODE);
    assertThat(after.getSpec().getUnschedulable()).isTrue();
    assertThat(after.getMetadata().getAnnotations())
        .containsEntry(KubernetesClusterActuator.CORDONED_BY, OP)
        .containsEntry("node.alpha.kubernetes.io/ttl", "0");
    assertThat(after.getMetadata().getLabels())
        .containsAllEntriesOf(before.getMetadata().getLabels())
        .containsEntry(HealthMark.LABEL, "unschedulable");
    assertThat(after.getSpec().getProviderID()).isEqualTo(before.getSpec().getProviderID());
    assertThat(after.getSpec().getTaints())
        .extracting(Taint::getKey, Taint::getEffect)
        .containsExactly(tuple(HealthMark.TAINT_KEY, "NoSchedule"));
    assertThat(actuator.node(NODE).orElseThrow().cordonedBy()).contains(OP);
  }

  @Test
  void shouldNotPatchWhenCordonedTwiceByTheSameOperation() {
    create(K8sObjects.gpuNode(NODE));

    actuator.cordon(NODE, OP);
    actuator.cordon(NODE, OP);

    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).hasSize(1);
    assertThat(stored(NODE).getSpec().getUnschedulable()).isTrue();
  }

  @Test
  void shouldRefuseToCordonANodeCordonedBySomeoneElse() {
    Node n = K8sObjects.gpuNode(NODE);
    n.getSpec().setUnschedulable(true);
    create(n);

    assertThatThrownBy(() -> actuator.cordon(NODE, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ActuatorException.Kind.PERMANENT);
              assertThat(e).hasMessageContaining("cordoned by someone else");
            });
    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).isEmpty();
    assertThat(stored(NODE).getMetadata().getAnnotations())
        .doesNotContainKey(KubernetesClusterActuator.CORDONED_BY);
  }

  @Test
  void shouldRetryACordonAfterAConflict() {
    create(K8sObjects.gpuNode(NODE));
    mock.failNext("PATCH", "/api/v1/nodes/" + NODE, 409, 1);

    actuator.cordon(NODE, OP);

    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).hasSize(2);
    assertThat(mock.requests("PATCH", "/api/v1/nodes/"))
        .extracting(ClusterMock.Request::body)
        .allSatisfy(b -> assertThat(b).contains("\"resourceVersion\""));
    assertThat(stored(NODE).getSpec().getUnschedulable()).isTrue();
  }

  @Test
  void shouldReportPersistentConflictsAsTransient() {
    create(K8sObjects.gpuNode(NODE));
    mock.failNext("PATCH", "/api/v1/nodes/" + NODE, 409, 10);

    assertThatThrownBy(() -> actuator.cordon(NODE, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.TRANSIENT));
    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).hasSize(3);
  }

  @Test
  void shouldReportACordonOfAMissingNodeAsPermanent() {
    assertThatThrownBy(() -> actuator.cordon(NODE, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.PERMANENT));
  }

  @Test
  void shouldUncordonOnlyWhatGpuwardCordoned() {
    create(K8sObjects.gpuNode(NODE));
    actuator.cordon(NODE, OP);

    actuator.uncordon(NODE, "op-uncordon-1");

    Node after = stored(NODE);
    assertThat(after.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
    // The patch sets the annotation to null, which removes it on a real API server (RFC 7386);
    // fabric8's CRUD mock keeps the key with a null value, so assert on the value.
    assertThat(after.getMetadata().getAnnotations().get(KubernetesClusterActuator.CORDONED_BY))
        .isNull();
    assertThat(after.getMetadata().getAnnotations())
        .containsEntry("node.alpha.kubernetes.io/ttl", "0");
    assertThat(mock.requests("PATCH", "/api/v1/nodes/").get(1).body())
        .contains("\"gpuward.io/cordoned-by\":null")
        .contains("\"unschedulable\":null");
    LiveNode live = actuator.node(NODE).orElseThrow();
    assertThat(live.unschedulable()).isFalse();
    assertThat(live.cordonedBy()).isEmpty();

    int patches = mock.requests("PATCH", "/api/v1/nodes/").size();
    actuator.uncordon(NODE, "op-uncordon-1");
    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).hasSize(patches);
  }

  @Test
  void shouldWriteTheTaintListReadPlusOrMinusItsOwnTaint() throws Exception {
    Node n = K8sObjects.gpuNode(NODE);
    n.getSpec()
        .setTaints(
            List.of(new TaintBuilder().withKey("nvidia.com/gpu").withEffect("NoSchedule").build()));
    create(n);

    actuator.cordon(NODE, OP);
    // A merge patch replaces a list whole on a real API server (RFC 7386); fabric8's CRUD mock
    // appends to it instead, so the lists are asserted as sent, and the cordoned node is stored
    // as a real server would have it.
    var patches = mock.requests("PATCH", "/api/v1/nodes/" + NODE);
    assertThat(JSON.readTree(patches.get(0).body()).at("/spec/taints").findValuesAsText("key"))
        .containsExactly("nvidia.com/gpu", HealthMark.TAINT_KEY);
    Node cordoned = K8sObjects.gpuNode(OTHER_NODE);
    cordoned.getSpec().setUnschedulable(true);
    cordoned.getMetadata().getAnnotations().put(KubernetesClusterActuator.CORDONED_BY, OP);
    cordoned.getMetadata().getLabels().put(HealthMark.LABEL, "pending-reset");
    cordoned
        .getSpec()
        .setTaints(
            List.of(
                new TaintBuilder().withKey("nvidia.com/gpu").withEffect("NoSchedule").build(),
                new TaintBuilder().withKey(HealthMark.TAINT_KEY).withEffect("NoSchedule").build()));
    create(cordoned);

    actuator.uncordon(OTHER_NODE, "op-uncordon-2");

    JsonNode uncordon =
        JSON.readTree(mock.requests("PATCH", "/api/v1/nodes/" + OTHER_NODE).get(0).body());
    assertThat(uncordon.at("/spec/taints").findValuesAsText("key"))
        .containsExactly("nvidia.com/gpu");
    assertThat(uncordon.at("/metadata/labels").has(HealthMark.LABEL)).isTrue();
    assertThat(uncordon.at("/metadata/labels/" + HealthMark.LABEL.replace("/", "~1")).isNull())
        .isTrue();
  }

  @Test
  void shouldMarkTheHealthOfANodeGpuwardCordonedOnlyWhenItChanges() {
    create(K8sObjects.gpuNode(NODE));
    actuator.cordon(NODE, OP);

    actuator.markHealth(NODE, HealthMark.PENDING_REBOOT);
    actuator.markHealth(NODE, HealthMark.PENDING_REBOOT);

    assertThat(stored(NODE).getMetadata().getLabels())
        .containsEntry(HealthMark.LABEL, "pending-reboot");
    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).hasSize(2);
  }

  @Test
  void shouldNeverMarkANodeGpuwardDidNotCordon() {
    Node n = K8sObjects.gpuNode(NODE);
    n.getSpec().setUnschedulable(true); // someone else's cordon
    create(n);

    actuator.markHealth(NODE, HealthMark.ESCALATED);
    actuator.markHealth("no-such-node", HealthMark.ESCALATED);

    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).isEmpty();
  }

  @Test
  void shouldNotThrowWhenAMarkCannotBeWritten() {
    create(K8sObjects.gpuNode(NODE));
    actuator.cordon(NODE, OP);
    mock.failNext("PATCH", "/api/v1/nodes/" + NODE, 500, 1);

    actuator.markHealth(NODE, HealthMark.VALIDATING);

    assertThat(stored(NODE).getMetadata().getLabels())
        .containsEntry(HealthMark.LABEL, "unschedulable");
  }

  @Test
  void shouldLeaveANodeCordonedBySomeoneElseCordoned() {
    Node n = K8sObjects.gpuNode(NODE);
    n.getSpec().setUnschedulable(true);
    create(n);

    actuator.uncordon(NODE, OP);

    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).isEmpty();
    assertThat(stored(NODE).getSpec().getUnschedulable()).isTrue();
  }

  @Test
  void shouldTreatUncordonOfAMissingNodeAsDone() {
    actuator.uncordon(NODE, OP);
    assertThat(mock.requests("PATCH", "/api/v1/nodes/")).isEmpty();
  }

  // --- drain ---------------------------------------------------------------------------------

  @Test
  void shouldEvictWorkloadsAndSkipDaemonSetMirrorAndCompletedPods() {
    create(K8sObjects.gpuNode(NODE));
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    kube.resource(K8sObjects.workload("infer", "triton-7d9f", NODE)).create();
    kube.resource(K8sObjects.daemonSetPod("gpu-operator", "nvidia-device-plugin-x7k2p", NODE))
        .create();
    kube.resource(K8sObjects.daemonSetPod("kube-system", "aws-node-4hz8m", NODE)).create();
    kube.resource(K8sObjects.mirror("kube-system", "static-web-" + NODE, NODE)).create();
    kube.resource(K8sObjects.completed("batch", "preflight-check-1", NODE)).create();
    kube.resource(K8sObjects.workload("train", "llama-1", OTHER_NODE)).create();

    DrainResult r = actuator.drain(NODE, Duration.ofMinutes(5));

    assertThat(r).isEqualTo(new DrainResult(2, 0, 2, true));
    assertThat(mock.evictions())
        .extracting(ClusterMock.Request::path)
        .containsExactlyInAnyOrder(
            "/api/v1/namespaces/train/pods/llama-0/eviction",
            "/api/v1/namespaces/infer/pods/triton-7d9f/eviction");
    assertThat(mock.requests("GET", "/api/v1/pods"))
        .extracting(ClusterMock.Request::path)
        .anySatisfy(p -> assertThat(p).contains("fieldSelector=spec.nodeName%3D" + NODE));
    assertThat(kube.pods().inNamespace("train").withName("llama-1").get()).isNotNull();
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void shouldEvictOnlyTheNamedPodsOfTheNodeAndLeaveItsOtherPodsRunning() {
    create(K8sObjects.gpuNode(NODE));
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    kube.resource(K8sObjects.workload("train", "llama-1", NODE)).create();
    kube.resource(K8sObjects.workload("infer", "triton-7d9f", NODE)).create();
    kube.resource(K8sObjects.workload("train", "llama-2", OTHER_NODE)).create();

    DrainResult r =
        actuator.evictPods(
            NODE, List.of("train/llama-1", "train/llama-2", "infer/gone"), Duration.ofMinutes(5));

    assertThat(r).isEqualTo(new DrainResult(1, 0, 0, true));
    assertThat(mock.evictions())
        .extracting(ClusterMock.Request::path)
        .containsExactly("/api/v1/namespaces/train/pods/llama-1/eviction");
    assertThat(kube.pods().inNamespace("train").withName("llama-0").get()).isNotNull();
    assertThat(kube.pods().inNamespace("infer").withName("triton-7d9f").get()).isNotNull();
    assertThat(kube.pods().inNamespace("train").withName("llama-2").get()).isNotNull();
  }

  @Test
  void shouldRetryANamedPodsEvictionThatAPdbRefusesUntilItIsAllowed() {
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    kube.resource(K8sObjects.workload("train", "llama-1", NODE)).create();
    mock.scriptEviction("train", "llama-0", 429, 201);

    DrainResult r = actuator.evictPods(NODE, List.of("train/llama-0"), Duration.ofMinutes(5));

    assertThat(r.complete()).isTrue();
    assertThat(r.evicted()).isEqualTo(1);
    assertThat(kube.pods().inNamespace("train").withName("llama-1").get()).isNotNull();
  }

  @Test
  void shouldSendAPolicyV1EvictionWithTheUidPrecondition() throws Exception {
    var pod = kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();

    actuator.drain(NODE, Duration.ofMinutes(1));

    JsonNode body = JSON.readTree(mock.evictions().get(0).body());
    assertThat(body.path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(body.path("kind").asText()).isEqualTo("Eviction");
    assertThat(body.path("metadata").path("name").asText()).isEqualTo("llama-0");
    assertThat(body.path("deleteOptions").path("preconditions").path("uid").asText())
        .isEqualTo(pod.getMetadata().getUid());
  }

  @Test
  void shouldBackOffWithGrowingDelaysWhileAPdbRefusesThenEvict() {
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    mock.scriptEviction("train", "llama-0", 429, 429, 429, 429, 201);

    DrainResult r = actuator.drain(NODE, Duration.ofMinutes(5));

    assertThat(r).isEqualTo(new DrainResult(1, 0, 0, true));
    assertThat(mock.evictions()).hasSize(5);
    assertThat(time.sleeps())
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8));
  }

  @Test
  void shouldGiveUpAtTheDeadlineWhenAPdbKeepsRefusing() {
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    kube.resource(K8sObjects.workload("train", "llama-1", NODE)).create();
    mock.scriptEviction(
        "train", "llama-0", java.util.Collections.nCopies(1000, 429).toArray(Integer[]::new));
    Instant start = time.instant();

    DrainResult r = actuator.drain(NODE, Duration.ofSeconds(60));

    assertThat(r).isEqualTo(new DrainResult(1, 1, 0, false));
    assertThat(time.instant()).isEqualTo(start.plusSeconds(60));
    assertThat(time.sleeps())
        .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(10)));
    assertThat(time.sleeps()).contains(Duration.ofSeconds(10));
    assertThat(mock.evictions().stream().filter(e -> e.path().contains("llama-0")).count())
        .isEqualTo(time.sleeps().size() + 1);
    assertThat(kube.pods().inNamespace("train").withName("llama-0").get()).isNotNull();
  }

  @Test
  void shouldRetryAServerErrorAndThenEvict() {
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    mock.scriptEviction("train", "llama-0", 500, 201);

    DrainResult r = actuator.drain(NODE, Duration.ofMinutes(1));

    assertThat(r).isEqualTo(new DrainResult(1, 0, 0, true));
    assertThat(mock.evictions()).hasSize(2);
    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void shouldReportServerErrorsUntilTheDeadlineAsTransient() {
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    mock.scriptEviction(
        "train", "llama-0", java.util.Collections.nCopies(1000, 503).toArray(Integer[]::new));

    assertThatThrownBy(() -> actuator.drain(NODE, Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.TRANSIENT));
  }

  @Test
  void shouldFailPermanentlyWhenEvictionIsForbidden() {
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    mock.scriptEviction("train", "llama-0", 403);

    assertThatThrownBy(() -> actuator.drain(NODE, Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.PERMANENT));
    assertThat(mock.evictions()).hasSize(1);
  }

  @Test
  void shouldTreatAPodDeletedMeanwhileAsGone() {
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    mock.scriptEviction("train", "llama-0", 404);

    DrainResult r = actuator.drain(NODE, Duration.ofSeconds(30));

    assertThat(r).isEqualTo(new DrainResult(0, 0, 0, true));
  }

  @Test
  void shouldWaitForEvictedPodsToLeaveBeforeReportingComplete() {
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    mock.linger("train", "llama-0");

    DrainResult r = actuator.drain(NODE, Duration.ofSeconds(10));

    assertThat(r).isEqualTo(new DrainResult(1, 0, 0, false));
    assertThat(time.sleeps()).allSatisfy(d -> assertThat(d).isEqualTo(Duration.ofSeconds(2)));
    assertThat(time.sleeps()).hasSize(5);
  }

  @Test
  void shouldNotWaitForEvictedPodsOnANodeWhoseKubeletStoppedPostingStatus() {
    Node hung = K8sObjects.gpuNode(NODE);
    hung.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .forEach(
            c -> {
              c.setStatus("Unknown");
              c.setReason("NodeStatusUnknown");
              c.setMessage("Kubelet stopped posting node status.");
            });
    kube.resource(hung).create();
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    mock.linger("train", "llama-0");

    DrainResult r = actuator.drain(NODE, Duration.ofSeconds(10));

    assertThat(r).isEqualTo(new DrainResult(1, 0, 0, true));
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void shouldStillWaitForEvictedPodsOnANodeThatReportsNotReadyItself() {
    Node notReady = K8sObjects.gpuNode(NODE);
    notReady.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .forEach(c -> c.setStatus("False"));
    kube.resource(notReady).create();
    kube.resource(K8sObjects.workload("train", "llama-0", NODE)).create();
    mock.linger("train", "llama-0");

    assertThat(actuator.drain(NODE, Duration.ofSeconds(10)).complete()).isFalse();
  }

  @Test
  void shouldDrainAnEmptyNodeAtOnce() {
    kube.resource(K8sObjects.daemonSetPod("kube-system", "kube-proxy-abcde", NODE)).create();
    assertThat(actuator.drain(NODE, Duration.ofMinutes(1)))
        .isEqualTo(new DrainResult(0, 0, 1, true));
    assertThat(mock.evictions()).isEmpty();
  }
}
