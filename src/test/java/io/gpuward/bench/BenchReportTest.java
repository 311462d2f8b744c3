package io.gpuward.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.sim.RecordCounts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

  static BenchResult sample(LatencyStats cordon) {
    return new BenchResult(
        new Machine(
            2, 1024, "17.0.15", "OpenJDK 64-Bit Server VM", "Linux amd64", List.of("G1"), 0.5),
        new BenchSettings(
            100_000, 15, 200, 6, 42, 0, 10, Map.of("engine.commit.interval.ms", "100"), 1),
        12_500,
        new Preload.Result(new RecordCounts(1_500_000, 0, 37_500, 12_500, 0), 10.0),
        new RawPipe.Result(1_500_000, 5.0, 3.0, 8.0),
        new RawPipe.Result(1_500_000, 2.5, 2.0, 4.0),
        new BenchResult.Engine(1_500_000, 1_550_000, 1.5, 10.0, 100, 10_485_760, 6.0, 16.0, 120),
        new LatencyPhase.Result(
            50_000,
            200,
            200,
            cordon.count(),
            new LatencyStats(200, 110, 150, 190.5, 240),
            cordon,
            80,
            1_500),
        new BenchResult.Memory(
            100L << 20, 150L << 20, 400L << 20, 450L << 20, 10_000_000, 50_000_000, 20_000_000),
        null,
        null);
  }

  @Test
  void shouldComputeTheRatioToRawExactlyOnce() {
    BenchResult r = sample(LatencyStats.NONE);
    assertThat(r.engine().rate()).isEqualTo(150_000);
    assertThat(r.rawEos().rate()).isEqualTo(300_000);
    assertThat(r.ratio()).isEqualTo(0.5);
    assertThat(r.engine().cpuRate()).isEqualTo(250_000);
    assertThat(r.rawEos().cpuRate()).isEqualTo(500_000);
    assertThat(r.cpuRatio()).isEqualTo(0.5);
    assertThat(r.engineCpuShare()).isEqualTo(0.8);
    assertThat(r.heapPerGpuBytes()).isEqualTo((50.0 * 1024 * 1024) / 100_000);
    assertThat(r.stateBytesPerGpu()).isEqualTo(500);
  }

  @Test
  void shouldWriteOneJsonObjectWithStableKeys() throws Exception {
    JsonNode j = new ObjectMapper().readTree(BenchReport.json(sample(LatencyStats.NONE)));
    assertThat(j.get("gpus").asInt()).isEqualTo(100_000);
    assertThat(j.get("samples").asLong()).isEqualTo(1_500_000);
    assertThat(j.get("preloadRate").asDouble()).isEqualTo(150_000);
    assertThat(j.get("rawEosRate").asDouble()).isEqualTo(300_000);
    assertThat(j.get("rawRate").asDouble()).isEqualTo(600_000);
    assertThat(j.get("engineRate").asDouble()).isEqualTo(150_000);
    assertThat(j.get("ratio").asDouble()).isEqualTo(0.5);
    assertThat(j.get("faultToVerdictP99Ms").asDouble()).isEqualTo(190.5);
    assertThat(j.get("verdictToCordonP99Ms").isNull()).as("nothing measured is null").isTrue();
    assertThat(j.get("peakHeapMiB").asDouble()).isEqualTo(400.0);
    assertThat(j.get("heapPoolPeakSumMiB").asDouble()).isEqualTo(450.0);
    assertThat(j.get("stateBytesPerGpu").asLong()).isEqualTo(500);
    assertThat(j.get("machine").get("cores").asInt()).isEqualTo(2);
    assertThat(j.get("engine").get("settings").get("engine.commit.interval.ms").asText())
        .isEqualTo("100");
  }

  @Test
  void shouldRoundAndMapNaNToNull() {
    assertThat(BenchReport.round(1.23456, 2)).isEqualTo(1.23);
    assertThat(BenchReport.round(1234.5, 0)).isEqualTo(1235L);
    assertThat(BenchReport.round(Double.NaN, 2)).isNull();
    assertThat(BenchReport.round(Double.POSITIVE_INFINITY, 0)).isNull();
  }

  @Test
  void shouldPrintATableWithEveryPhase() {
    String t = BenchReport.text(sample(new LatencyStats(200, 3, 8, 12, 20)));
    assertThat(t)
        .contains("100,000 GPUs on 12,500 nodes")
        .contains("2 cores")
        .contains("raw consume+produce, exactly-once")
        .contains("300,000")
        .contains("ratio 0.50")
        .contains("fault -> verdict, 200 of 200 faults")
        .contains("verdict -> cordon, 200 of 200 verdicts")
        .contains("peak heap")
        .contains("engine lag <= 1,500");
    assertThat(BenchReport.text(sample(LatencyStats.NONE))).contains(" - ");
  }

  @Test
  void shouldFormatCountsWithSeparators() {
    assertThat(BenchReport.fmt(1234567.4)).isEqualTo("1,234,567");
    assertThat(BenchReport.fmt(Double.NaN)).isEqualTo("-");
  }

  @Test
  void shouldReportScaleOutAgainstOneInstanceOnlyWhenItRan() throws Exception {
    BenchResult one = sample(LatencyStats.NONE);
    assertThat(BenchReport.json(one)).doesNotContain("scaleOut");
    assertThat(one.scaleOutRatio()).isNaN();
    BenchResult three =
        new BenchResult(
            one.machine(),
            one.settings(),
            one.nodes(),
            one.preload(),
            one.rawEos(),
            one.raw(),
            one.engine(),
            one.latency(),
            one.memory(),
            new ScaleOutPhase.Result(3, 5.0, 1_500_000, 0.8, 1.6),
            null);
    assertThat(three.scaleOutRatio()).isEqualTo(2.0); // 300,000 over 150,000 samples/s
    JsonNode j = new ObjectMapper().readTree(BenchReport.json(three)).get("scaleOut");
    assertThat(j.get("instances").asInt()).isEqualTo(3);
    assertThat(j.get("ratioToOneInstance").asDouble()).isEqualTo(2.0);
    assertThat(j.get("restoreWipedSeconds").asDouble()).isEqualTo(1.6);
    assertThat(BenchReport.text(three)).contains("Scale-out (3 instances").contains("ratio 2.00");
  }
}
