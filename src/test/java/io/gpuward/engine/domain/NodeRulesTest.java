package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.engine.NodeStateSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Node rules on the cases the unseen-scenario runs exposed: a single-GPU instance losing its only
 * GPU, a missing GPU Operator device plugin (configuration, not hardware), and a node removed from
 * the cluster.
 */
class NodeRulesTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final String NODE = "g6-batch-1";
  private static final String PREFIX = "nvidia.com/gpu.deploy.";

  private final RuleCatalog rules = RuleCatalog.load();
  private final NodeRules nodeRules = new NodeRules(rules);
  private final NodeState state = new NodeState();
  private long seq;

  private NodeEvent.Builder event(NodeEventKind kind, Instant at) {
    return NodeEvent.newBuilder()
        .setEventId(NODE + "/" + kind + "/" + (++seq))
        .setNode(NODE)
        .setKind(kind)
        .setEventTime(at)
        .setSource("test")
        .setLabels(Map.of())
        .setUnschedulable(false);
  }

  private List<Signal> on(NodeEvent e) {
    return nodeRules.onEvent(state, e, Evidences.NONE);
  }

  private List<Signal> inventory(int gpus, boolean registered, Instant launchedAt) {
    return nodeRules.onInventory(
        state,
        NodeInventory.newBuilder()
            .setNode(NODE)
            .setInstanceId("i-0123456789abcdef0")
            .setInstanceType(gpus == 1 ? "g6.2xlarge" : "p4d.24xlarge")
            .setNodegroup("g6-batch")
            .setAsgName("eks-asg")
            .setZone("eu-west-1b")
            .setImage("al2023-nvidia")
            .setExpectedGpus(gpus)
            .setRegistered(registered)
            .setLaunchedAt(launchedAt)
            .setUpdatedAt(launchedAt)
            .setLabels(Map.of())
            .build(),
        Evidences.NONE);
  }

  private List<Signal> heartbeat(String reason, int gpus, Instant at) {
    return on(
        event(NodeEventKind.EXPORTER_HEARTBEAT, at)
            .setReason(reason)
            .setMessage("scrapes=10 scrapeErrors=0 gpus=" + gpus)
            .build());
  }

  private static List<Signal.Detected> detected(List<Signal> signals, FaultClass c) {
    return signals.stream()
        .filter(Signal.Detected.class::isInstance)
        .map(Signal.Detected.class::cast)
        .filter(d -> d.faultClass() == c)
        .toList();
  }

  private static List<Signal.Recovered> recovered(List<Signal> signals, FaultClass c) {
    return signals.stream()
        .filter(Signal.Recovered.class::isInstance)
        .map(Signal.Recovered.class::cast)
        .filter(r -> r.classes().contains(c))
        .toList();
  }

  private void registered(Instant at) {
    on(event(NodeEventKind.NODE_REGISTERED, at).build());
  }

  // ------------------------------------------------------------- GPU_LOST from heartbeats

  @Test
  void singleGpuInstanceWhoseOnlyGpuIsGoneIsGpuLostAfterTwoHeartbeats() {
    inventory(1, true, T0.minusSeconds(3600));
    registered(T0);
    assertThat(heartbeat("ScrapeOk", 1, T0.plusSeconds(5))).isEmpty();

    List<Signal> first = heartbeat("NoGpus", 0, T0.plusSeconds(10));
    assertThat(detected(first, FaultClass.GPU_LOST)).as("one NoGpus can be a reload").isEmpty();
    List<Signal> second = heartbeat("NoGpus", 0, T0.plusSeconds(15));
    assertThat(detected(second, FaultClass.GPU_LOST))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(RemediationAction.REBOOT);
              assertThat(d.ruleId()).isEqualTo(NodeRules.NO_GPUS);
              assertThat(d.summary()).contains("none of the instance type's 1 GPU");
            });
    assertThat(detected(heartbeat("NoGpus", 0, T0.plusSeconds(20)), FaultClass.GPU_LOST))
        .as("raised once")
        .isEmpty();

    assertThat(recovered(heartbeat("ScrapeOk", 1, T0.plusSeconds(25)), FaultClass.GPU_LOST))
        .hasSize(1);
  }

  @Test
  void gpuLostFromHeartbeatsIsRaisedAgainAfterAReboot() {
    inventory(1, true, T0.minusSeconds(3600));
    registered(T0);
    heartbeat("NoGpus", 0, T0.plusSeconds(5));
    assertThat(detected(heartbeat("NoGpus", 0, T0.plusSeconds(10)), FaultClass.GPU_LOST))
        .hasSize(1);
    on(event(NodeEventKind.NODE_REBOOTED, T0.plusSeconds(30)).setBootId("b2").build());
    heartbeat("NoGpus", 0, T0.plusSeconds(40));
    assertThat(detected(heartbeat("NoGpus", 0, T0.plusSeconds(45)), FaultClass.GPU_LOST))
        .as("the GPU did not come back with the reboot")
        .hasSize(1);
  }

  @Test
  void noGpusOnACpuInstanceOrAFailingScrapeIsNotGpuLost() {
    inventory(0, true, T0.minusSeconds(3600));
    registered(T0);
    heartbeat("NoGpus", 0, T0.plusSeconds(5));
    assertThat(detected(heartbeat("NoGpus", 0, T0.plusSeconds(10)), FaultClass.GPU_LOST)).isEmpty();

    NodeState gpuNode = new NodeState();
    gpuNode.expectedGpus = 1;
    gpuNode.registered = true;
    for (int i = 0; i < 4; i++) {
      List<Signal> s =
          nodeRules.onEvent(
              gpuNode,
              event(NodeEventKind.EXPORTER_HEARTBEAT, T0.plusSeconds(5L * i))
                  .setReason("ScrapeFailing")
                  .build(),
              Evidences.NONE);
      assertThat(detected(s, FaultClass.GPU_LOST))
          .as("dcgm-exporter down is not a lost GPU")
          .isEmpty();
    }
  }

  // ------------------------------------------------ allocatable drop with the device plugin gone

  private void labels(Map<String, String> labels, Instant at) {
    on(event(NodeEventKind.LABELS_SNAPSHOT, at).setLabels(labels).build());
  }

  private List<Signal> resources(int capacity, int allocatable, Instant at) {
    return on(
        event(NodeEventKind.RESOURCE_SNAPSHOT, at)
            .setGpuCapacity(capacity)
            .setGpuAllocatable(allocatable)
            .build());
  }

  private static Map<String, String> operands(String... missing) {
    Map<String, String> m = new TreeMap<>();
    for (String op :
        List.of("device-plugin", "container-toolkit", "dcgm-exporter", "gpu-feature-discovery")) {
      m.put(PREFIX + op, "true");
    }
    for (String op : missing) {
      m.remove(PREFIX + op);
    }
    m.put("nvidia.com/gpu.present", "true");
    return m;
  }

  @Test
  void allocatableDropWhileTheDevicePluginIsMissingIsOperatorDegradedNotACordon() {
    inventory(1, true, T0.minusSeconds(3600));
    registered(T0);
    labels(operands(), T0);
    resources(1, 1, T0);

    labels(operands("device-plugin"), T0.plusSeconds(20));
    resources(1, 0, T0.plusSeconds(50));
    Duration operandGrace = rules.node().operandGrace();
    List<Signal> all = new ArrayList<>();
    for (long s = 60; s <= 20 + operandGrace.toSeconds() + 10; s += 5) {
      all.addAll(nodeRules.onTime(NODE, state, T0.plusSeconds(s)));
    }
    assertThat(detected(all, FaultClass.GPU_ALLOCATABLE_MISMATCH))
        .as("the missing device plugin explains the drop")
        .isEmpty();
    assertThat(detected(all, FaultClass.GPU_OPERATOR_DEGRADED))
        .singleElement()
        .satisfies(d -> assertThat(d.action()).isEqualTo(RemediationAction.ESCALATE));
  }

  @Test
  void allocatableDropWithEveryOperandPresentIsStillAMismatch() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    labels(operands(), T0);
    resources(8, 6, T0.plusSeconds(10));
    List<Signal> out =
        nodeRules.onTime(
            NODE, state, T0.plusSeconds(10).plus(rules.node().allocatableGrace()).plusSeconds(1));
    assertThat(detected(out, FaultClass.GPU_ALLOCATABLE_MISMATCH)).hasSize(1);
  }

  // ------------------------------------------------- operands judged by the pods that run

  private List<Signal> operandStatus(
      String operand, String state, String pod, String message, Instant at) {
    return on(
        NodeEvent.newBuilder(event(NodeEventKind.OPERAND_STATUS, at).build())
            .setEventId(NODE + "/OPERAND_STATUS/" + operand + "/" + state + "/" + (++seq))
            .setUnschedulable(null)
            .setNamespace("gpu-operator")
            .setPod(pod)
            .setReason(state)
            .setMessage(message)
            .build());
  }

  private void allOperandsRunning(Instant at) {
    for (String op :
        List.of("device-plugin", "container-toolkit", "dcgm-exporter", "gpu-feature-discovery")) {
      operandStatus(op, "Running", "nvidia-" + op + "-abcde", "restarts 0", at);
    }
  }

  private List<Signal> ticks(Instant from, Duration span) {
    List<Signal> all = new ArrayList<>();
    for (long s = 0; s <= span.toSeconds(); s += 5) {
      all.addAll(nodeRules.onTime(NODE, state, from.plusSeconds(s)));
    }
    return all;
  }

  @Test
  void shouldRaiseOperatorDegradedNamingTheCrashLoopingDevicePluginPod() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    labels(operands(), T0);
    allOperandsRunning(T0);

    List<Signal> out =
        operandStatus(
            "device-plugin",
            "CrashLoopBackOff",
            "nvidia-device-plugin-daemonset-x7k2p",
            "restarts 5, last terminated Error",
            T0.plusSeconds(30));

    assertThat(detected(out, FaultClass.GPU_OPERATOR_DEGRADED))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(RemediationAction.ESCALATE);
              assertThat(d.summary())
                  .contains(
                      "gpu-operator/nvidia-device-plugin-daemonset-x7k2p CrashLoopBackOff"
                          + " (restarts 5");
            });
    List<Signal> back =
        operandStatus(
            "device-plugin",
            "Running",
            "nvidia-device-plugin-daemonset-x7k2p",
            "restarts 6",
            T0.plusSeconds(90));
    assertThat(recovered(back, FaultClass.GPU_OPERATOR_DEGRADED)).hasSize(1);
  }

  @Test
  void shouldRaiseOperatorDegradedWhenAWantedOperandPodIsMissingPastTheGrace() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    labels(operands(), T0);
    allOperandsRunning(T0);

    operandStatus(
        "container-toolkit",
        "Missing",
        "nvidia-container-toolkit-daemonset-q2w3e",
        "pod deleted",
        T0.plusSeconds(10));
    Duration grace = rules.node().operandGrace();
    assertThat(
            detected(
                ticks(T0.plusSeconds(10), grace.minusSeconds(5)), FaultClass.GPU_OPERATOR_DEGRADED))
        .as("inside the grace")
        .isEmpty();
    assertThat(
            detected(
                ticks(T0.plusSeconds(10).plus(grace), Duration.ofSeconds(5)),
                FaultClass.GPU_OPERATOR_DEGRADED))
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.summary())
                    .contains("gpu-operator/nvidia-container-toolkit-daemonset-q2w3e Missing"));
  }

  @Test
  void shouldNeverFlagAnOperandTheAdminOptedOut() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    Map<String, String> labels = operands();
    labels.put(PREFIX + "dcgm-exporter", "false");
    labels(labels, T0);
    allOperandsRunning(T0);
    operandStatus(
        "dcgm-exporter", "Missing", "nvidia-dcgm-exporter-abcde", "pod deleted", T0.plusSeconds(5));

    List<Signal> all = ticks(T0, rules.node().operandGrace().plusMinutes(2));

    assertThat(detected(all, FaultClass.GPU_OPERATOR_DEGRADED)).isEmpty();
  }

  @Test
  void shouldNotFlagAnOptOutEvenWithoutPodStatus() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    Map<String, String> labels = operands();
    labels.put(PREFIX + "gpu-feature-discovery", "false");
    labels(labels, T0);

    List<Signal> all = ticks(T0, rules.node().operandGrace().plusMinutes(2));

    assertThat(detected(all, FaultClass.GPU_OPERATOR_DEGRADED)).isEmpty();
  }

  @Test
  void shouldExpectTheMpsControlDaemonOnlyWhereMpsIsEnabled() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    labels(operands(), T0);
    allOperandsRunning(T0);
    Duration span = rules.node().operandGrace().plusMinutes(2);
    assertThat(detected(ticks(T0, span), FaultClass.GPU_OPERATOR_DEGRADED))
        .as("no MPS, no daemon expected")
        .isEmpty();

    Map<String, String> mps = operands();
    mps.put("nvidia.com/mps.capable", "true");
    Instant later = T0.plus(span).plusSeconds(5);
    labels(mps, later);
    assertThat(detected(ticks(later, span), FaultClass.GPU_OPERATOR_DEGRADED))
        .singleElement()
        .satisfies(d -> assertThat(d.summary()).contains("mps-control-daemon: no pod"));
  }

  @Test
  void shouldJudgeByLabelsWhenNoOperandPodWasEverSeen() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    labels(operands("gpu-feature-discovery"), T0);

    List<Signal> all = ticks(T0, rules.node().operandGrace().plusSeconds(10));

    assertThat(detected(all, FaultClass.GPU_OPERATOR_DEGRADED))
        .singleElement()
        .satisfies(d -> assertThat(d.summary()).contains("gpu-feature-discovery"));
  }

  @Test
  void shouldKeepOperandStateThroughTheStoreFormat() {
    state.operandPods.put(
        "device-plugin",
        new NodeState.OperandPod("CrashLoopBackOff", "gpu-operator", "p-1", "restarts 2", 5L));
    var serde = new NodeStateSerde();

    NodeState back =
        serde.deserializer().deserialize("t", serde.serializer().serialize("t", state));

    assertThat(back.operandPods).isEqualTo(state.operandPods);
  }

  // ---------------------------------------------------------------- a node removed from the
  // cluster

  @Test
  void aRemovedNodeIsNotReRegisteredByItsOwnRemovalEvent() {
    inventory(1, true, T0.minusSeconds(3600));
    registered(T0);
    on(
        event(NodeEventKind.CONDITION_CHANGED, T0)
            .setConditionType("Ready")
            .setConditionStatus("True")
            .build());
    heartbeat("ScrapeOk", 1, T0.plusSeconds(5));

    on(event(NodeEventKind.NODE_REMOVED, T0.plusSeconds(40)).setUnschedulable(false).build());
    inventory(1, false, T0.minusSeconds(3600));
    assertThat(state.registered).isFalse();

    Duration grace = rules.node().registrationGrace();
    List<Signal> early = nodeRules.onTime(NODE, state, T0.plusSeconds(200));
    assertThat(detected(early, FaultClass.TELEMETRY_STALE))
        .as("a removed node is not a Ready node gone silent")
        .isEmpty();
    assertThat(detected(early, FaultClass.IMAGE_INSTANCE_MISMATCH))
        .as("the grace starts again at the removal")
        .isEmpty();
    List<Signal> late = nodeRules.onTime(NODE, state, T0.plusSeconds(40).plus(grace));
    assertThat(detected(late, FaultClass.IMAGE_INSTANCE_MISMATCH))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(RemediationAction.ESCALATE);
              assertThat(d.summary()).contains("after its Node was removed");
            });
  }

  @Test
  void eventsAboutADeletedNodeRelayedAfterItsRemovalDoNotBringItBack() {
    inventory(1, true, T0.minusSeconds(3600));
    registered(T0);
    on(
        event(NodeEventKind.CONDITION_CHANGED, T0)
            .setConditionType("Ready")
            .setConditionStatus("True")
            .build());
    heartbeat("ScrapeOk", 1, T0.plusSeconds(5));
    on(event(NodeEventKind.NODE_REMOVED, T0.plusSeconds(40)).build());

    // the Event watch and the Node watch are separate: their records arrive in any order
    on(event(NodeEventKind.KUBE_EVENT, T0.plusSeconds(41)).setReason("RemovingNode").build());
    on(
        event(NodeEventKind.CONDITION_CHANGED, T0.plusSeconds(39))
            .setConditionType("Ready")
            .setConditionStatus("True")
            .build());
    assertThat(state.registered).isFalse();
    List<Signal> later = nodeRules.onTime(NODE, state, T0.plusSeconds(600));
    assertThat(detected(later, FaultClass.TELEMETRY_STALE))
        .as("a removed node is not a Ready node gone silent")
        .isEmpty();

    on(
        event(NodeEventKind.CONDITION_CHANGED, T0.plusSeconds(700))
            .setConditionType("Ready")
            .setConditionStatus("True")
            .build());
    assertThat(state.registered).as("Ready again after the removal: registered").isTrue();
    assertThat(
            detected(
                nodeRules.onTime(NODE, state, T0.plusSeconds(1400)), FaultClass.TELEMETRY_STALE))
        .as("silent since it came back")
        .hasSize(1);
  }

  // ------------------------------------------------------------- what the cloud watcher sees

  private NodeEvent.Builder condition(String type, String status, String reason, Instant at) {
    return event(NodeEventKind.CONDITION_CHANGED, at)
        .setConditionType(type)
        .setConditionStatus(status)
        .setReason(reason);
  }

  @Test
  void aHungGpuNodeIsRebootedOnceTheNodeControllerAndTheSilenceAgree() {
    inventory(8, true, T0.minusSeconds(3600));
    on(condition("Ready", "True", "KubeletReady", T0).build());
    heartbeat("ScrapeOk", 8, T0.plusSeconds(10));
    on(
        condition("Ready", "Unknown", "NodeStatusUnknown", T0.plusSeconds(60))
            .setSource("node-controller")
            .build());
    Duration stale = rules.node().telemetryStaleAfter();
    assertThat(nodeRules.onTime(NODE, state, T0.plusSeconds(10).plus(stale))).isEmpty();
    List<Signal> late = nodeRules.onTime(NODE, state, T0.plusSeconds(20).plus(stale));
    assertThat(detected(late, FaultClass.NODE_NOT_READY_GPU))
        .singleElement()
        .satisfies(d -> assertThat(d.action()).isEqualTo(RemediationAction.REBOOT));
    assertThat(detected(late, FaultClass.TELEMETRY_STALE)).as("not a Ready node").isEmpty();
    assertThat(
            recovered(
                on(condition("Ready", "True", "KubeletReady", T0.plusSeconds(300)).build()),
                FaultClass.NODE_NOT_READY_GPU))
        .hasSize(1);
  }

  @Test
  void theAgentsAcceleratedHardwareConditionRaisesAndRecoversAHardwareClass() {
    inventory(8, true, T0.minusSeconds(3600));
    List<Signal> bad =
        on(
            condition("AcceleratedHardwareReady", "False", "NvidiaXID48Error", T0)
                .setMessage("detected XID-48 on the instance")
                .build());
    assertThat(detected(bad, FaultClass.GPU_MEMORY_DEGRADED)).hasSize(1);
    List<Signal> good =
        on(
            condition("AcceleratedHardwareReady", "True", "NvidiaGPUIsReady", T0.plusSeconds(60))
                .build());
    assertThat(recovered(good, FaultClass.GPU_MEMORY_DEGRADED)).hasSize(1);
    assertThat(
            on(
                condition(
                        "AcceleratedHardwareReady", "True", "NvidiaGPUIsReady", T0.plusSeconds(90))
                    .build()))
        .as("nothing raised, nothing to recover")
        .isEmpty();
  }

  @Test
  void aTombstonedInstanceRaisesNothingAfterTheGrace() {
    inventory(1, false, T0);
    List<Signal> removed = nodeRules.onInventoryRemoved(NODE, state, T0.plusSeconds(120));
    assertThat(recovered(removed, FaultClass.IMAGE_INSTANCE_MISMATCH)).hasSize(1);
    Duration grace = rules.node().registrationGrace();
    assertThat(
            detected(
                nodeRules.onTime(NODE, state, T0.plus(grace).plusSeconds(60)),
                FaultClass.IMAGE_INSTANCE_MISMATCH))
        .isEmpty();
  }

  @Test
  void everyDriverRootMessageMatchesAndItsFixNamesTheFourSettings() {
    List<String> messages =
        List.of(
            "nvidia-smi: executable file not found",
            "failed to create containerd task: failed to create shim: OCI runtime create failed:"
                + " container_linux.go:380: starting container process caused: exec: \"nvidia-smi\":"
                + " executable file not found in $PATH: unknown",
            "nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1:"
                + " cannot open shared object file: no such file or directory: unknown",
            "failed to inject CDI devices: unresolvable CDI devices management.nvidia.com/gpu=GPU-e78e68c0",
            "failed to get sandbox runtime: no runtime for \"nvidia\" is configured");
    for (String m : messages) {
      List<Signal> out =
          on(
              event(NodeEventKind.CONTAINER_START_FAILURE, T0)
                  .setNamespace("ml")
                  .setPod("infer-0")
                  .setMessage(m)
                  .build());
      assertThat(detected(out, FaultClass.DRIVER_ROOT_MISCONFIGURED))
          .as(m)
          .singleElement()
          .satisfies(
              d ->
                  assertThat(d.fixHint())
                      .contains("NVIDIA_DRIVER_ROOT")
                      .contains("CONTAINER_DRIVER_ROOT")
                      .contains("NVIDIA_DEV_ROOT")
                      .contains("NVIDIA_CTK_PATH")
                      .contains("/home/kubernetes/bin/nvidia")
                      .contains("Bottlerocket"));
    }
  }

  // ------------------------------------------------------------- the same fact reported twice

  private static final String LIB_NOT_FOUND =
      "nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1:"
          + " cannot open shared object file: no such file or directory: unknown";

  private NodeEvent withId(String id, NodeEvent.Builder b) {
    return b.setEventId(NODE + "/" + id).build();
  }

  @Test
  void shouldApplyAContainerStartFailureReportedTwiceOnce() {
    registered(T0);
    NodeEvent failure =
        withId(
            "CONTAINER_START_FAILURE/pod-uid/main/waiting",
            event(NodeEventKind.CONTAINER_START_FAILURE, T0.plusSeconds(5))
                .setNamespace("ml")
                .setPod("infer-0")
                .setMessage(LIB_NOT_FOUND));

    assertThat(detected(on(failure), FaultClass.DRIVER_ROOT_MISCONFIGURED)).hasSize(1);
    assertThat(on(failure)).as("the exporter's copy of the watcher's report").isEmpty();
  }

  @Test
  void shouldApplyARebootReportedByTheWatcherAndTheExporterOnce() {
    registered(T0);
    NodeEvent fromWatcher =
        withId(
            "NODE_REBOOTED/boot-2",
            event(NodeEventKind.NODE_REBOOTED, T0.plusSeconds(30))
                .setBootId("boot-2")
                .setSource("kubelet"));
    NodeEvent fromExporter =
        withId(
            "NODE_REBOOTED/boot-2",
            event(NodeEventKind.NODE_REBOOTED, T0.plusSeconds(30))
                .setBootId("boot-2")
                .setSource("exporter"));

    assertThat(on(fromWatcher)).singleElement().isInstanceOf(Signal.Recovered.class);
    assertThat(on(fromExporter)).isEmpty();
  }

  @Test
  void shouldNotLetALateRepeatUndoAnInterleavedLaterCondition() {
    registered(T0);
    NodeEvent notReady =
        withId(
            "CONDITION_CHANGED/Ready/False/KubeletNotReady/1",
            event(NodeEventKind.CONDITION_CHANGED, T0.plusSeconds(10))
                .setConditionType("Ready")
                .setConditionStatus("False")
                .setReason("KubeletNotReady"));
    NodeEvent ready =
        withId(
            "CONDITION_CHANGED/Ready/True/KubeletReady/2",
            event(NodeEventKind.CONDITION_CHANGED, T0.plusSeconds(20))
                .setConditionType("Ready")
                .setConditionStatus("True")
                .setReason("KubeletReady"));

    on(notReady);
    on(ready);
    on(notReady);
    on(ready);

    assertThat(state.ready).as("watcher, watcher, then the exporter's copies").isTrue();
  }

  @Test
  void shouldApplyKubeEventsWithDistinctIdsEachTime() {
    registered(T0);
    for (int i = 0; i < 3; i++) {
      NodeEvent e =
          event(NodeEventKind.KUBE_EVENT, T0.plusSeconds(i))
              .setReason("Failed")
              .setMessage(LIB_NOT_FOUND)
              .build();
      assertThat(detected(on(e), FaultClass.DRIVER_ROOT_MISCONFIGURED))
          .as("event %d", i)
          .hasSize(1);
    }
  }

  @Test
  void shouldForgetTheOldestIdsBeyondItsCapacity() {
    NodeEvent first =
        withId("KUBE_EVENT/first/1", event(NodeEventKind.KUBE_EVENT, T0).setMessage(LIB_NOT_FOUND));
    on(first);
    for (int i = 0; i < RecentEvents.CAPACITY; i++) {
      on(event(NodeEventKind.KUBE_EVENT, T0.plusSeconds(1)).setReason("Other").build());
    }

    assertThat(state.recentEventIds).hasSize(RecentEvents.CAPACITY);
    assertThat(detected(on(first), FaultClass.DRIVER_ROOT_MISCONFIGURED))
        .as("a repeat older than the window is applied again")
        .hasSize(1);
  }

  @Test
  void shouldCountARepeatedNoGpusHeartbeatOnce() {
    inventory(1, true, T0.minusSeconds(3600));
    registered(T0);
    NodeEvent noGpus =
        event(NodeEventKind.EXPORTER_HEARTBEAT, T0.plusSeconds(10))
            .setReason("NoGpus")
            .setMessage("gpus=0")
            .build();

    assertThat(on(noGpus)).isEmpty();
    assertThat(detected(on(noGpus), FaultClass.GPU_LOST)).as("a producer retry").isEmpty();
    assertThat(state.noGpuHeartbeats).isEqualTo(1);
  }

  // ------------------------------------ allocatable short by the GPUs open hardware verdicts name

  private List<Signal> resources(int capacity, int allocatable, Instant at, FaultyGpus faulty) {
    return nodeRules.onEvent(
        state,
        event(NodeEventKind.RESOURCE_SNAPSHOT, at)
            .setGpuCapacity(capacity)
            .setGpuAllocatable(allocatable)
            .build(),
        Evidences.NONE,
        faulty);
  }

  /** Stream-time ticks every 10 s from {@code from} to {@code to}, with {@code faulty}. */
  private List<Signal> ticks(Instant from, Instant to, FaultyGpus faulty) {
    List<Signal> out = new ArrayList<>();
    for (Instant t = from; !t.isAfter(to); t = t.plusSeconds(10)) {
      out.addAll(nodeRules.onTime(NODE, state, t, faulty));
    }
    return out;
  }

  @Test
  void shouldNotCallAGpuWithheldForItsOpenXidVerdictAMismatch() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    FaultyGpus oneBad = () -> 1;
    List<Signal> out = new ArrayList<>(resources(8, 7, T0.plusSeconds(10), oneBad));
    out.addAll(ticks(T0.plusSeconds(20), T0.plusSeconds(300), oneBad));
    assertThat(detected(out, FaultClass.GPU_ALLOCATABLE_MISMATCH)).isEmpty();
    assertThat(state.allocatableLowSince).as("no grace runs while explained").isNull();
  }

  @Test
  void shouldStartTheGraceWhenTheVerdictsThatExplainedTheShortfallClear() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    resources(8, 7, T0.plusSeconds(10), () -> 1);
    ticks(T0.plusSeconds(20), T0.plusSeconds(300), () -> 1);
    Instant cleared = T0.plusSeconds(310);
    Duration grace = rules.node().allocatableGrace();
    List<Signal> before = ticks(cleared, cleared.plus(grace).minusSeconds(10), FaultyGpus.NONE);
    assertThat(detected(before, FaultClass.GPU_ALLOCATABLE_MISMATCH))
        .as("the grace counts from the clear, not from the drop")
        .isEmpty();
    List<Signal> after = nodeRules.onTime(NODE, state, cleared.plus(grace), FaultyGpus.NONE);
    assertThat(detected(after, FaultClass.GPU_ALLOCATABLE_MISMATCH))
        .singleElement()
        .satisfies(d -> assertThat(d.action()).isEqualTo(RemediationAction.CORDON));
  }

  @Test
  void shouldStillCallMoreGpusMissingThanVerdictsNameAMismatch() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    resources(8, 6, T0.plusSeconds(10), () -> 1);
    List<Signal> out =
        nodeRules.onTime(
            NODE, state, T0.plusSeconds(10).plus(rules.node().allocatableGrace()), () -> 1);
    assertThat(detected(out, FaultClass.GPU_ALLOCATABLE_MISMATCH)).hasSize(1);
  }

  @Test
  void shouldKeepAMismatchAlreadyOpenWhenAVerdictLaterNamesTheGpu() {
    inventory(8, true, T0.minusSeconds(3600));
    registered(T0);
    resources(8, 7, T0.plusSeconds(10), FaultyGpus.NONE);
    nodeRules.onTime(
        NODE, state, T0.plusSeconds(10).plus(rules.node().allocatableGrace()), FaultyGpus.NONE);
    List<Signal> later =
        resources(
            8,
            7,
            T0.plusSeconds(10).plus(rules.node().allocatableGrace()).plusSeconds(30),
            () -> 1);
    assertThat(later).noneMatch(Signal.Recovered.class::isInstance);
    assertThat(state.raised).contains(NodeRules.ALLOCATABLE);
  }
}
