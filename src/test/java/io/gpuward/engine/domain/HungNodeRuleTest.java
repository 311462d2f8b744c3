package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.RemediationAction;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HungNodeRuleTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final Duration SILENT = Duration.ofSeconds(90);
  private static final String NODE = "p5-train-4";

  private final HungNodeRule rule = new HungNodeRule(SILENT);

  private static NodeEvent ready(String status, String source, String reason, Instant at) {
    return NodeEvent.newBuilder()
        .setEventId(NODE + "/ready/" + status + "/" + at.toEpochMilli())
        .setNode(NODE)
        .setKind(NodeEventKind.CONDITION_CHANGED)
        .setEventTime(at)
        .setSource(source)
        .setConditionType("Ready")
        .setConditionStatus(status)
        .setReason(reason)
        .setLabels(Map.of())
        .build();
  }

  /** A GPU node last heard from its exporter at T0, then marked not Ready at {@code at}. */
  private static NodeState notReady(String source, Instant at) {
    NodeState s = new NodeState();
    s.expectedGpus = 8;
    s.registered = true;
    s.lastHeartbeat = T0.toEpochMilli();
    s.ready = false;
    HungNodeRule.onReady(s, ready("Unknown", source, "NodeStatusUnknown", at));
    return s;
  }

  @Test
  void shouldRebootAGpuNodeTheNodeControllerMarkedUnknownWhoseExporterIsSilent() {
    NodeState s = notReady("node-controller", T0.plusSeconds(40));
    assertThat(rule.evaluate(NODE, s, T0.plus(SILENT))).as("not silent long enough").isEmpty();
    Signal.Detected d = rule.evaluate(NODE, s, T0.plus(SILENT).plusSeconds(10)).orElseThrow();
    assertThat(d.faultClass()).isEqualTo(FaultClass.NODE_NOT_READY_GPU);
    assertThat(d.action()).isEqualTo(RemediationAction.REBOOT);
    assertThat(d.ruleId()).isEqualTo(HungNodeRule.RULE_ID);
    assertThat(d.evidence().getEventTime())
        .as("evidence starts at the NotReady")
        .isEqualTo(T0.plusSeconds(40));
    assertThat(d.evidence().getEventId())
        .isEqualTo(NODE + "/ready/Unknown/" + T0.plusSeconds(40).toEpochMilli());
    assertThat(d.summary()).contains("node-controller").contains("silent for 100s");
    assertThat(rule.evaluate(NODE, s, T0.plus(SILENT).plusSeconds(20))).as("once").isEmpty();
  }

  @Test
  void shouldLeaveAKubeletReportedNotReadyToTheXidJoin() {
    NodeState s = notReady("kubelet", T0.plusSeconds(40));
    assertThat(rule.evaluate(NODE, s, T0.plus(SILENT).plusSeconds(60))).isEmpty();
  }

  @Test
  void shouldNotRebootWhileTheExporterStillReports() {
    NodeState s = notReady("node-controller", T0.plusSeconds(40));
    s.lastHeartbeat = T0.plusSeconds(120).toEpochMilli();
    assertThat(rule.evaluate(NODE, s, T0.plusSeconds(150))).isEmpty();
  }

  @Test
  void shouldNotRebootANodeWithoutGpusOrWithoutAnExporter() {
    NodeState cpu = notReady("node-controller", T0.plusSeconds(40));
    cpu.expectedGpus = 0;
    assertThat(rule.evaluate(NODE, cpu, T0.plusSeconds(300))).isEmpty();
    NodeState noExporter = notReady("node-controller", T0.plusSeconds(40));
    noExporter.lastHeartbeat = null;
    assertThat(rule.evaluate(NODE, noExporter, T0.plusSeconds(300))).isEmpty();
  }

  @Test
  void shouldRaiseAgainOnlyAfterTheNodeWasReadyOrRebooted() {
    NodeState s = notReady("node-controller", T0.plusSeconds(40));
    assertThat(rule.evaluate(NODE, s, T0.plusSeconds(200))).isPresent();
    s.ready = true;
    HungNodeRule.onReady(s, ready("True", "kubelet", "KubeletReady", T0.plusSeconds(260)));
    assertThat(rule.evaluate(NODE, s, T0.plusSeconds(270))).isEmpty();
    s.ready = false;
    HungNodeRule.onReady(
        s, ready("Unknown", "node-controller", "NodeStatusUnknown", T0.plusSeconds(300)));
    Signal.Detected again = rule.evaluate(NODE, s, T0.plusSeconds(400)).orElseThrow();
    assertThat(again.evidence().getEventTime()).isEqualTo(T0.plusSeconds(300));
    HungNodeRule.onRebooted(s);
    assertThat(rule.evaluate(NODE, s, T0.plusSeconds(500))).isEmpty();
  }
}
