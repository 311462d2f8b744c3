package io.gpuward.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.XidEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExporterFleetTest {

  private static final Instant BOOT = Instant.parse("2026-03-01T11:00:00Z");
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final String PAGE = Fixtures.text("dcgm/dcgm-exporter-rtx4000ada-1gpu.prom");
  private static final String UUID = "GPU-a8394b51-c086-568a-9f1a-c1e1c934c44c";
  // fixture's GPU sits at 00000000:00:02.0; the kernel writes it 0000:00:02
  private static final String XID_79 =
      "4,1301,%d,-;NVRM: Xid (PCI:0000:00:02): 79, pid='<unknown>', name=<unknown>,"
          + " GPU has fallen off the bus.";

  private final Recorder out = new Recorder();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ExporterFleet fleet = new ExporterFleet(out, Duration.ofSeconds(5), meters);

  private List<NodeEvent> heartbeats() {
    return out.all.stream()
        .filter(NodeEvent.class::isInstance)
        .map(NodeEvent.class::cast)
        .filter(e -> e.getKind() == NodeEventKind.EXPORTER_HEARTBEAT)
        .toList();
  }

  private List<XidEvent> xids() {
    return out.all.stream().filter(XidEvent.class::isInstance).map(XidEvent.class::cast).toList();
  }

  @Test
  void shouldPublishTheScrapesSamplesKeyedByTheNodeAtTheScrapeTime() {
    fleet.boot("node-a", "boot-1", BOOT);
    fleet.scrape("node-a", T0, PAGE);

    GpuSample s = (GpuSample) out.all.get(0);
    assertThat(s.getNode()).isEqualTo("node-a");
    assertThat(s.getUuid()).isEqualTo(UUID);
    assertThat(s.getEventTime()).isEqualTo(T0);
    assertThat(s.getBootId()).isEqualTo("boot-1");
    assertThat(heartbeats()).singleElement().extracting(NodeEvent::getReason).isEqualTo("ScrapeOk");
    assertThat(meters.counter(ExporterMetrics.SAMPLES).count()).isEqualTo(1.0);
  }

  @Test
  void shouldTimeAnXidFromItsKernelStampAndNameTheGpuTheScrapeTaught() {
    fleet.boot("node-a", "boot-1", BOOT);
    fleet.scrape("node-a", T0, PAGE);
    long usec = Duration.between(BOOT, T0.plusSeconds(3)).toNanos() / 1000;
    fleet.kernelLine("node-a", T0.plusSeconds(3), XID_79.formatted(usec));

    XidEvent x = xids().get(0);
    assertThat(x.getXid()).isEqualTo(79);
    assertThat(x.getEventTime()).isEqualTo(T0.plusSeconds(3));
    assertThat(x.getGpuUuid()).isEqualTo(UUID);
    assertThat(x.getEventId()).isEqualTo("node-a/xid/boot-1/1301");
  }

  @Test
  void shouldHeartbeatOncePerIntervalWhileTheExporterScrapes() {
    fleet.boot("node-a", "boot-1", BOOT);
    for (int s = 0; s <= 20; s++) {
      fleet.scrape("node-a", T0.plusSeconds(s), PAGE);
    }
    fleet.scrape("node-a", T0.plusSeconds(40), PAGE); // silent from 21 s to 39 s

    assertThat(heartbeats())
        .extracting(NodeEvent::getEventTime)
        .containsExactly(
            T0,
            T0.plusSeconds(5),
            T0.plusSeconds(10),
            T0.plusSeconds(15),
            T0.plusSeconds(20),
            T0.plusSeconds(40));
    assertThat(heartbeats().get(0).getMessage()).startsWith("scrapes=1 scrapeErrors=0 gpus=1 ");
  }

  @Test
  void shouldReportAFailingScrapeInItsHeartbeat() {
    fleet.scrapeFailed("node-a", T0, "GET http://127.0.0.1:9400/metrics: Connection refused");

    NodeEvent hb = heartbeats().get(0);
    assertThat(hb.getReason()).isEqualTo("ScrapeFailing");
    assertThat(hb.getMessage()).contains("scrapeErrors=1").contains("Connection refused");
    assertThat(out.all).hasSize(1);
  }

  @Test
  void shouldStartANewExporterOnANewBoot() {
    fleet.boot("node-a", "boot-1", BOOT);
    fleet.scrape("node-a", T0, PAGE);
    fleet.boot("node-a", "boot-1", BOOT); // same boot: nothing changes
    assertThat(fleet.pipeline("node-a").scrapes()).isEqualTo(1);

    Instant reboot = T0.plusSeconds(2);
    fleet.boot("node-a", "boot-2", reboot);
    fleet.scrape("node-a", T0.plusSeconds(3), PAGE);
    long usec = Duration.ofSeconds(1).toNanos() / 1000;
    fleet.kernelLine("node-a", T0.plusSeconds(3), XID_79.formatted(usec));

    assertThat(fleet.pipeline("node-a").scrapes()).isEqualTo(1);
    assertThat(heartbeats()).extracting(NodeEvent::getBootId).containsExactly("boot-1", "boot-2");
    assertThat(xids().get(0).getEventTime()).isEqualTo(reboot.plusSeconds(1));
    assertThat(xids().get(0).getBootId()).isEqualTo("boot-2");
  }

  @Test
  void shouldForgetANodeThatIsGone() {
    fleet.scrape("node-a", T0, PAGE);
    fleet.nodeGone("node-a");

    assertThat(fleet.pipeline("node-a")).isNull();
  }
}
