package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy's {@code gpuReset} section: the reset path per OS image family. */
class GpuResetPolicyTest {

  private static final String BOTTLEROCKET = "Bottlerocket OS 1.20.3 (aws-k8s-1.29-nvidia)";
  private static final String AL2023 = "Amazon Linux 2023.9.20260714";

  private static RemediationPolicy parse(String yaml) throws IOException {
    return RemediationPolicy.parse(
        new ByteArrayInputStream(("version: x\n" + yaml).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void shouldResetBottlerocketThroughAJobAndTheRestThroughSsmAsShipped() {
    RemediationPolicy.GpuReset shipped = RemediationPolicy.load().gpuReset();
    assertThat(shipped).isEqualTo(RemediationPolicy.GpuReset.DEFAULT);
    assertThat(shipped.pathFor(BOTTLEROCKET)).isEqualTo(GpuResetPath.JOB);
    assertThat(shipped.pathFor(AL2023)).isEqualTo(GpuResetPath.SSM);
    assertThat(shipped.pathFor("")).isEqualTo(GpuResetPath.SSM);
  }

  @Test
  void shouldDefaultALeftOutSectionToTheShippedOne() throws IOException {
    assertThat(parse("").gpuReset()).isEqualTo(RemediationPolicy.load().gpuReset());
  }

  @Test
  void shouldReadTheDefaultAndEachFamily() throws IOException {
    RemediationPolicy.GpuReset g =
        parse("gpuReset: {default: job, byImage: {al2023: ssm, ubuntu: ssm}}\n").gpuReset();
    assertThat(g.defaultPath()).isEqualTo(GpuResetPath.JOB);
    assertThat(g.byImage())
        .isEqualTo(
            Map.of(ImageFamily.AL2023, GpuResetPath.SSM, ImageFamily.UBUNTU, GpuResetPath.SSM));
    assertThat(g.pathFor(BOTTLEROCKET)).isEqualTo(GpuResetPath.JOB);
    assertThat(g.pathFor(AL2023)).isEqualTo(GpuResetPath.SSM);
  }

  @Test
  void shouldNameTheKeyOfABadValue() {
    for (String[] c :
        new String[][] {
          {"gpuReset: {default: ansible}", "gpuReset.default"},
          {"gpuReset: {byImage: {bottlerocket: kubectl}}", "gpuReset.byImage.bottlerocket"},
          {"gpuReset: {byImage: {windows: job}}", "gpuReset.byImage.windows"}
        }) {
      assertThatThrownBy(() -> parse(c[0] + "\n"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c[1]);
    }
  }
}
