package io.gpuward.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.GpuTelemetryRollup;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.testing.SampleRecords;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollupTopologyTest {

  private static final Instant W0 = Instant.parse("2025-06-01T12:00:00Z");
  private static final String NODE = SampleRecords.NODE;

  /** The wall clock the rollup compares event times with: the test's timeline is in 2025. */
  private static final Clock TEST_WALL = Clock.fixed(W0.plusSeconds(3600), ZoneOffset.UTC);

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, GpuSample> gpu;
  private TestInputTopic<String, byte[]> gpuRaw;
  private TestOutputTopic<String, GpuTelemetryRollup> rollup;

  @BeforeEach
  void setUp() {
    Topics topics =
        new Topics(TopicCatalog.load(""), new AvroSerdes(new InMemorySchemaRegistry(), true));
    var settings = new RollupSettings(Duration.ofMinutes(1), Duration.ofSeconds(10));
    var cfg = new GpuwardConfig(Map.of(GpuwardConfig.ENGINE_STATE_DIR, stateDir.toString()));
    Properties props = RollupService.properties(cfg);
    driver =
        new TopologyTestDriver(
            RollupTopology.build(topics, settings, TEST_WALL, EventTimeBounds.DEFAULT), props);
    gpu =
        driver.createInputTopic(
            topics.gpu.name(), new StringSerializer(), topics.gpu.valueSerde().serializer());
    gpuRaw =
        driver.createInputTopic(
            topics.gpu.name(), new StringSerializer(), new ByteArraySerializer());
    rollup =
        driver.createOutputTopic(
            topics.rollup.name(),
            new StringDeserializer(),
            topics.rollup.valueSerde().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  private static GpuSample sample(
      String uuid, int index, Instant at, Double temp, Double util, Double power, Long fbUsed) {
    return GpuSample.newBuilder(SampleRecords.gpuSample())
        .setUuid(uuid)
        .setGpuIndex(index)
        .setEventTime(at)
        .setTemperatureC(temp)
        .setMemoryTemperatureC(null)
        .setGpuUtilPct(util)
        .setPowerW(power)
        .setFbUsedMiB(fbUsed)
        .build();
  }

  @Test
  void emitsOneRollupPerGpuOnlyWhenTheWindowClosesWithAveragesAndMaxima() {
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(1), 60.0, 50.0, 300.0, 1000L));
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(20), 80.0, 100.0, 500.0, 3000L));
    gpu.pipeInput(NODE, sample("GPU-b", 1, W0.plusSeconds(30), 40.0, 0.0, 100.0, 10L));
    // Next window, but the first is still within its grace: nothing yet.
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(65), 70.0, 10.0, 200.0, 5L));
    assertThat(rollup.isEmpty()).isTrue();

    // Out of order but within grace: still counts in the first window.
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(59), 90.0, null, null, null));
    // Stream time passes end + grace (1m10s): the first window closes.
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(71), 70.0, 10.0, 200.0, 5L));

    List<GpuTelemetryRollup> out = rollup.readValuesToList();
    assertThat(out).hasSize(2);
    GpuTelemetryRollup a = out.get(0);
    assertThat(a.getUuid()).isEqualTo("GPU-a");
    assertThat(a.getNode()).isEqualTo(NODE);
    assertThat(a.getWindowStart()).isEqualTo(W0);
    assertThat(a.getWindowEnd()).isEqualTo(W0.plusSeconds(60));
    assertThat(a.getSampleCount()).isEqualTo(3);
    assertThat(a.getAvgTemperatureC()).isEqualTo((60.0 + 80.0 + 90.0) / 3);
    assertThat(a.getMaxTemperatureC()).isEqualTo(90.0);
    assertThat(a.getMaxMemoryTemperatureC()).isNull();
    assertThat(a.getAvgGpuUtilPct()).isEqualTo(75.0);
    assertThat(a.getAvgPowerW()).isEqualTo(400.0);
    assertThat(a.getMaxPowerW()).isEqualTo(500.0);
    assertThat(a.getAvgMemoryUsedMib()).isEqualTo(2000.0);
    assertThat(a.getMaxMemoryUsedMib()).isEqualTo(3000L);
    assertThat(a.getModel()).isEqualTo(SampleRecords.gpuSample().getModel());

    GpuTelemetryRollup b = out.get(1);
    assertThat(b.getUuid()).isEqualTo("GPU-b");
    assertThat(b.getGpuIndex()).isEqualTo(1);
    assertThat(b.getSampleCount()).isEqualTo(1);
    assertThat(b.getAvgGpuUtilPct()).isEqualTo(0.0);
  }

  @Test
  void dropsSamplesLaterThanTheGraceAndSkipsPoisonBytes() {
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(1), 60.0, 50.0, 300.0, 1000L));
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(80), 70.0, 10.0, 200.0, 5L));
    List<GpuTelemetryRollup> first = rollup.readValuesToList();
    assertThat(first).singleElement().satisfies(r -> assertThat(r.getSampleCount()).isEqualTo(1));

    // Too late for the closed window: it is not emitted again.
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(2), 99.0, 50.0, 300.0, 1000L));
    gpuRaw.pipeInput(NODE, new byte[] {0x7b, 0x7d});
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(200), 70.0, 10.0, 200.0, 5L));

    List<GpuTelemetryRollup> next = rollup.readValuesToList();
    assertThat(next)
        .extracting(GpuTelemetryRollup::getWindowStart)
        .containsExactly(W0.plusSeconds(60));
  }

  @Test
  void keepsNodesApart() {
    gpu.pipeInput(
        "node-a", on("node-a", sample("GPU-a", 0, W0.plusSeconds(1), 60.0, 50.0, 300.0, 1L)));
    gpu.pipeInput(
        "node-b", on("node-b", sample("GPU-b", 0, W0.plusSeconds(2), 61.0, 50.0, 300.0, 1L)));
    gpu.pipeInput(
        "node-a", on("node-a", sample("GPU-a", 0, W0.plusSeconds(75), 60.0, 50.0, 300.0, 1L)));

    // node-a's window closes (stream time is per partition; one partition here).
    var out = rollup.readKeyValuesToList();
    assertThat(out).extracting(kv -> kv.key).containsExactlyInAnyOrder("node-a", "node-b");
    assertThat(out).allSatisfy(kv -> assertThat(kv.value.getNode()).isEqualTo(kv.key));
  }

  @Test
  void dropsSamplesTheEngineDeadLetters() {
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(1), 60.0, 50.0, 300.0, 1L));
    Instant tomorrow = W0.plus(Duration.ofDays(1));
    gpu.pipeInput(NODE, sample("GPU-a", 0, tomorrow, 99.0, 50.0, 300.0, 1L));
    gpu.pipeInput("node-b", sample("GPU-b", 0, W0.plusSeconds(2), 61.0, 50.0, 300.0, 1L));
    gpu.pipeInput(NODE, sample("GPU-a", 0, W0.plusSeconds(75), 60.0, 50.0, 300.0, 1L));

    // Only NODE's own sample in the first window counts: the one a day ahead neither closed the
    // window early nor joined it, and node-b's (keyed apart from its node) never entered.
    var out = rollup.readKeyValuesToList();
    assertThat(out).extracting(kv -> kv.key).containsExactly(NODE);
    assertThat(out.get(0).value.getSampleCount()).isEqualTo(1);
    assertThat(out.get(0).value.getMaxTemperatureC()).isEqualTo(60.0);
  }

  private static GpuSample on(String node, GpuSample s) {
    return GpuSample.newBuilder(s).setNode(node).build();
  }
}
