package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.FaultClass;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The policy's {@code perGpu} section: which fault classes drain only their GPUs' pods. */
class PerGpuPolicyTest {

  private static RemediationPolicy parse(String yaml) throws IOException {
    return RemediationPolicy.parse(
        new ByteArrayInputStream(("version: x\n" + yaml).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void shouldShipPerGpuDrainOffAndDefaultALeftOutSectionToIt() throws IOException {
    assertThat(RemediationPolicy.load().perGpu()).isEqualTo(RemediationPolicy.PerGpu.OFF);
    assertThat(parse("").perGpu()).isEqualTo(RemediationPolicy.PerGpu.OFF);
  }

  @Test
  void shouldReadTheClasses() throws IOException {
    var g = parse("perGpu: {classes: [GPU_XID_FATAL, GPU_MEMORY_DEGRADED]}\n").perGpu();

    assertThat(g.appliesTo(FaultClass.GPU_XID_FATAL)).isTrue();
    assertThat(g.appliesTo(FaultClass.GPU_MEMORY_DEGRADED)).isTrue();
    assertThat(g.appliesTo(FaultClass.GPU_THERMAL)).isFalse();
  }

  @Test
  void shouldRefuseAClassNotConfinedToOneGpuNamingTheKey() {
    assertThatThrownBy(() -> parse("perGpu: {classes: [GPU_XID_FATAL, GPU_LOST]}\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("perGpu.classes[1]")
        .hasMessageContaining("GPU_LOST");
    assertThatThrownBy(() -> parse("perGpu: {classes: [DRIVER_ROOT_MISCONFIGURED]}\n"))
        .hasMessageContaining("perGpu.classes[0]");
  }

  @Test
  void shouldRefuseAnUnknownClassNamingTheKey() {
    assertThatThrownBy(() -> parse("perGpu: {classes: [GPU_HOT]}\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("perGpu.classes[0]")
        .hasMessageContaining("not a FaultClass");
  }
}
