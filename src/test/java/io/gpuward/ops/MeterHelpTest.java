package io.gpuward.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeterHelpTest {

  @Test
  void shouldDescribeTheMetersOfEveryPart() {
    MeterHelp help =
        MeterHelp.of(
            List.of(Map.of("gpuward.a.records", "Records of a."), Map.of("gpuward.b.lag", "Lag.")));

    assertThat(help.describe("gpuward.a.records")).isEqualTo("Records of a.");
    assertThat(help.describe("gpuward.b.lag")).isEqualTo("Lag.");
  }

  @Test
  void shouldFallBackToTheMetersOwnName() {
    assertThat(MeterHelp.of(List.of(Map.of("x", "X."))).describe("jvm.threads.live"))
        .isEqualTo("jvm.threads.live");
    assertThat(MeterHelp.NONE.describe("gpuward.a.records")).isEqualTo("gpuward.a.records");
  }

  @Test
  void shouldRefuseTwoDifferentTextsForOneMeter() {
    var parts = List.of(Map.of("gpuward.a.records", "One."), Map.of("gpuward.a.records", "Two."));

    assertThatThrownBy(() -> MeterHelp.of(parts))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpuward.a.records");
  }
}
