package io.gpuward.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.XidEvent;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exporter against a local fake dcgm-exporter and a temp file as the kernel log. */
class ExporterServiceTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final String NODE = "node-a";
  static final String BOOT = "5e3c0a52-8b1d-4d7e-9f3a-1c2b3d4e5f60";

  @TempDir Path dir;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final Recorder sink = new Recorder();
  FakeDcgmExporter dcgm;
  ExporterService exporter;

  @AfterEach
  void stop() {
    sink.hook = r -> {};
    if (exporter != null) {
      exporter.close();
    }
    if (dcgm != null) {
      dcgm.close();
    }
  }

  private ExporterService start(Path kmsg, int buffer) {
    return start(kmsg, buffer, dcgm.url());
  }

  private ExporterService start(Path kmsg, int buffer, URI url) {
    var identity = new NodeIdentity(NODE, BOOT, Instant.parse("2025-11-24T09:00:00Z"), false);
    var settings =
        new ExporterService.Settings(
            identity,
            url,
            Duration.ofMillis(150),
            Duration.ofMillis(300),
            kmsg,
            Duration.ofMillis(200),
            buffer,
            0);
    exporter =
        ExporterService.start(
            settings, sink, Backpressure.NONE, meters, Clock.systemUTC(), List.of());
    return exporter;
  }

  private static void append(Path file, String... lines) throws IOException {
    Files.writeString(
        file,
        String.join("\n", lines) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private double counter(String name, String... tags) {
    var c = meters.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void shouldPublishSamplesXidsAndHeartbeatsForItsNode() throws Exception {
    dcgm = new FakeDcgmExporter(Fixtures.text("dcgm/h100-8gpu-pods.prom"));
    Path kmsg = dir.resolve("kmsg");
    append(kmsg, "6,1,1000,-;NVRM: loading NVIDIA UNIX x86_64 Kernel Module  570.133.20");
    start(kmsg, 1000);

    Eventually.await(WAIT, () -> assertThat(sink.samples()).hasSizeGreaterThanOrEqualTo(16));
    // the XID arrives after a scrape taught the parser which GPU is at 0000:53:00
    append(
        kmsg,
        "4,2050,912345678,-;NVRM: Xid (PCI:0000:53:00): 79, pid=123456, name=python3, GPU has"
            + " fallen off the bus.",
        " SUBSYSTEM=pci");
    Eventually.await(WAIT, () -> assertThat(sink.xids()).hasSize(1));
    Eventually.await(
        WAIT,
        () ->
            assertThat(sink.heartbeats())
                .anySatisfy(h -> assertThat(h.getMessage()).contains("xids=1")));

    GpuSample s = sink.samples().get(0);
    assertThat(s.getNode()).isEqualTo(NODE); // not the Hostname label: this is node-a's exporter
    assertThat(s.getBootId()).isEqualTo(BOOT);
    assertThat(sink.samples())
        .extracting(GpuSample::getUuid)
        .contains("GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138");

    XidEvent x = sink.xids().get(0);
    assertThat(x.getXid()).isEqualTo(79);
    assertThat(x.getNode()).isEqualTo(NODE);
    assertThat(x.getGpuUuid()).isEqualTo("GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138");
    assertThat(x.getKmsgSequence()).isEqualTo(2050L);
    assertThat(x.getEventId()).isEqualTo("node-a/xid/5e3c0a52/2050");
    assertThat(x.getEventTime()).isEqualTo(Instant.parse("2025-11-24T09:15:12.345Z"));

    NodeEvent hb = sink.heartbeats().get(sink.heartbeats().size() - 1);
    assertThat(hb.getNode()).isEqualTo(NODE);
    assertThat(hb.getSource()).isEqualTo("exporter");
    assertThat(hb.getBootId()).isEqualTo(BOOT);
    assertThat(hb.getReason()).isEqualTo("ScrapeOk");
    assertThat(hb.getMessage())
        .contains("gpus=8", "scrapeErrors=0", "kmsgLines=3", "xidTimesRefused=0");

    var stats = exporter.stats();
    assertThat(stats.lastGpus()).isEqualTo(8);
    assertThat(stats.scrapeErrors()).isZero();
    assertThat(counter(ExporterMetrics.SCRAPES)).isPositive();
    assertThat(counter(ExporterMetrics.SAMPLES)).isGreaterThanOrEqualTo(16);
    assertThat(counter(ExporterMetrics.XIDS)).isEqualTo(1.0);
    assertThat(counter(ExporterMetrics.HEARTBEATS)).isPositive();
  }

  @Test
  void shouldCountScrapeFailuresAndKeepGoing() throws Exception {
    dcgm = new FakeDcgmExporter(Fixtures.text("dcgm/h100-8gpu-pods.prom"));
    dcgm.mode = FakeDcgmExporter.Mode.FAIL_500;
    start(null, 1000);
    Eventually.await(
        WAIT,
        () ->
            assertThat(counter(ExporterMetrics.SCRAPE_ERRORS, "reason", "http_status"))
                .isGreaterThanOrEqualTo(2));
    Eventually.await(
        WAIT,
        () ->
            assertThat(sink.heartbeats())
                .anySatisfy(
                    h -> {
                      assertThat(h.getReason()).isEqualTo("ScrapeFailing");
                      assertThat(h.getMessage()).contains("HTTP 500");
                    }));
    assertThat(sink.samples()).isEmpty();

    dcgm.mode = FakeDcgmExporter.Mode.HANG;
    Eventually.await(
        WAIT,
        () ->
            assertThat(counter(ExporterMetrics.SCRAPE_ERRORS, "reason", "timeout"))
                .isGreaterThanOrEqualTo(1));
    // heartbeats go on while a scrape hangs
    int beats = sink.heartbeats().size();
    Eventually.await(WAIT, () -> assertThat(sink.heartbeats()).hasSizeGreaterThan(beats + 1));

    dcgm.mode = FakeDcgmExporter.Mode.SERVE;
    Eventually.await(WAIT, () -> assertThat(sink.samples()).hasSizeGreaterThanOrEqualTo(8));
    Eventually.await(
        WAIT,
        () ->
            assertThat(sink.heartbeats().get(sink.heartbeats().size() - 1).getReason())
                .isEqualTo("ScrapeOk"));
    assertThat(exporter.stats().lastScrapeError()).isNull();
  }

  @Test
  void shouldCountAnUnreachableExporterAndKeepGoing() throws Exception {
    dcgm = new FakeDcgmExporter("");
    URI url = dcgm.url();
    dcgm.close(); // nothing listens there now
    start(null, 100, url);
    Eventually.await(
        WAIT,
        () ->
            assertThat(counter(ExporterMetrics.SCRAPE_ERRORS, "reason", "connect"))
                .isGreaterThanOrEqualTo(2));
    assertThat(exporter.stats().lastScrapeError()).contains("cannot reach");
  }

  @Test
  void shouldReportAScrapeWithoutGpus() {
    dcgm = new FakeDcgmExporter("# HELP nothing here\n");
    start(null, 100);
    Eventually.await(
        WAIT,
        () ->
            assertThat(sink.heartbeats())
                .anySatisfy(h -> assertThat(h.getReason()).isEqualTo("NoGpus")));
    assertThat(exporter.stats().lastGpus()).isZero();
  }

  @Test
  void shouldKeepXidsAndDropOldSamplesWhileTheSinkBlocks() throws Exception {
    dcgm = new FakeDcgmExporter(Fixtures.text("dcgm/h100-8gpu-pods.prom"));
    Path kmsg = dir.resolve("kmsg");
    append(kmsg, "[ 1.0] NVRM: Xid (PCI:0000:53:00): 79, pid=1, name=a, GPU has fallen off");
    CountDownLatch release = new CountDownLatch(1);
    sink.hook =
        r -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    start(kmsg, 20);
    Eventually.await(
        WAIT, () -> assertThat(exporter.stats().buffer().droppedSamples()).isPositive());
    append(
        kmsg,
        "[ 2.0] NVRM: Xid (PCI:0000:64:00): 48, pid=2, name=b, DBE",
        "[ 3.0] NVRM: Xid (PCI:0000:75:00): 119, pid=3, name=c, GSP timeout");
    Eventually.await(WAIT, () -> assertThat(exporter.stats().xids()).isEqualTo(3));
    Eventually.await(
        WAIT, () -> assertThat(exporter.stats().buffer().droppedSamples()).isGreaterThan(16));
    release.countDown();
    Eventually.await(WAIT, () -> assertThat(sink.xids()).hasSize(3));
    assertThat(sink.xids()).extracting(XidEvent::getXid).containsExactly(79, 48, 119);
    assertThat(exporter.stats().buffer().droppedXids()).isZero();
    assertThat(counter(ExporterMetrics.BUFFER_DROPS, "kind", "gpu")).isGreaterThan(16);
  }

  @Test
  void shouldFollowAFileThatIsReplaced() throws Exception {
    dcgm = new FakeDcgmExporter("");
    Path kmsg = dir.resolve("kern.log");
    append(kmsg, "[ 1.0] NVRM: Xid (PCI:0000:53:00): 79, pid=1, name=a, off the bus");
    start(kmsg, 100);
    Eventually.await(WAIT, () -> assertThat(sink.xids()).hasSize(1));
    Path rotated = dir.resolve("kern.log.new");
    append(rotated, "[ 9.0] NVRM: Xid (PCI:0000:64:00): 13, pid=2, name=b, warp");
    Files.move(rotated, kmsg, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Eventually.await(WAIT, () -> assertThat(sink.xids()).hasSize(2));
    assertThat(sink.xids().get(1).getXid()).isEqualTo(13);
  }
}
