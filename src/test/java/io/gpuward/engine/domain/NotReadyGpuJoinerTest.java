package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.avro.XidEvent;
import io.gpuward.engine.EngineFixtures;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotReadyGpuJoinerTest {
  private static final String NODE = "g5-infer-1";
  private static final String GPU = "GPU-04b8a81d-1690-b4e4-0000-000000000001";

  private final XidPolicy policy = RuleCatalog.load().xid();
  private final NotReadyGpuJoiner joiner = new NotReadyGpuJoiner(policy);

  private static NodeEvent condition(String type, String status, Instant at) {
    return NodeEvent.newBuilder()
        .setEventId(NODE + "/condition/" + type + "/" + at.toEpochMilli())
        .setNode(NODE)
        .setKind(NodeEventKind.CONDITION_CHANGED)
        .setEventTime(at)
        .setSource("kubelet")
        .setConditionType(type)
        .setConditionStatus(status)
        .setReason("KubeletNotReady")
        .setMessage("container runtime network not ready")
        .setLabels(Map.of())
        .build();
  }

  private static NodeEvent notReady(Instant at) {
    return condition("Ready", "False", at);
  }

  private static XidEvent xid(int code, Instant at) {
    return EngineFixtures.xid(NODE, code, GPU, at);
  }

  @Test
  void shouldTakeReadyFalseOrUnknownAsNotReady() {
    assertThat(NotReadyGpuJoiner.isNotReady(condition("Ready", "False", T0))).isTrue();
    assertThat(NotReadyGpuJoiner.isNotReady(condition("Ready", "Unknown", T0))).isTrue();
  }

  @Test
  void shouldNotTakeReadyTrueAnotherConditionOrNoStatusAsNotReady() {
    assertThat(NotReadyGpuJoiner.isNotReady(condition("Ready", "True", T0))).isFalse();
    assertThat(NotReadyGpuJoiner.isNotReady(condition("MemoryPressure", "False", T0))).isFalse();
    assertThat(NotReadyGpuJoiner.isNotReady(condition("Ready", null, T0))).isFalse();
    NodeEvent heartbeat =
        NodeEvent.newBuilder(condition("Ready", "False", T0))
            .setKind(NodeEventKind.EXPORTER_HEARTBEAT)
            .setConditionType(null)
            .setConditionStatus(null)
            .build();
    assertThat(NotReadyGpuJoiner.isNotReady(heartbeat)).isFalse();
  }

  @Test
  void shouldCountHardwareXidsAsGpuFaults() {
    for (int code : new int[] {79, 119, 48, 74}) {
      assertThat(joiner.isGpuFault(xid(code, T0))).as("XID %d", code).isTrue();
    }
  }

  @Test
  void shouldNotCountApplicationOrInformationalXidsAsGpuFaults() {
    assertThat(joiner.isGpuFault(xid(13, T0))).as("application").isFalse();
    assertThat(joiner.isGpuFault(xid(63, T0))).as("informational").isFalse();
  }

  @Test
  void shouldCountAnXidTheCatalogDoesNotKnowAsAGpuFault() {
    // It escalates on its own; on a NotReady node it is still the GPU that failed, and a reboot
    // is what a NotReady GPU node gets.
    int unknown = DomainFixtures.xidNotInCatalog(policy);
    assertThat(joiner.isGpuFault(xid(unknown, T0))).isTrue();
  }

  @Test
  void shouldRebootANotReadyNodeWithAGpuXidAsOfTheLaterOfTheTwo() {
    NodeEvent nr = notReady(T0);
    XidEvent x = xid(79, T0.plusSeconds(40));
    Signal.Detected d = joiner.join(nr, x);
    assertThat(d.node()).isEqualTo(NODE);
    assertThat(d.faultClass()).isEqualTo(FaultClass.NODE_NOT_READY_GPU);
    assertThat(d.action()).isEqualTo(RemediationAction.REBOOT);
    assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(d.ruleId()).isEqualTo(NotReadyGpuJoiner.RULE_ID);
    assertThat(d.eventTime()).isEqualTo(T0.plusSeconds(40));
    assertThat(d.summary()).isEqualTo("node NotReady (KubeletNotReady) with GPU fault XID 79");
    assertThat(d.gpus())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.getUuid()).isEqualTo(GPU);
              assertThat(g.getPciBusId()).isEqualTo(x.getPciBusId());
            });
  }

  @Test
  void shouldStartTheEvidenceAtTheEarlierOfTheTwoInEitherOrder() {
    XidEvent x = xid(79, T0);
    NodeEvent nr = notReady(T0.plusSeconds(90));
    Signal.Detected d = joiner.join(nr, x);
    assertThat(d.eventTime()).isEqualTo(T0.plusSeconds(90));
    var e = d.evidence();
    assertThat(e.getEventTime()).as("so a join older than a reboot opens nothing").isEqualTo(T0);
    assertThat(e.getEventId()).isEqualTo(nr.getEventId());
    assertThat(e.getSource()).isEqualTo("join:not-ready-gpu");
    assertThat(e.getSignal()).isEqualTo("not_ready_with_xid");
    assertThat(e.getValue()).isEqualTo(79.0);
    assertThat(e.getGpuUuid()).isEqualTo(GPU);
    assertThat(e.getDetail())
        .isEqualTo("Ready=False (KubeletNotReady) and XID 79 [" + x.getEventId() + "]");
  }

  @Test
  void shouldNameNoGpuWhenTheXidNamesNone() {
    XidEvent x = XidEvent.newBuilder(xid(79, T0)).setGpuUuid(null).build();
    Signal.Detected d = joiner.join(notReady(T0), x);
    assertThat(d.gpus()).isEmpty();
    assertThat(d.evidence().getGpuUuid()).isNull();
  }
}
