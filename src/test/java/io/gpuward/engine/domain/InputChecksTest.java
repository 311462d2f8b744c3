package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.XidEvent;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputChecksTest {
  private static final Instant T = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void shouldAcceptRealNodeNames() {
    for (String node :
        new String[] {"p5-train-1", "ip-10-0-12-34.ec2.internal", "gke-a-b-1f2e3d-x9z0"}) {
      assertThat(InputChecks.node("GpuSample", node, node)).as(node).isEmpty();
    }
  }

  @Test
  void shouldRefuseNamesNoKubernetesNodeCanHave() {
    assertThat(InputChecks.node("XidEvent", null, "P5-Train-1")).isPresent();
    assertThat(InputChecks.node("XidEvent", null, "' OR 1=1; --")).isPresent();
    assertThat(InputChecks.node("XidEvent", null, "a".repeat(254))).isPresent();
    assertThat(InputChecks.node("XidEvent", null, "-leading-dash")).isPresent();
    assertThat(InputChecks.node("XidEvent", "other", "p5-train-1"))
        .hasValue("XidEvent key 'other' is not its node 'p5-train-1'");
  }

  @Test
  void shouldQuoteAHugeNameOnlyInPart() {
    String reason = InputChecks.node("XidEvent", null, "x".repeat(10_000)).orElseThrow();
    assertThat(reason).hasSizeLessThan(300).contains("(10000 chars)");
  }

  @Test
  void shouldRefuseXidsNoDriverSendsButKeepUncataloguedOnes() {
    assertThat(InputChecks.check("n1", xid(99_999)))
        .hasValueSatisfying(r -> assertThat(r).contains("XID code 99999 is not a valid XID"));
    assertThat(InputChecks.check("n1", xid(0))).isPresent();
    assertThat(InputChecks.check("n1", xid(185))).isEmpty();
  }

  @Test
  void shouldRefusePhysicallyImpossibleReadings() {
    assertThat(InputChecks.check("n1", sample(644_245_923.0, 300.0, 50.0))).isPresent();
    assertThat(InputChecks.check("n1", sample(60.0, 1e6, 50.0)))
        .hasValueSatisfying(r -> assertThat(r).contains("powerW"));
    assertThat(InputChecks.check("n1", sample(60.0, 300.0, 250.0)))
        .hasValueSatisfying(r -> assertThat(r).contains("gpuUtilPct 250.0 is not a percentage"));
    assertThat(InputChecks.check("n1", sample(60.0, 700.0, 100.0))).isEmpty();
  }

  @Test
  void shouldRefuseOversizeTextAndLabels() {
    NodeEvent text = event("m".repeat(InputChecks.MAX_TEXT + 1), Map.of());
    assertThat(InputChecks.check("n1", text))
        .hasValueSatisfying(r -> assertThat(r).startsWith("message is 16385 characters long"));
    NodeEvent labels = event("rebooted", Map.of("k".repeat(300), "v"));
    assertThat(InputChecks.check("n1", labels)).isPresent();
    assertThat(InputChecks.check("n1", event("rebooted", Map.of("a", "b")))).isEmpty();
  }

  private static XidEvent xid(int code) {
    return XidEvent.newBuilder()
        .setEventId("n1/xid/1")
        .setNode("n1")
        .setEventTime(T)
        .setXid(code)
        .setMessage("NVRM: Xid")
        .build();
  }

  private static GpuSample sample(double tempC, double powerW, double utilPct) {
    return GpuSample.newBuilder()
        .setNode("n1")
        .setUuid("GPU-1")
        .setGpuIndex(0)
        .setEventTime(T)
        .setTemperatureC(tempC)
        .setPowerW(powerW)
        .setGpuUtilPct(utilPct)
        .build();
  }

  private static NodeEvent event(String message, Map<String, String> labels) {
    return NodeEvent.newBuilder()
        .setEventId("n1/ev/1")
        .setNode("n1")
        .setKind(NodeEventKind.NODE_REBOOTED)
        .setEventTime(T)
        .setSource("kubelet")
        .setMessage(message)
        .setLabels(labels)
        .build();
  }
}
