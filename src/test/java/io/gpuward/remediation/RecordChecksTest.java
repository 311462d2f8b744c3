package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordChecksTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

  private static FaultVerdict.Builder verdict() {
    return FaultVerdict.newBuilder(
        PlannerTest.verdict(FaultClass.GPU_LOST, RemediationAction.REBOOT, VerdictState.OPEN));
  }

  @Test
  void shouldAcceptAVerdictAsTheEngineWritesIt() {
    FaultVerdict v = verdict().setVerdictId("3f0c9a4e-5b1d-3c2a-9f7e-0123456789ab").build();
    assertThat(RecordChecks.verdict(v.getNode(), v, NOW)).isEmpty();
  }

  @Test
  void shouldRefuseAVerdictWithoutIdOrWithAnInvalidNode() {
    FaultVerdict noId = verdict().setVerdictId("").build();
    assertThat(RecordChecks.verdict(noId.getNode(), noId, NOW))
        .get()
        .asString()
        .contains("verdictId");
    String huge = "n".repeat(10_000);
    FaultVerdict big = verdict().setNode(huge).build();
    assertThat(RecordChecks.verdict(huge, big, NOW))
        .get()
        .asString()
        .contains("DNS-1123")
        .hasSizeLessThan(200);
    FaultVerdict sql = verdict().setNode("' OR 1=1; DROP TABLE x").build();
    assertThat(RecordChecks.verdict(sql.getNode(), sql, NOW)).isPresent();
    FaultVerdict ok = verdict().build();
    assertThat(RecordChecks.verdict("p5-train-9", ok, NOW)).get().asString().contains("key");
  }

  @Test
  void shouldRefuseOversizeTextAndAnAbsurdValidUntil() {
    FaultVerdict text = verdict().setSummary("x".repeat(RecordChecks.MAX_TEXT + 1)).build();
    assertThat(RecordChecks.verdict(text.getNode(), text, NOW))
        .get()
        .asString()
        .contains("summary");
    FaultVerdict far = verdict().setValidUntil(Instant.parse("2100-01-01T00:00:00Z")).build();
    assertThat(RecordChecks.verdict(far.getNode(), far, NOW)).get().asString().contains("days");
    FaultVerdict backwards = verdict().setValidUntil(NOW.minusSeconds(3600)).build();
    assertThat(RecordChecks.verdict(backwards.getNode(), backwards, NOW))
        .get()
        .asString()
        .contains("before detectedAt");
  }

  @Test
  void shouldRefuseInventoryWithAForgedNodeOrOversizeLabels() {
    NodeInventory.Builder inv =
        NodeInventory.newBuilder()
            .setNode("p5-train-1")
            .setNodegroup("p5-train")
            .setZone("us-east-1a")
            .setUpdatedAt(NOW)
            .setLabels(Map.of("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3"));
    assertThat(RecordChecks.inventory("p5-train-1", inv.build())).isEmpty();
    assertThat(RecordChecks.inventory("p5-train-2", inv.build())).isPresent();
    assertThat(RecordChecks.inventory("P5_TRAIN", inv.setNode("P5_TRAIN").build())).isPresent();
    NodeInventory labels =
        inv.setNode("p5-train-1").setLabels(Map.of("k", "v".repeat(10_000))).build();
    assertThat(RecordChecks.inventory("p5-train-1", labels)).get().asString().contains("label");
  }

  @Test
  void shouldRefuseAnIncidentUnderAnotherKeyOrWithForgedNodes() {
    FleetIncident ok =
        FleetIncident.newBuilder()
            .setIncidentId("7f1c2a4e-0b7e-3c1d-9a55-1d2c3b4a5f60")
            .setScope("nodegroup:p5-train")
            .setIncidentClass(IncidentClass.COMMON_CAUSE)
            .setSignature("GPU_LOST:xid=79")
            .setNodes(List.of("p5-train-1", "p5-train-2"))
            .setState(IncidentState.OPEN)
            .setDetectedAt(Instant.EPOCH)
            .setUpdatedAt(Instant.EPOCH)
            .setSummary("2 nodes")
            .build();
    assertThat(RecordChecks.incident("nodegroup:p5-train", ok)).isEmpty();
    assertThat(RecordChecks.incident("nodegroup:other", ok))
        .hasValueSatisfying(r -> assertThat(r).contains("is not the incident's scope"));
    FleetIncident forged =
        FleetIncident.newBuilder(ok).setNodes(List.of("p5-train-1", "' OR 1=1; --")).build();
    assertThat(RecordChecks.incident("nodegroup:p5-train", forged))
        .hasValueSatisfying(r -> assertThat(r).contains("not a Kubernetes node name"));
  }
}
