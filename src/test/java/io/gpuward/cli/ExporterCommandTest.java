package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.exporter.FakeDcgmExporter;
import io.gpuward.exporter.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gpuward exporter} flags, and a short run with no broker at all. */
class ExporterCommandTest {
  @TempDir Path dir;

  @Test
  void shouldShowItsOptions() {
    var r = InspectCommandTest.run("exporter", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("--dcgm-url", "--interval", "--kmsg", "--node", "--heartbeat", "--buffer");
  }

  @Test
  void shouldRejectBadFlagsAsUsageErrors() {
    var r = InspectCommandTest.run("exporter", "--interval", "ninety");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--interval").contains("'ninety' is not a duration");
    r = InspectCommandTest.run("exporter", "--dcgm-url", "ftp://host/metrics");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--dcgm-url");
    r = InspectCommandTest.run("exporter", "--buffer", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--buffer must be >= 1");
    r = InspectCommandTest.run("exporter", "--node", "../../api/v1/secrets?x=", "--kmsg", "none");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("is not a valid Kubernetes node name");
  }

  @Test
  void shouldKeepRunningWithoutABrokerAndBufferWhatItReads() throws Exception {
    Path kmsg = dir.resolve("kmsg");
    Files.writeString(kmsg, "[ 1.0] NVRM: Xid (PCI:0000:53:00): 79, pid=1, name=a, off the bus\n");
    try (var dcgm = new FakeDcgmExporter(Fixtures.text("dcgm/h100-8gpu-pods.prom"))) {
      var r =
          InspectCommandTest.run(
              "exporter",
              "-b",
              "127.0.0.1:1",
              "-r",
              "http://127.0.0.1:1",
              "--node",
              "n1",
              "--dcgm-url",
              dcgm.url().toString(),
              "--kmsg",
              kmsg.toString(),
              "--interval",
              "200ms",
              "--heartbeat",
              "500ms",
              "--duration",
              "1s",
              "--metrics-port",
              "0");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).contains("gpuward exporter on n1: scraping " + dcgm.url());
      assertThat(r.out()).containsPattern("stopped: [1-9]\\d* scrapes \\(0 failed\\)");
      assertThat(r.out()).contains("1 XIDs");
      assertThat(r.out()).containsPattern("metrics: http://localhost:\\d+/metrics");
    }
  }
}
