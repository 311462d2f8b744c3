package io.gpuward.exporter.dcgm;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.exporter.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DcgmParserTest {
  static final Instant T = Instant.parse("2025-11-24T10:00:00Z");
  static final String BOOT = "7c1d5f8e-2b3a-4c9d-8e7f-6a5b4c3d2e1f";

  private static DcgmScrape parse(String fixture) {
    return new DcgmParser("fallback-node").parse(Fixtures.text("dcgm/" + fixture), T, BOOT);
  }

  private static Map<String, GpuSample> byUuid(DcgmScrape s) {
    return s.samples().stream().collect(Collectors.toMap(GpuSample::getUuid, Function.identity()));
  }

  @Test
  void shouldParseTheRealSingleGpuScrape() {
    DcgmScrape s = parse("dcgm-exporter-rtx4000ada-1gpu.prom");
    assertThat(s.lines()).isEqualTo(75);
    assertThat(s.malformedLines()).isZero();
    assertThat(s.problems()).isEmpty();
    assertThat(s.samples()).hasSize(1);
    GpuSample g = s.samples().get(0);
    assertThat(g.getNode()).isEqualTo("lke529760-766837-0a634ab30000");
    assertThat(g.getUuid()).isEqualTo("GPU-a8394b51-c086-568a-9f1a-c1e1c934c44c");
    assertThat(g.getGpuIndex()).isZero();
    assertThat(g.getPciBusId()).isEqualTo("00000000:00:02.0");
    assertThat(g.getModel()).isEqualTo("NVIDIA RTX 4000 Ada Generation");
    assertThat(g.getDriverVersion()).isEqualTo("580.95.05");
    assertThat(g.getEventTime()).isEqualTo(T);
    assertThat(g.getBootId()).isEqualTo(BOOT);
    assertThat(g.getSmClockMHz()).isEqualTo(2310L);
    assertThat(g.getMemoryTemperatureC()).isEqualTo(0.0);
    assertThat(g.getTemperatureC()).isEqualTo(48.0);
    assertThat(g.getPowerW()).isEqualTo(40.979);
    assertThat(g.getPcieReplays()).isZero();
    assertThat(g.getGpuUtilPct()).isEqualTo(0.0);
    assertThat(g.getMemCopyUtilPct()).isEqualTo(0.0);
    assertThat(g.getLastXid()).isZero();
    assertThat(g.getFbFreeMiB()).isEqualTo(20015L);
    assertThat(g.getFbUsedMiB()).isEqualTo(1L);
    assertThat(g.getRowRemapUncorrectable()).isZero();
    assertThat(g.getRowRemapCorrectable()).isZero();
    assertThat(g.getRowRemapFailure()).isFalse();
    assertThat(g.getPod()).isEqualTo("default/cuda-75454ffb9f-8ljq7");
    assertThat(g.getMigProfile()).isNull();
    // not exported by this exporter: absent, never 0
    assertThat(g.getEccDbeVolatile()).isNull();
    assertThat(g.getNvlinkCrcFlitErrors()).isNull();
    assertThat(g.getRowRemapPending()).isNull();
    assertThat(g.getThermalViolationNs()).isNull();
    // MEM_CLOCK, ENERGY, ENC/DEC, FB_RESERVED, NVLINK_BANDWIDTH, VGPU, 5 PROF: no field
    assertThat(s.ignoredSeries()).isEqualTo(12);
  }

  @Test
  void shouldParseEightH100sWithPodsOnSomeGpus() {
    DcgmScrape s = parse("h100-8gpu-pods.prom");
    assertThat(s.malformedLines()).isZero();
    assertThat(s.samples()).hasSize(8);
    assertThat(s.samples())
        .extracting(GpuSample::getGpuIndex)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(s.samples())
        .extracting(GpuSample::getPciBusId)
        .containsExactly(
            "00000000:53:00.0",
            "00000000:64:00.0",
            "00000000:75:00.0",
            "00000000:86:00.0",
            "00000000:97:00.0",
            "00000000:A8:00.0",
            "00000000:B9:00.0",
            "00000000:CA:00.0");
    assertThat(s.samples())
        .allSatisfy(
            g -> {
              assertThat(g.getNode()).isEqualTo("ip-10-0-1-23.ec2.internal");
              assertThat(g.getModel()).isEqualTo("NVIDIA H100 80GB HBM3");
              assertThat(g.getDriverVersion()).isEqualTo("570.133.20");
            });
    List<GpuSample> g = s.samples();
    assertThat(g)
        .extracting(GpuSample::getPod)
        .containsExactly(
            "training/llama-train-0",
            "training/llama-train-0",
            "training/llama-train-1",
            "inference/vllm-7d9f8-abcde",
            null,
            null,
            null,
            null);
    assertThat(g.get(2).getLastXid()).isEqualTo(79);
    assertThat(g.get(0).getLastXid()).isZero();
    assertThat(g.get(4).getPcieReplays()).isEqualTo(3L);
    GpuSample ecc = g.get(5);
    assertThat(ecc.getEccSbeVolatile()).isEqualTo(12L);
    assertThat(ecc.getEccDbeVolatile()).isEqualTo(2L);
    assertThat(ecc.getEccSbeAggregate()).isEqualTo(140L);
    assertThat(ecc.getEccDbeAggregate()).isEqualTo(2L);
    assertThat(ecc.getRowRemapUncorrectable()).isEqualTo(1L);
    assertThat(ecc.getRowRemapFailure()).isTrue();
    assertThat(ecc.getRowRemapPending()).isTrue();
    GpuSample hot = g.get(6);
    assertThat(hot.getTemperatureC()).isEqualTo(91.0);
    assertThat(hot.getThermalViolationNs()).isEqualTo(5400000000123L);
    assertThat(hot.getClockEventReasons()).isEqualTo(72L);
    GpuSample nv = g.get(7);
    assertThat(nv.getNvlinkCrcFlitErrors()).isEqualTo(4211L);
    assertThat(nv.getNvlinkCrcDataErrors()).isEqualTo(17L);
    assertThat(nv.getNvlinkReplayErrors()).isEqualTo(9L);
    assertThat(nv.getNvlinkRecoveryErrors()).isEqualTo(1L);
    assertThat(g.get(3).getPowerW()).isEqualTo(412.25);
    assertThat(g.get(0).getFbUsedMiB()).isEqualTo(79980L);
    assertThat(g.get(0).getGpuUtilPct()).isEqualTo(100.0);
  }

  @Test
  void shouldAcceptTheLowerCaseHostnameLabel() {
    DcgmScrape s = parse("l4-hostname-lowercase.prom");
    assertThat(s.samples()).hasSize(2);
    Map<String, GpuSample> g = byUuid(s);
    GpuSample a = g.get("GPU-4a1b2c3d-1111-2222-3333-444455556666");
    assertThat(a.getNode()).isEqualTo("ip-10-0-7-41.ec2.internal");
    assertThat(a.getMemoryTemperatureC()).isNull();
    assertThat(a.getTemperatureC()).isEqualTo(51.0);
    GpuSample b = g.get("GPU-4a1b2c3d-7777-8888-9999-aaaabbbbcccc");
    assertThat(b.getPciBusId()).isEqualTo("00000000:3A:00.0");
    assertThat(b.getLastXid()).isEqualTo(13);
    assertThat(b.getPowerW()).isEqualTo(16.12);
  }

  @Test
  void shouldReadTheOldNamespace() {
    DcgmScrape s = parse("t4-old-namespace.prom");
    assertThat(s.malformedLines()).isZero();
    assertThat(s.samples()).hasSize(1);
    GpuSample g = s.samples().get(0);
    assertThat(g.getUuid()).isEqualTo("GPU-1e2d3c4b-5a69-7887-96a5-b4c3d2e1f0a9");
    assertThat(g.getNode()).isEqualTo("ip-10-0-3-9.ec2.internal");
    assertThat(g.getModel()).isEqualTo("Tesla T4");
    assertThat(g.getSmClockMHz()).isEqualTo(1590L);
    assertThat(g.getTemperatureC()).isEqualTo(62.0);
    assertThat(g.getMemoryTemperatureC()).isEqualTo(0.0);
    assertThat(g.getPowerW()).isEqualTo(35.112);
    assertThat(g.getGpuUtilPct()).isEqualTo(44.0);
    assertThat(g.getMemCopyUtilPct()).isEqualTo(12.0);
    assertThat(g.getLastXid()).isEqualTo(43);
    assertThat(g.getFbFreeMiB()).isEqualTo(11020L);
    assertThat(g.getFbUsedMiB()).isEqualTo(4080L);
    assertThat(g.getPcieReplays()).isEqualTo(5L);
    assertThat(g.getRetiredPagesSbe()).isEqualTo(3L);
    assertThat(g.getRetiredPagesDbe()).isEqualTo(1L);
    assertThat(g.getRetiredPagesPending()).isZero();
    assertThat(g.getEccDbeVolatile()).isZero();
    assertThat(g.getThermalViolationNs()).isEqualTo(812L);
    assertThat(g.getPod()).isEqualTo("media/transcode-6c8d9-x2x4z");
    assertThat(s.ignoredSeries()).isEqualTo(1); // dcgm_fi_prof_gr_engine_active
  }

  @Test
  void shouldMergeMigInstancesIntoOneSamplePerGpu() {
    DcgmScrape s = parse("a100-mig.prom");
    assertThat(s.samples()).hasSize(2);
    GpuSample mig = s.samples().get(0);
    assertThat(mig.getUuid()).isEqualTo("GPU-a100a100-0000-4000-8000-000000000000");
    assertThat(mig.getMigProfile()).isEqualTo("3g.40gb");
    assertThat(mig.getTemperatureC()).isEqualTo(45.0); // hottest instance reading
    assertThat(mig.getPowerW()).isEqualTo(210.5); // the board's, repeated per instance
    assertThat(mig.getGpuUtilPct()).isNull(); // blank in MIG mode
    assertThat(mig.getFbUsedMiB()).isEqualTo(42000L); // summed over GPU instances
    assertThat(mig.getFbFreeMiB()).isEqualTo(38896L);
    assertThat(mig.getEccDbeVolatile()).isEqualTo(1L); // device-wide: not summed
    assertThat(mig.getPod()).isEqualTo("batch/etl-a,batch/etl-b");
    GpuSample whole = s.samples().get(1);
    assertThat(whole.getMigProfile()).isNull();
    assertThat(whole.getPod()).isNull();
    assertThat(whole.getTemperatureC()).isEqualTo(38.0);
    assertThat(whole.getFbFreeMiB()).isEqualTo(81037L);
  }

  @Test
  void shouldPreferTheWholeGpuSeriesOverMigInstances() {
    String uuid = "GPU-a100a100-0000-4000-8000-000000000000";
    String text =
        "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\""
            + uuid
            + "\",GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"7\"} 100\n"
            + "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\""
            + uuid
            + "\",GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"8\"} 200\n"
            + "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\""
            + uuid
            + "\"} 5000\n";
    GpuSample g = new DcgmParser("n").parse(text, T, null).samples().get(0);
    assertThat(g.getFbUsedMiB()).isEqualTo(5000L);
    assertThat(g.getMigProfile()).isEqualTo("1g.10gb");
    assertThat(g.getNode()).isEqualTo("n");
    assertThat(g.getBootId()).isNull();
  }

  @Test
  void shouldReadDcgm46NamesAndIgnoreNvlinkEntities() {
    DcgmScrape s = parse("b200-dcgm46-names.prom");
    assertThat(s.malformedLines()).isZero();
    assertThat(s.samples()).hasSize(1);
    GpuSample g = s.samples().get(0);
    assertThat(g.getGpuIndex()).isEqualTo(3);
    assertThat(g.getNode()).isEqualTo("p6-b200-1");
    assertThat(g.getModel()).isEqualTo("NVIDIA B200");
    assertThat(g.getTemperatureC()).isEqualTo(58.0);
    assertThat(g.getMemoryTemperatureC()).isEqualTo(61.0);
    assertThat(g.getPowerW()).isEqualTo(812.004);
    assertThat(g.getGpuUtilPct()).isEqualTo(97.0);
    assertThat(g.getLastXid()).isEqualTo(119);
    assertThat(g.getPcieReplays()).isEqualTo(42L);
    assertThat(g.getRowRemapCorrectable()).isEqualTo(2L);
    assertThat(g.getRowRemapUncorrectable()).isZero();
    assertThat(g.getRowRemapFailure()).isFalse();
    assertThat(g.getRetiredPagesPending()).isZero();
    assertThat(g.getRetiredPagesSbe()).isNull();
    assertThat(g.getNvlinkCrcFlitErrors()).isEqualTo(5L);
    assertThat(g.getNvlinkCrcDataErrors()).isEqualTo(6L);
    assertThat(g.getNvlinkReplayErrors()).isEqualTo(7L);
    assertThat(g.getNvlinkRecoveryErrors()).isEqualTo(8L);
    assertThat(g.getClockEventReasons()).isEqualTo(64L);
    assertThat(s.ignoredSeries()).isEqualTo(1); // the per-link series
  }

  @Test
  void shouldTurnEverySentinelIntoAnAbsentField() {
    DcgmScrape s = parse("g5-sentinels.prom");
    assertThat(s.malformedLines()).isZero();
    GpuSample g = s.samples().get(0);
    assertThat(g.getTemperatureC()).isEqualTo(29.0);
    assertThat(g.getDriverVersion()).isNull(); // <<<NOT_SUPPORTED>>>
    assertThat(g.getMemoryTemperatureC()).isNull(); // 9223372036854775794
    assertThat(g.getPowerW()).isNull(); // 140737488355330.0
    assertThat(g.getEccDbeVolatile()).isNull(); // 9223372036854775792
    assertThat(g.getEccSbeVolatile()).isNull(); // ...795
    assertThat(g.getRetiredPagesPending()).isNull(); // int32 NOT_SUPPORTED on a small count
    assertThat(g.getGpuUtilPct()).isNull(); // NaN
    assertThat(g.getMemCopyUtilPct()).isNull(); // +Inf
    assertThat(g.getSmClockMHz()).isNull(); // <<<NOT_SUPPORTED>>>
    assertThat(g.getFbUsedMiB()).isZero(); // a real 0 stays 0
    assertThat(g.getThermalViolationNs()).isEqualTo(2147483634L); // a counter may pass 2^31
  }

  @Test
  void shouldSkipAndCountMalformedLinesAndKeepTheRest() {
    DcgmScrape s = parse("messy.prom");
    assertThat(s.lines()).isEqualTo(21);
    assertThat(s.malformedLines()).isEqualTo(5);
    assertThat(s.ignoredSeries()).isEqualTo(4);
    assertThat(s.problems())
        .hasSize(5)
        .anySatisfy(p -> assertThat(p).startsWith("line 16: "))
        .anySatisfy(p -> assertThat(p).startsWith("line 17: ").contains("not-a-number"))
        .anySatisfy(p -> assertThat(p).startsWith("line 18: ").contains("unterminated"))
        .anySatisfy(p -> assertThat(p).startsWith("line 19: ").contains("extra"))
        .anySatisfy(p -> assertThat(p).startsWith("line 21: "));
    assertThat(s.summary())
        .startsWith(
            "parsed 2 GPUs from 21 lines; 5 malformed lines skipped; 4 series ignored (line 16:");
    Map<String, GpuSample> g = byUuid(s);
    GpuSample a = g.get("GPU-0000messy-0000-4000-8000-000000000000");
    assertThat(a.getNode()).isEqualTo("messy-node");
    assertThat(a.getModel()).isEqualTo("Tesla \"T4\", {rev} a\\b");
    assertThat(a.getDriverVersion()).isEqualTo("470.182.03");
    assertThat(a.getTemperatureC()).isEqualTo(55.0);
    assertThat(a.getPowerW()).isEqualTo(70.5);
    assertThat(a.getPciBusId()).isNull();
    GpuSample b = g.get("GPU-1111messy-1111-4111-8111-111111111111");
    assertThat(b.getGpuIndex()).isEqualTo(1);
    assertThat(b.getPciBusId()).isEqualTo("00000000:3B:00.0");
    assertThat(b.getPod()).isEqualTo("ml/notebook-0");
    assertThat(b.getTemperatureC()).isEqualTo(61.0);
    assertThat(b.getFbUsedMiB()).isEqualTo(2048L);
    assertThat(b.getPcieReplays()).isEqualTo(12L);
    assertThat(b.getLastXid()).isNull();
    assertThat(b.getEccSbeVolatile()).isNull();
  }

  @Test
  void shouldUseTheFallbackNodeOnlyWithoutAHostnameLabel() {
    String text = "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-x\",device=\"nvidia0\"} 40\n";
    assertThat(new DcgmParser("node-a").parse(text, T, null).samples().get(0).getNode())
        .isEqualTo("node-a");
    String labelled = "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-x\",Hostname=\"node-b\"} 40\n";
    assertThat(new DcgmParser("node-a").parse(labelled, T, null).samples().get(0).getNode())
        .isEqualTo("node-b");
  }

  @Test
  void shouldKeepItsOwnNodeInExporterModeAndSayWhenTheLabelDisagrees() {
    String labelled =
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-x\",Hostname=\"dcgm-exporter-7xk2p\"} 40\n";
    DcgmScrape s = DcgmParser.forNode("node-a").parse(labelled, T, null);
    assertThat(s.samples().get(0).getNode()).isEqualTo("node-a");
    assertThat(s.problems()).singleElement().asString().contains("dcgm-exporter-7xk2p");
  }

  @Test
  void shouldTakeTheIndexFromTheDeviceLabelWhenGpuIsMissing() {
    String text = "DCGM_FI_DEV_GPU_TEMP{UUID=\"GPU-x\",device=\"nvidia5\"} 40\n";
    assertThat(new DcgmParser("n").parse(text, T, null).samples().get(0).getGpuIndex())
        .isEqualTo(5);
    String none = "DCGM_FI_DEV_GPU_TEMP{UUID=\"GPU-y\"} 40\n";
    DcgmScrape s = new DcgmParser("n").parse(none, T, null);
    assertThat(s.samples().get(0).getGpuIndex()).isEqualTo(-1);
    assertThat(s.problems()).singleElement().asString().contains("no gpu label");
  }

  @Test
  void shouldParseNothingFromEmptyOrForeignText() {
    DcgmParser p = new DcgmParser("n");
    assertThat(p.parse("", T, null).samples()).isEmpty();
    assertThat(p.parse("", T, null).lines()).isZero();
    assertThat(p.parse(null, T, null).samples()).isEmpty();
    DcgmScrape html = p.parse("<html>\n<body>502 Bad Gateway</body>\n</html>\n", T, null);
    assertThat(html.samples()).isEmpty();
    assertThat(html.malformedLines()).isEqualTo(3);
  }

  @Test
  void shouldParseValueForms() {
    String u = "{UUID=\"GPU-v\",gpu=\"0\"} ";
    String text =
        "DCGM_FI_DEV_GPU_TEMP"
            + u
            + "4.25e1\n"
            + "DCGM_FI_DEV_FB_USED"
            + u
            + "20015.000000\n"
            + "DCGM_FI_DEV_SM_CLOCK"
            + u
            + "+1410\n"
            + "DCGM_FI_DEV_POWER_USAGE"
            + u
            + ".5\n"
            + "DCGM_FI_DEV_ROW_REMAP_FAILURE"
            + u
            + "1.000000\n"
            + "DCGM_FI_DEV_THERMAL_VIOLATION"
            + u
            + "9223372036854775791\n";
    DcgmScrape s = new DcgmParser("n").parse(text, T, null);
    assertThat(s.malformedLines()).isZero();
    GpuSample g = s.samples().get(0);
    assertThat(g.getTemperatureC()).isEqualTo(42.5);
    assertThat(g.getFbUsedMiB()).isEqualTo(20015L);
    assertThat(g.getSmClockMHz()).isEqualTo(1410L);
    assertThat(g.getPowerW()).isEqualTo(0.5);
    assertThat(g.getRowRemapFailure()).isTrue();
    assertThat(g.getThermalViolationNs()).isEqualTo(9223372036854775791L);
  }

  @Test
  void shouldParseAHundredGpuScrapeCompletely() {
    String text = DcgmParserBench.scrape(100);
    DcgmScrape s = new DcgmParser("n").parse(text, T, null);
    assertThat(s.samples()).hasSize(100);
    assertThat(s.malformedLines()).isZero();
    assertThat(s.samples()).allSatisfy(g -> assertThat(g.getTemperatureC()).isNotNull());
  }
}
