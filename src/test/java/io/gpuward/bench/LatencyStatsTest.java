package io.gpuward.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {

  @Test
  void shouldTakeTheNearestRankPercentile() {
    long[] v = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    assertThat(LatencyStats.percentile(v, 50)).isEqualTo(50);
    assertThat(LatencyStats.percentile(v, 95)).isEqualTo(100);
    assertThat(LatencyStats.percentile(v, 10)).isEqualTo(10);
    assertThat(LatencyStats.percentile(v, 11)).isEqualTo(20);
    assertThat(LatencyStats.percentile(v, 100)).isEqualTo(100);
  }

  @Test
  void shouldGiveTheOnlyValueForEveryPercentileOfOne() {
    long[] v = {7};
    assertThat(LatencyStats.percentile(v, 0.1)).isEqualTo(7);
    assertThat(LatencyStats.percentile(v, 99)).isEqualTo(7);
  }

  @Test
  void shouldRejectNoValuesAndPercentilesOutOfRange() {
    assertThatThrownBy(() -> LatencyStats.percentile(new long[0], 50))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LatencyStats.percentile(new long[] {1}, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LatencyStats.percentile(new long[] {1}, 100.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldSummariseUnsortedNanosInMillis() {
    List<Long> nanos = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      nanos.add(i * 1_000_000L); // 1..100 ms
    }
    Collections.shuffle(nanos);
    LatencyStats s = LatencyStats.ofNanos(nanos);
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.p50Ms()).isEqualTo(50.0);
    assertThat(s.p95Ms()).isEqualTo(95.0);
    assertThat(s.p99Ms()).isEqualTo(99.0);
    assertThat(s.maxMs()).isEqualTo(100.0);
  }

  @Test
  void shouldKeepTwoDecimalsOfAMillisecond() {
    LatencyStats s = LatencyStats.ofNanos(List.of(1_234_567L));
    assertThat(s.p50Ms()).isEqualTo(1.23);
  }

  @Test
  void shouldReportNothingMeasuredAsNaN() {
    LatencyStats s = LatencyStats.ofNanos(List.of());
    assertThat(s.count()).isZero();
    assertThat(s.p99Ms()).isNaN();
    assertThat(s).isEqualTo(LatencyStats.NONE);
  }
}
