package io.gpuward.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code gpuward bench --json} on a tiny fleet, as a user runs it (its own broker and registry):
 * the JSON has every key and sane values. Never a timing threshold: this machine's speed is not
 * under test here.
 */
class BenchIT {
  private static final List<String> KEYS =
      List.of(
          "gpus",
          "nodes",
          "ticks",
          "partitions",
          "seed",
          "samples",
          "records",
          "preloadSeconds",
          "preloadRate",
          "rawEosRate",
          "rawRate",
          "engineRate",
          "ratio",
          "engineSeconds",
          "engineStartSeconds",
          "rawEosCpuRate",
          "engineCpuRate",
          "cpuRatio",
          "engineThreadCpuSeconds",
          "engineCpuShare",
          "engineGcMillis",
          "latencyGcMillis",
          "latencyMaxLagSamples",
          "liveRate",
          "faults",
          "faultsWithVerdict",
          "faultToVerdictP50Ms",
          "faultToVerdictP95Ms",
          "faultToVerdictP99Ms",
          "faultToVerdictMaxMs",
          "cordons",
          "verdictToCordonP50Ms",
          "verdictToCordonP95Ms",
          "verdictToCordonP99Ms",
          "verdictToCordonMaxMs",
          "peakHeapMiB",
          "heapPoolPeakSumMiB",
          "heapBeforeEngineMiB",
          "heapWithEngineMiB",
          "heapPerGpuBytes",
          "stateBytesRunning",
          "stateBytes",
          "stateBytesPerGpu",
          "rocksMemBytes",
          "engine",
          "machine");

  @Test
  void shouldMeasureEveryPhaseOfATinyFleetAsJson() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code =
          Main.run(
              "bench",
              "--gpus",
              "200",
              "--ticks",
              "20",
              "--faults",
              "10",
              "--fault-rate",
              "20",
              "--partitions",
              "3",
              "--json");
    } finally {
      System.setOut(stdout);
    }
    String out = captured.toString(StandardCharsets.UTF_8).trim();
    assertThat(code).as(out).isZero();
    // The test logging configuration may also write log lines to stdout; the CLI's go to stderr.
    List<String> json = out.lines().filter(l -> l.startsWith("{")).toList();
    assertThat(json).as("one JSON object on stdout").hasSize(1);
    JsonNode j = new ObjectMapper().readTree(json.get(0));
    assertThat(KEYS).allSatisfy(k -> assertThat(j.has(k)).as(k).isTrue());

    assertThat(j.get("gpus").asInt()).isEqualTo(200);
    assertThat(j.get("nodes").asInt()).isEqualTo(25);
    assertThat(j.get("samples").asLong()).as("one sample per GPU per tick").isEqualTo(200 * 20);
    assertThat(j.get("records").asLong()).isGreaterThan(j.get("samples").asLong());
    for (String rate : List.of("preloadRate", "rawEosRate", "rawRate", "engineRate", "liveRate")) {
      assertThat(j.get(rate).asDouble()).as(rate).isPositive();
    }
    assertThat(j.get("ratio").asDouble()).isPositive();

    assertThat(j.get("faults").asInt()).isEqualTo(10);
    assertThat(j.get("faultsWithVerdict").asInt()).as("every fault got a verdict").isEqualTo(10);
    assertThat(j.get("cordons").asInt()).as("every verdict got a cordon").isEqualTo(10);
    for (String p : List.of("P50Ms", "P95Ms", "P99Ms", "MaxMs")) {
      assertThat(j.get("faultToVerdict" + p).asDouble()).isNotNegative();
      assertThat(j.get("verdictToCordon" + p).asDouble()).isNotNegative();
    }
    assertThat(j.get("faultToVerdictP50Ms").asDouble())
        .isLessThanOrEqualTo(j.get("faultToVerdictP99Ms").asDouble());
    assertThat(j.get("faultToVerdictP99Ms").asDouble())
        .isLessThanOrEqualTo(j.get("faultToVerdictMaxMs").asDouble());

    assertThat(j.get("peakHeapMiB").asDouble()).isPositive();
    assertThat(j.get("heapWithEngineMiB").asDouble()).isPositive();
    assertThat(j.get("stateBytes").asLong()).isPositive();
    assertThat(j.get("engine").get("guarantee").asText()).isEqualTo("exactly_once_v2");
    assertThat(j.get("engine").get("threads").asInt()).isEqualTo(1);
    JsonNode machine = j.get("machine");
    assertThat(machine.get("cores").asInt()).isPositive();
    assertThat(machine.get("maxHeapMiB").asLong()).isPositive();
    assertThat(machine.get("java").asText()).isNotBlank();
  }
}
