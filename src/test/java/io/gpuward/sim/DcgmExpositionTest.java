package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.exporter.dcgm.DcgmParser;
import io.gpuward.exporter.dcgm.DcgmScrape;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DcgmExpositionTest {

  private static final Instant AT = Instant.parse("2026-03-01T12:00:05Z");
  private static final DcgmExposition EXPOSITION = new DcgmExposition(XidTable.load()::text);

  private static GpuReading h100(int index, String pod, int lastXid) {
    return new GpuReading(
        index,
        "GPU-0000000" + index + "-1111-2222-3333-444444444444",
        GpuProfile.pciBusId(8, index),
        GpuProfile.kernelPci(GpuProfile.pciBusId(8, index)),
        "NVIDIA H100 80GB HBM3",
        "550.90.07",
        pod,
        57.3,
        60.1,
        642.7,
        93.4,
        37.4,
        66_878,
        14_138,
        1980,
        3,
        1,
        41,
        1,
        null,
        null,
        null,
        2L,
        1L,
        false,
        true,
        lastXid,
        17L,
        5L,
        1L,
        0L,
        4,
        0x20,
        1_000_000_000L);
  }

  private static GpuReading g5Idle(int index) {
    return new GpuReading(
        index,
        "GPU-aaaaaaa" + index + "-1111-2222-3333-444444444444",
        GpuProfile.pciBusId(1, index),
        GpuProfile.kernelPci(GpuProfile.pciBusId(1, index)),
        "NVIDIA A10G",
        "550.90.07",
        null,
        33.0,
        null,
        21.5,
        0.0,
        0.0,
        1,
        22_700,
        210,
        0,
        0,
        0,
        0,
        0L,
        0L,
        0L,
        null,
        null,
        null,
        null,
        0,
        null,
        null,
        null,
        null,
        0,
        0x1,
        0);
  }

  private static DcgmScrape roundTrip(String node, List<GpuReading> readings) {
    return DcgmParser.forNode(node).parse(EXPOSITION.render(node, readings), AT, "boot-1");
  }

  @Test
  void shouldReadBackEveryModelledFieldThroughTheExportersParser() {
    List<GpuReading> readings = List.of(h100(0, "ml/train-0", 79), h100(1, null, 0));
    DcgmScrape scrape = roundTrip("p5-train-0", readings);

    assertThat(scrape.malformedLines()).isZero();
    assertThat(scrape.samples()).hasSize(2);
    for (int i = 0; i < readings.size(); i++) {
      assertSameAs(scrape.samples().get(i), readings.get(i), "p5-train-0");
    }
  }

  @Test
  void shouldLeaveOutFieldsTheModelDoesNotReport() {
    GpuSample s = roundTrip("g5-infer-0", List.of(g5Idle(0))).samples().get(0);

    assertSameAs(s, g5Idle(0), "g5-infer-0");
    assertThat(s.getMemoryTemperatureC()).isNull();
    assertThat(s.getRowRemapCorrectable()).isNull();
    assertThat(s.getNvlinkCrcFlitErrors()).isNull();
    assertThat(s.getPod()).isNull();
  }

  @Test
  void shouldShowNoSeriesForAGpuThatIsNotRead() {
    // GPU 1 fell off the bus: DCGM no longer lists it
    List<GpuReading> readings = List.of(h100(0, null, 0), h100(2, null, 0), h100(3, null, 0));
    String text = EXPOSITION.render("p5-train-0", readings);

    assertThat(text).doesNotContain(h100(1, null, 0).uuid()).doesNotContain("gpu=\"1\"");
    assertThat(roundTrip("p5-train-0", readings).samples())
        .extracting(GpuSample::getGpuIndex)
        .containsExactly(0, 2, 3);
  }

  @Test
  void shouldWriteTheLabelsAndFamiliesDcgmExporterWrites() {
    String text = EXPOSITION.render("p5-train-0", List.of(h100(0, "ml/train-0", 79)));

    assertThat(text)
        .contains("# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).\n")
        .contains("# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n")
        .contains("# TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL counter\n")
        .contains(
            "DCGM_FI_DEV_SM_CLOCK{gpu=\"0\",UUID=\"GPU-00000000-1111-2222-3333-444444444444\","
                + "pci_bus_id=\"00000000:53:00.0\",device=\"nvidia0\","
                + "modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"p5-train-0\","
                + "DCGM_FI_DRIVER_VERSION=\"550.90.07\",container=\"worker\",namespace=\"ml\","
                + "pod=\"train-0\",pod_uid=\"\"} 1980\n")
        .contains("DCGM_FI_DEV_POWER_USAGE{")
        .contains("} 642.700000\n")
        .contains(",err_code=\"79\",err_msg=\"GPU has fallen off the bus.\"} 79\n")
        .contains("DCGM_FI_PROF_GR_ENGINE_ACTIVE{");
  }

  @Test
  void shouldAttributeTheGpuToItsPod() {
    GpuSample s = roundTrip("p5-train-0", List.of(h100(0, "ml/train-0", 0))).samples().get(0);

    assertThat(s.getPod()).isEqualTo("ml/train-0");
  }

  private static void assertSameAs(GpuSample s, GpuReading r, String node) {
    assertThat(s.getNode()).isEqualTo(node);
    assertThat(s.getEventTime()).isEqualTo(AT);
    assertThat(s.getBootId()).isEqualTo("boot-1");
    assertThat(s.getMigProfile()).isNull();
    GpuReading back =
        new GpuReading(
            s.getGpuIndex(),
            s.getUuid(),
            s.getPciBusId(),
            r.kernelPci(),
            s.getModel(),
            s.getDriverVersion(),
            s.getPod(),
            s.getTemperatureC(),
            s.getMemoryTemperatureC(),
            s.getPowerW(),
            s.getGpuUtilPct(),
            s.getMemCopyUtilPct(),
            s.getFbUsedMiB(),
            s.getFbFreeMiB(),
            s.getSmClockMHz(),
            s.getEccSbeVolatile(),
            s.getEccDbeVolatile(),
            s.getEccSbeAggregate(),
            s.getEccDbeAggregate(),
            s.getRetiredPagesSbe(),
            s.getRetiredPagesDbe(),
            s.getRetiredPagesPending(),
            s.getRowRemapCorrectable(),
            s.getRowRemapUncorrectable(),
            s.getRowRemapFailure(),
            s.getRowRemapPending(),
            s.getLastXid(),
            s.getNvlinkCrcFlitErrors(),
            s.getNvlinkCrcDataErrors(),
            s.getNvlinkReplayErrors(),
            s.getNvlinkRecoveryErrors(),
            s.getPcieReplays(),
            s.getClockEventReasons(),
            s.getThermalViolationNs());
    assertThat(back).isEqualTo(r);
  }
}
