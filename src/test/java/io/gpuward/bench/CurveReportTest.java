package io.gpuward.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class CurveReportTest {

  private static Curve.Result curve() {
    BenchResult r = BenchReportTest.sample(new LatencyStats(200, 8, 20, 61, 90));
    BenchResult restored =
        new BenchResult(
            r.machine(),
            r.settings(),
            r.nodes(),
            r.preload(),
            r.rawEos(),
            r.raw(),
            r.engine(),
            r.latency(),
            r.memory(),
            null,
            new CrashRestore.Result(5.25, 2.5));
    return new Curve.Result(
        r.machine(),
        List.of(
            new Curve.Row(100_000, restored, null),
            new Curve.Row(1_000_000, null, "does not fit the heap: needs about 1,051 MiB")));
  }

  @Test
  void shouldPrintOneRowPerSizeWithASkippedSizeSayingWhy() {
    String text = CurveReport.text(curve());
    List<String> lines = text.lines().toList();
    String header = lines.stream().filter(l -> l.strip().startsWith("GPUs")).findFirst().get();
    String row = lines.get(lines.indexOf(header) + 1);
    String skipped = lines.get(lines.indexOf(header) + 2);
    assertThat(header).contains("samples/s", "ratio", "CPU us/sample", "restore kept s");
    // 150,000 samples/s, 0.50 of 300,000; 6 CPU-s over 1.5 M samples = 4 us; 50 MiB / 100k GPUs
    assertThat(row.strip().split("\\s{2,}"))
        .containsExactly(
            "100,000",
            "150,000",
            "300,000",
            "0.50",
            "4.00",
            "524",
            "500",
            "5.3",
            "2.5",
            "110 / 191",
            "8 / 61");
    assertThat(skipped.strip())
        .isEqualTo("1,000,000  does not fit the heap: needs about 1,051 MiB");
    // columns line up: each cell of the row starts where its header does
    assertThat(row.indexOf("0.50")).isEqualTo(header.indexOf("ratio"));
  }

  @Test
  void shouldWriteOneJsonObjectWithARowPerSize() throws Exception {
    JsonNode j = new ObjectMapper().readTree(CurveReport.json(curve()));
    assertThat(j.get("cores").asInt()).isEqualTo(2);
    JsonNode rows = j.get("rows");
    assertThat(rows).hasSize(2);
    JsonNode first = rows.get(0);
    assertThat(first.get("gpus").asInt()).isEqualTo(100_000);
    assertThat(first.get("ratio").asDouble()).isEqualTo(0.5);
    assertThat(first.get("cpuMicrosPerSample").asDouble()).isEqualTo(4.0);
    assertThat(first.get("restoreKeptSeconds").asDouble()).isEqualTo(5.25);
    assertThat(first.get("verdictToCordonP99Ms").asDouble()).isEqualTo(61);
    assertThat(first.get("run").get("restoreWipedSeconds").asDouble()).isEqualTo(2.5);
    assertThat(rows.get(1).get("skipped").asText()).startsWith("does not fit the heap");
    assertThat(rows.get(1).has("ratio")).isFalse();
  }
}
