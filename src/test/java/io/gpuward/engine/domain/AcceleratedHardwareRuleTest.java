package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.RemediationAction;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcceleratedHardwareRuleTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final String NODE = "p5-train-6";

  private final AcceleratedHardwareRule rule =
      new AcceleratedHardwareRule(RuleCatalog.load().xid());

  private static NodeEvent condition(String status, String reason, String message) {
    return NodeEvent.newBuilder()
        .setEventId(NODE + "/nma/" + reason)
        .setNode(NODE)
        .setKind(NodeEventKind.CONDITION_CHANGED)
        .setEventTime(T0)
        .setSource("eks-node-monitoring-agent")
        .setConditionType(AcceleratedHardwareRule.CONDITION)
        .setConditionStatus(status)
        .setReason(reason)
        .setMessage(message)
        .setLabels(Map.of())
        .build();
  }

  private Signal.Detected fatal(String reason, String message) {
    return rule.evaluate(condition("False", reason, message), Evidences.NONE).orElseThrow();
  }

  @Test
  void shouldMapAnXidFindingToTheXidsOwnClassWithTheAgentsTextAsEvidence() {
    String msg = "detected XID-79 on the instance, review kernel logs for additional information.";
    Signal.Detected d = fatal("NvidiaXID79Error", msg);
    assertThat(d.faultClass()).isEqualTo(FaultClass.GPU_LOST);
    assertThat(d.action()).isEqualTo(RemediationAction.REBOOT);
    assertThat(d.ruleId()).isEqualTo("nma.accelerated-hardware.NvidiaXID79Error");
    assertThat(d.evidence().getDetail()).isEqualTo("NvidiaXID79Error: " + msg);
    assertThat(d.evidence().getSignal()).isEqualTo("condition:AcceleratedHardwareReady=False");
    assertThat(d.summary()).contains("NvidiaXID79Error").contains("XID-79");
  }

  @Test
  void shouldMapMemoryFabricAndCountFindingsToTheirHardwareClasses() {
    assertThat(fatal("NvidiaDoubleBitError", "detected 2 Nvidia Double Bit error(s) on location 0"))
        .satisfies(
            d -> {
              assertThat(d.faultClass()).isEqualTo(FaultClass.GPU_MEMORY_DEGRADED);
              assertThat(d.action()).isEqualTo(RemediationAction.RESET_GPU);
            });
    assertThat(fatal("NvidiaNVLinkError", "detected 12 NVLink errors on fieldId 409").faultClass())
        .isEqualTo(FaultClass.NVLINK_DEGRADED);
    assertThat(fatal("FabricManagerNotRunning", "Fabric Manager status: Failure").faultClass())
        .isEqualTo(FaultClass.NVLINK_DEGRADED);
    assertThat(
            fatal(
                    "NvidiaDeviceCountMismatch",
                    "expected 8 GPUs for this instance type but only 7 were detected")
                .faultClass())
        .isEqualTo(FaultClass.GPU_LOST);
    assertThat(
            fatal("DCGMDiagnosticFailure", "DCGM Diagnostic failed for test memory").faultClass())
        .isEqualTo(FaultClass.GPU_XID_FATAL);
  }

  @Test
  void shouldOnlyNotifyWhenTheAgentLostDcgmItself() {
    Signal.Detected d = fatal("DCGMError", "connection to nv-hostengine lost");
    assertThat(d.faultClass()).isEqualTo(FaultClass.TELEMETRY_STALE);
    assertThat(d.action()).isEqualTo(RemediationAction.NOTIFY);
  }

  @Test
  void shouldHaveAHumanLookAtAnApplicationXidTheAgentCallsFatal() {
    Signal.Detected d = fatal("NvidiaXID13Error", "detected XID-13 on the instance");
    assertThat(d.faultClass()).isEqualTo(FaultClass.GPU_XID_FATAL);
    assertThat(d.action()).isEqualTo(RemediationAction.ESCALATE);
  }

  @Test
  void shouldRaiseNothingForAReadyOrUnknownConditionOrAnotherCondition() {
    assertThat(
            rule.evaluate(
                condition("True", "NvidiaGPUIsReady", "Monitoring for the Nvidia GPU system"),
                Evidences.NONE))
        .isEmpty();
    assertThat(rule.evaluate(condition("Unknown", "", ""), Evidences.NONE)).isEmpty();
    NodeEvent kernel =
        NodeEvent.newBuilder(condition("False", "KernelBug", "soft lockup"))
            .setConditionType("KernelReady")
            .build();
    assertThat(rule.evaluate(kernel, Evidences.NONE)).isEmpty();
  }
}
