package io.gpuward.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CurveTest {
  private static final long MIB = 1024L * 1024L;

  private static BenchSettings template() {
    return new BenchSettings(100_000, 15, 200, 6, 42, 0, 10, Map.of(), 1);
  }

  @Test
  void shouldParseSizesAscendingAndDistinct() {
    assertThat(Curve.parseSizes("1000000, 10000,100_000,10000"))
        .containsExactly(10_000, 100_000, 1_000_000);
    assertThat(Curve.parseSizes("8")).containsExactly(8);
  }

  @Test
  void shouldRejectSizesThatAreNotGpuCountsNamingThePart() {
    assertThatThrownBy(() -> Curve.parseSizes("10000,lots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--sizes: 'lots' is not a GPU count (e.g. 10000,100000,1000000)");
    assertThatThrownBy(() -> Curve.parseSizes("10000,,100000"))
        .hasMessageContaining("'' is not a GPU count");
    assertThatThrownBy(() -> Curve.parseSizes("4"))
        .hasMessage("--sizes: each must be 8..10000000 GPUs, was 4");
    assertThatThrownBy(() -> Curve.parseSizes(" ")).hasMessageContaining("--sizes needs");
  }

  @Test
  void shouldGiveEachSizeItsOwnTicksAndCapFaultsAtOnePerNode() {
    BenchSettings small = Curve.settings(template(), 80, null);
    assertThat(small.gpus()).isEqualTo(80);
    assertThat(small.faults()).isEqualTo(10);
    assertThat(small.ticks()).isEqualTo(BenchSettings.defaultTicks(80));
    BenchSettings big = Curve.settings(template(), 1_000_000, 2);
    assertThat(big.ticks()).isEqualTo(2);
    assertThat(big.faults()).isEqualTo(200);
  }

  @Test
  void shouldSayWhyASizeDoesNotFitTheHeapOrTheDisk() {
    BenchSettings million = Curve.settings(template(), 1_000_000, null);
    assertThat(Curve.misfit(million, 512 * MIB, Long.MAX_VALUE, 700))
        .isEqualTo(
            "does not fit the heap: needs about 1,051 MiB (384 base + 700 B/GPU), max heap 512"
                + " MiB");
    assertThat(Curve.misfit(million, 4096 * MIB, 100 * MIB, 700))
        .startsWith("does not fit the disk: needs about 4,098 MiB for 3,000,000 samples")
        .endsWith("100 MiB free");
    BenchSettings hundredK = Curve.settings(template(), 100_000, null);
    assertThat(Curve.misfit(hundredK, 512 * MIB, 10_000 * MIB, 700)).isNull();
  }

  @Test
  void shouldKeepSizesInOrderInTheResult() {
    var rows = List.of(new Curve.Row(10_000, null, "failed"), new Curve.Row(20_000, null, "x"));
    assertThat(new Curve.Result(BenchReportTest.sample(LatencyStats.NONE).machine(), rows).rows())
        .extracting(Curve.Row::gpus)
        .containsExactly(10_000, 20_000);
  }
}
