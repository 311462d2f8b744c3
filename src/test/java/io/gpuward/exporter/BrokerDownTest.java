package io.gpuward.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real producer with no broker behind it: sends fail inside the call, the buffer holds the
 * records, drops the oldest samples when full, and keeps the XIDs; scraping goes on.
 */
class BrokerDownTest {
  @TempDir Path dir;

  @Test
  void shouldHoldXidsAndDropOldSamplesWhileNoBrokerAnswers() throws Exception {
    Topics topics =
        new Topics(TopicCatalog.load(""), new AvroSerdes(new InMemorySchemaRegistry(), true));
    ProducerFlow.State flow = new ProducerFlow.State();
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", "127.0.0.1:1");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 100);
    props = ProducerFlow.install(props, flow);
    Path kmsg = dir.resolve("kmsg");
    Files.writeString(
        kmsg,
        "[ 1.0] NVRM: Xid (PCI:0000:53:00): 79, pid=1, name=a, off the bus\n"
            + "[ 2.0] NVRM: Xid (PCI:0000:64:00): 48, pid=2, name=b, DBE\n");
    var identity = new NodeIdentity("n1", "b", Instant.parse("2025-11-24T09:00:00Z"), false);
    try (var dcgm = new FakeDcgmExporter(Fixtures.text("dcgm/h100-8gpu-pods.prom"));
        var publisher = new TelemetryPublisher(props, topics, "broker-down-test")) {
      var settings =
          new ExporterService.Settings(
              identity,
              dcgm.url(),
              Duration.ofMillis(100),
              Duration.ofSeconds(1),
              kmsg,
              Duration.ofSeconds(1),
              30,
              1000);
      long t0 = System.nanoTime();
      var exporter =
          ExporterService.start(
              settings, publisher, flow, new SimpleMeterRegistry(), Clock.systemUTC(), List.of());
      try {
        Eventually.await(
            Duration.ofSeconds(20),
            () -> {
              var s = exporter.stats();
              assertThat(s.scrapes()).isGreaterThanOrEqualTo(6);
              assertThat(s.xids()).isEqualTo(2);
              assertThat(s.buffer().droppedSamples()).isPositive();
              assertThat(s.buffer().transientFailures()).isPositive();
            });
        var s = exporter.stats();
        assertThat(s.buffer().droppedXids()).isZero();
        assertThat(s.buffer().delivered()).isZero();
        assertThat(s.buffer().buffered()).isBetween(2, 31);
        assertThat(flow.failures()).isPositive();
        assertThat(flow.lastError()).contains("TimeoutException");
        // scraping kept its pace although every send fails
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(s.scrapes()).isGreaterThanOrEqualTo((long) (seconds * 10 * 0.3));
      } finally {
        exporter.close(Duration.ofMillis(200));
      }
    }
  }
}
