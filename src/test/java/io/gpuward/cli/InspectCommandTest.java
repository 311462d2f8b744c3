package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.exporter.FakeDcgmExporter;
import io.gpuward.exporter.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gpuward inspect dcgm|kmsg} through the real command line, out and err captured. */
class InspectCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  record Result(int code, String out, String err) {
    List<JsonNode> json() throws Exception {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : out.strip().split("\n")) {
        if (!line.isBlank()) {
          nodes.add(JSON.readTree(line));
        }
      }
      return nodes;
    }
  }

  static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  static String fixture(String name) {
    return Fixtures.path(name).toString();
  }

  @Test
  void shouldPrintOneJsonObjectPerGpuWithTheBriefsKeys() throws Exception {
    Result r = run("inspect", "dcgm", fixture("dcgm/h100-8gpu-pods.prom"));
    assertThat(r.code()).isZero();
    List<JsonNode> gpus = r.json();
    assertThat(gpus).hasSize(8);
    for (JsonNode g : gpus) {
      assertThat(g.has("node")).isTrue();
      assertThat(g.has("gpu")).isTrue();
      assertThat(g.has("uuid")).isTrue();
      assertThat(g.has("model")).isTrue();
      assertThat(g.has("pciBusId")).isTrue();
      assertThat(g.has("driverVersion")).isTrue();
      assertThat(g.has("temperatureC")).isTrue();
      assertThat(g.has("powerW")).isTrue();
      assertThat(g.get("gpu").asInt()).isEqualTo(g.get("gpuIndex").asInt());
    }
    JsonNode first = gpus.get(0);
    assertThat(first.get("node").asText()).isEqualTo("ip-10-0-1-23.ec2.internal");
    assertThat(first.get("gpu").asInt()).isZero();
    assertThat(first.get("uuid").asText()).isEqualTo("GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138");
    assertThat(first.get("model").asText()).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(first.get("pciBusId").asText()).isEqualTo("00000000:53:00.0");
    assertThat(first.get("driverVersion").asText()).isEqualTo("570.133.20");
    assertThat(first.get("temperatureC").asDouble()).isEqualTo(33.0);
    assertThat(first.get("powerW").asDouble()).isEqualTo(112.25);
    assertThat(first.get("pod").asText()).isEqualTo("training/llama-train-0");
    assertThat(first.get("eccDbeVolatile").asLong()).isZero();
    assertThat(gpus.get(2).get("lastXid").asInt()).isEqualTo(79);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("parsed 8 GPUs from 360 lines");
  }

  @Test
  void shouldPrintAbsentFieldsAsNull() throws Exception {
    Result r = run("inspect", "dcgm", fixture("dcgm/g5-sentinels.prom"));
    assertThat(r.code()).isZero();
    JsonNode g = r.json().get(0);
    assertThat(g.get("powerW").isNull()).isTrue();
    assertThat(g.get("memoryTemperatureC").isNull()).isTrue();
    assertThat(g.get("driverVersion").isNull()).isTrue();
    assertThat(g.get("temperatureC").asDouble()).isEqualTo(29.0);
  }

  @Test
  void shouldReportMalformedLinesInOneSummaryLine() throws Exception {
    Result r = run("inspect", "dcgm", fixture("dcgm/messy.prom"));
    assertThat(r.code()).isZero();
    assertThat(r.json()).hasSize(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("5 malformed lines skipped").contains("(line 16:");
  }

  @Test
  void shouldUseTheNodeFlagForGpusWithoutAHostnameLabel() throws Exception {
    Path f = dir.resolve("no-host.prom");
    Files.writeString(f, "DCGM_FI_DEV_GPU_TEMP{gpu=\"2\",UUID=\"GPU-abc\"} 40\n");
    Result r = run("inspect", "dcgm", "--node", "gpu-node-7", f.toString());
    assertThat(r.code()).isZero();
    JsonNode g = r.json().get(0);
    assertThat(g.get("node").asText()).isEqualTo("gpu-node-7");
    assertThat(g.get("gpu").asInt()).isEqualTo(2);
    assertThat(g.get("pciBusId").isNull()).isTrue();
  }

  @Test
  void shouldFetchAUrl() throws Exception {
    try (var server = new FakeDcgmExporter(Fixtures.text("dcgm/l4-hostname-lowercase.prom"))) {
      Result r = run("inspect", "dcgm", server.url().toString());
      assertThat(r.code()).isZero();
      assertThat(r.json()).hasSize(2);
      assertThat(r.json().get(1).get("lastXid").asInt()).isEqualTo(13);
    }
  }

  @Test
  void shouldFailInOneLineForAMissingFile() {
    Result r = run("inspect", "dcgm", dir.resolve("nope.prom").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err())
        .startsWith("gpuward inspect dcgm: error: no such file: ")
        .contains("nope.prom");
  }

  @Test
  void shouldFailInOneLineForAFileWithoutGpus() throws Exception {
    Path f = dir.resolve("empty.prom");
    Files.writeString(f, "# HELP go_goroutines Number of goroutines.\ngo_goroutines 12\n");
    Result r = run("inspect", "dcgm", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("no GPU found in").contains("empty.prom");
  }

  @Test
  void shouldFailInOneLineForAnUnreachableUrl() {
    FakeDcgmExporter gone = new FakeDcgmExporter("");
    String url = gone.url().toString();
    gone.close();
    Result r = run("inspect", "dcgm", url);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("cannot reach " + url);
  }

  @Test
  void shouldFailInOneLineForAnHttpError() {
    try (var server = new FakeDcgmExporter("")) {
      server.mode = FakeDcgmExporter.Mode.FAIL_500;
      Result r = run("inspect", "dcgm", server.url().toString());
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err().strip().lines()).hasSize(1);
      assertThat(r.err()).contains("HTTP 500 from");
    }
  }

  @Test
  void shouldPrintOneJsonObjectPerXid() throws Exception {
    Result r =
        run(
            "inspect",
            "kmsg",
            "--node",
            "n1",
            "--boot-time",
            "2025-11-24T09:00:00Z",
            fixture("kmsg/dmesg.txt"));
    assertThat(r.code()).isZero();
    List<JsonNode> xids = r.json();
    assertThat(xids).hasSize(13);
    for (JsonNode x : xids) {
      assertThat(x.has("xid")).isTrue();
      assertThat(x.has("pciBusId")).isTrue();
      assertThat(x.has("pid")).isTrue();
      assertThat(x.has("message")).isTrue();
      assertThat(x.get("node").asText()).isEqualTo("n1");
    }
    JsonNode first = xids.get(0);
    assertThat(first.get("xid").asInt()).isEqualTo(13);
    assertThat(first.get("pciBusId").asText()).isEqualTo("00000000:B5:00.0");
    assertThat(first.get("pid").isNull()).isTrue();
    assertThat(first.get("gpuUuid").asText()).isEqualTo("GPU-5cd2b7a1-cb5c-bc4e-3f28-6e3a1c8b0f11");
    assertThat(first.get("eventTime").asLong())
        .isEqualTo(java.time.Instant.parse("2025-11-24T09:15:12.345Z").toEpochMilli());
    assertThat(xids.get(1).get("pid").asLong()).isEqualTo(1582259L);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("read 18 lines: 13 XIDs, 2 unparseable NVRM Xid lines");
  }

  @Test
  void shouldReadKmsgFromStdin() throws Exception {
    InputStream saved = System.in;
    try {
      System.setIn(
          new ByteArrayInputStream(
              Fixtures.text("kmsg/devkmsg.txt").getBytes(StandardCharsets.UTF_8)));
      Result r = run("inspect", "kmsg", "--node", "n1", "-");
      assertThat(r.code()).isZero();
      assertThat(r.json()).extracting(j -> j.get("xid").asInt()).containsExactly(79, 13, 31);
      assertThat(r.json().get(0).get("kmsgSequence").asLong()).isEqualTo(2050L);
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void shouldPrintNothingButTheSummaryForALogWithoutXids() throws Exception {
    Path f = dir.resolve("clean.log");
    Files.writeString(f, "[    1.0] Linux version 6.1\n[    2.0] NVRM: loading NVIDIA\n");
    Result r = run("inspect", "kmsg", f.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip()).isEqualTo("read 2 lines: 0 XIDs");
  }

  @Test
  void shouldFailInOneLineForAMissingLog() {
    Result r = run("inspect", "kmsg", dir.resolve("nope.log").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("gpuward inspect kmsg: error: no such file: ");
  }

  @Test
  void shouldRejectABadBootTimeAsAUsageError() {
    Result r = run("inspect", "kmsg", "--boot-time", "yesterday", fixture("kmsg/dmesg.txt"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--boot-time: 'yesterday' is not an ISO time");
    assertThat(r.err()).contains("gpuward inspect kmsg --help");
  }

  @Test
  void shouldListItsSubcommands() {
    Result r = run("inspect");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("dcgm", "kmsg");
    Result top = run("--help");
    assertThat(top.out()).contains("inspect", "exporter");
  }

  @Test
  void shouldSkipAndCountAKmsgLineLongerThanTheLimitAndKeepParsing() throws Exception {
    Path f = dir.resolve("long-line.log");
    String xid =
        "[  100.0] NVRM: Xid (PCI:0000:53:00): 79, pid=1234, name=python, GPU has fallen off the"
            + " bus.\n";
    Files.writeString(f, "x".repeat(InspectCommand.MAX_LINE + 10) + "\n" + xid);
    Result r = run("inspect", "kmsg", f.toString());
    assertThat(r.code()).isZero();
    assertThat(r.json()).hasSize(1);
    assertThat(r.json().get(0).get("xid").asInt()).isEqualTo(79);
    assertThat(r.err()).contains("1 line over 65536 characters skipped (first: line 1)");
  }

  @Test
  void shouldFailWithCountsWhenAKmsgFileIsBinaryGarbage() throws Exception {
    Path f = dir.resolve("garbage.bin");
    byte[] bytes = new byte[200_000];
    new java.util.Random(7).nextBytes(bytes);
    Files.write(f, bytes);
    Result r = run("inspect", "kmsg", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("no kernel log in").contains("0 XIDs").contains("are not text");
  }

  @Test
  void shouldRefuseADcgmFileFarLargerThanAScrapeWithoutReadingItAll() throws Exception {
    Path f = dir.resolve("huge.prom");
    String line = "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-1\"} 40\n";
    try (var w = Files.newBufferedWriter(f)) {
      for (long written = 0; written <= InspectCommand.MAX_SCRAPE; written += line.length()) {
        w.write(line);
      }
    }
    Result r = run("inspect", "dcgm", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("holds more than 4 MiB of text");
  }

  @Test
  void shouldSkipAndCountADcgmLineLongerThanTheLimit() throws Exception {
    Path f = dir.resolve("long.prom");
    Files.writeString(
        f,
        "# "
            + "x".repeat(InspectCommand.MAX_LINE + 1)
            + "\n"
            + Files.readString(Path.of(fixture("dcgm/h100-8gpu-pods.prom"))));
    Result r = run("inspect", "dcgm", f.toString());
    assertThat(r.code()).isZero();
    assertThat(r.json()).hasSize(8);
    assertThat(r.err()).contains("1 line over 65536 characters skipped (first: line 1)");
  }
}
