package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static io.gpuward.engine.domain.DomainFixtures.NODE;
import static io.gpuward.engine.domain.DomainFixtures.ampere;
import static io.gpuward.engine.domain.DomainFixtures.hopper;
import static io.gpuward.engine.domain.DomainFixtures.preAmpere;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.engine.EngineFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

class SampleRulesTest {
  private static final String GPU = "GPU-5d1c2a3e-0000-4000-8000-000000000001";

  /** Samples per thermal window: a fraction of rules.yaml is a whole number of them. */
  private static final int N = 100;

  private final RuleCatalog catalog = RuleCatalog.load();
  private final ThermalParams thermal = catalog.thermal();
  private final MemoryParams memory = catalog.memory();
  private final NvlinkParams nvlink = catalog.nvlink();
  private final SampleRules rules = new SampleRules(catalog);
  private final Instant end = T0.plus(catalog.sampleWindow().size());

  private List<Signal> evaluate(GpuWindow w) {
    return rules.evaluate(NODE, T0, end, w, new ThrottleHistory());
  }

  private static int samples(double fraction) {
    return (int) Math.round(fraction * N);
  }

  private GpuSample sample(Double tempC, Instant at) {
    return GpuSample.newBuilder(EngineFixtures.sample(NODE, 1, GPU, 0, at))
        .setTemperatureC(tempC)
        .build();
  }

  /** One GPU's window of {@code n} samples spread over it, the first {@code hot} at the limit. */
  private GpuWindow thermalWindow(int n, int hot) {
    GpuWindow w = new GpuWindow();
    long step = catalog.sampleWindow().size().toMillis() / n;
    for (int i = 0; i < n; i++) {
      double t = i < hot ? thermal.gpuTempLimitC() : thermal.gpuTempLimitC() - 20;
      GpuSample s = sample(t, T0.plusMillis(i * step));
      w.add(s, rules.isHot(s), rules.isSlowedDown(s));
    }
    return w;
  }

  /** A window of three samples ten seconds apart, the i-th made by {@code sample}. */
  private GpuWindow window(LongFunction<GpuSample.Builder> sample) {
    GpuWindow w = new GpuWindow();
    for (int i = 0; i < 3; i++) {
      GpuSample s = sample.apply(i).build();
      w.add(s, rules.isHot(s), rules.isSlowedDown(s));
    }
    return w;
  }

  private static Instant at(long i) {
    return T0.plusSeconds(10 * i);
  }

  private static List<Signal.Detected> detected(List<Signal> out, FaultClass c) {
    return out.stream()
        .filter(Signal.Detected.class::isInstance)
        .map(Signal.Detected.class::cast)
        .filter(d -> d.faultClass() == c)
        .toList();
  }

  private static List<Signal.Recovered> recovered(List<Signal> out, FaultClass c) {
    return out.stream()
        .filter(Signal.Recovered.class::isInstance)
        .map(Signal.Recovered.class::cast)
        .filter(r -> r.classes().contains(c))
        .toList();
  }

  private void assertWindowEvidence(Evidence e, String signal) {
    assertThat(e.getSignal()).isEqualTo(signal);
    assertThat(e.getSource()).isEqualTo("window:gpu");
    assertThat(e.getWindowStart()).isEqualTo(T0);
    assertThat(e.getWindowEnd()).isEqualTo(end);
    assertThat(e.getEventTime()).isEqualTo(end);
    assertThat(e.getGpuUuid()).isEqualTo(GPU);
  }

  // ------------------------------------------------------------------------------ GPU_THERMAL

  @Test
  void shouldCountASampleAtTheGpuTemperatureLimitAsHot() {
    double limit = thermal.gpuTempLimitC();
    assertThat(rules.isHot(sample(limit, T0))).isTrue();
    assertThat(rules.isHot(sample(Math.nextDown(limit), T0))).isFalse();
  }

  @Test
  void shouldCountAHopperSampleHotOnItsMemoryTemperatureAlone() {
    double cool = thermal.gpuTempLimitC() - 20;
    double limit = thermal.memoryTempLimitC();
    GpuSample.Builder hbm = hopper(GPU, 0, T0).setTemperatureC(cool);
    assertThat(rules.isHot(hbm.setMemoryTemperatureC(limit).build())).isTrue();
    assertThat(rules.isHot(hbm.setMemoryTemperatureC(Math.nextDown(limit)).build())).isFalse();
  }

  @Test
  void shouldNotCountASampleWithoutTemperaturesAsHot() {
    assertThat(rules.isHot(ampere(GPU, 0, T0).setTemperatureC(null).build())).isFalse();
  }

  @Test
  void shouldRaiseThermalAtTheOpenFraction() {
    int hot = samples(thermal.openFraction());
    assertThat((double) hot / N).as("exactly at the threshold").isEqualTo(thermal.openFraction());

    List<Signal> out = evaluate(thermalWindow(N, hot));

    assertThat(detected(out, FaultClass.GPU_THERMAL))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.node()).isEqualTo(NODE);
              assertThat(d.action()).isEqualTo(RemediationAction.CORDON);
              assertThat(d.severity()).isEqualTo(Severity.MAJOR);
              assertThat(d.ruleId()).isEqualTo(SampleRules.THERMAL);
              assertThat(d.eventTime()).isEqualTo(end);
              assertThat(d.gpus()).singleElement().satisfies(g -> assertThat(g.getIndex()).isOne());
              assertThat(d.gpus().get(0).getUuid()).isEqualTo(GPU);
              assertThat(d.gpus().get(0).getPciBusId()).isEqualTo("00000000:54:00.0");
              assertWindowEvidence(d.evidence(), "gpu_hot_fraction");
              assertThat(d.evidence().getValue()).isEqualTo(thermal.openFraction());
              assertThat(d.evidence().getDetail()).startsWith(hot + " of " + N + " samples");
              assertThat(d.summary())
                  .contains(catalog.sampleWindow().size().toSeconds() + "s window")
                  .contains(String.format(Locale.ROOT, "max %.1f C", thermal.gpuTempLimitC()));
            });
    assertThat(recovered(out, FaultClass.GPU_THERMAL)).isEmpty();
  }

  @Test
  void shouldNeitherRaiseNorClearThermalJustBelowTheOpenFraction() {
    List<Signal> out = evaluate(thermalWindow(N, samples(thermal.openFraction()) - 1));
    assertThat(detected(out, FaultClass.GPU_THERMAL)).isEmpty();
    assertThat(recovered(out, FaultClass.GPU_THERMAL)).as("hysteresis").isEmpty();
  }

  @Test
  void shouldClearThermalAtTheClearFractionAndNotJustAboveIt() {
    List<Signal> atClear = evaluate(thermalWindow(N, samples(thermal.clearFraction())));
    assertThat(detected(atClear, FaultClass.GPU_THERMAL)).isEmpty();
    assertThat(recovered(atClear, FaultClass.GPU_THERMAL))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.gpuUuids()).containsExactly(GPU);
              assertThat(r.classes()).containsExactly(FaultClass.GPU_THERMAL);
              assertThat(r.eventTime()).isEqualTo(end);
              assertThat(r.ruleId()).as("whatever opened it").isNull();
              assertThat(r.evidence().getSignal()).isEqualTo("window_clean");
            });

    List<Signal> above = evaluate(thermalWindow(N, samples(thermal.clearFraction()) + 1));
    assertThat(recovered(above, FaultClass.GPU_THERMAL)).isEmpty();
    assertThat(detected(above, FaultClass.GPU_THERMAL)).isEmpty();
  }

  @Test
  void shouldJudgeNoWindowWithFewerSamplesThanTheMinimum() {
    int min = thermal.minSamples();
    List<Signal> few = evaluate(thermalWindow(min - 1, min - 1));
    assertThat(detected(few, FaultClass.GPU_THERMAL)).isEmpty();
    assertThat(recovered(few, FaultClass.GPU_THERMAL)).isEmpty();
    assertThat(detected(evaluate(thermalWindow(min, min)), FaultClass.GPU_THERMAL)).hasSize(1);
  }

  @Test
  void shouldJudgeEachGpuOfTheNodeOnItsOwn() {
    String cool = "GPU-5d1c2a3e-0000-4000-8000-000000000002";
    GpuWindow w = thermalWindow(N, N);
    for (int i = 0; i < N; i++) {
      w.add(EngineFixtures.sample(NODE, 2, cool, 40, T0.plusMillis(i * 300L)), false, false);
    }
    List<Signal> out = evaluate(w);
    assertThat(detected(out, FaultClass.GPU_THERMAL))
        .singleElement()
        .satisfies(d -> assertThat(d.evidence().getGpuUuid()).isEqualTo(GPU));
    assertThat(recovered(out, FaultClass.GPU_THERMAL))
        .singleElement()
        .satisfies(r -> assertThat(r.gpuUuids()).containsExactly(cool));
  }

  // ---------------------------------------------------------------------- GPU_MEMORY_DEGRADED

  @Test
  void shouldReplaceAGpuWhoseRowRemappingFailedWhateverElseItShows() {
    List<Signal> out =
        evaluate(
            window(i -> hopper(GPU, 0, at(i)).setRowRemapFailure(i == 1).setEccDbeVolatile(2L)));
    assertThat(detected(out, FaultClass.GPU_MEMORY_DEGRADED))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(RemediationAction.REPLACE);
              assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(d.ruleId()).isEqualTo(SampleRules.MEMORY);
              assertWindowEvidence(d.evidence(), "gpu_memory_errors");
              assertThat(d.evidence().getValue()).isEqualTo(1.0);
              assertThat(d.summary()).contains("row remapping failed");
            });
  }

  @Test
  void shouldResetAGpuOnAnyVolatileDoubleBitErrorUntilTheResetClearsTheCount() {
    List<Signal> first = evaluate(window(i -> ampere(GPU, 0, at(i)).setEccDbeVolatile(i / 2)));
    List<Signal> later = evaluate(window(i -> ampere(GPU, 0, at(i)).setEccDbeVolatile(1L)));
    for (List<Signal> out : List.of(first, later)) {
      assertThat(detected(out, FaultClass.GPU_MEMORY_DEGRADED))
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.action()).isEqualTo(RemediationAction.RESET_GPU);
                assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
                assertThat(d.evidence().getValue()).isEqualTo(1.0);
                assertThat(d.summary()).contains("1 volatile double-bit ECC error(s)");
              });
    }
    List<Signal> reset = evaluate(window(i -> ampere(GPU, 0, at(i)).setEccDbeVolatile(0L)));
    assertThat(detected(reset, FaultClass.GPU_MEMORY_DEGRADED)).isEmpty();
    assertThat(recovered(reset, FaultClass.GPU_MEMORY_DEGRADED))
        .singleElement()
        .satisfies(r -> assertThat(r.gpuUuids()).containsExactly(GPU));
  }

  @Test
  void shouldResetAnAmpereGpuWithARowRemapPending() {
    List<Signal> out = evaluate(window(i -> ampere(GPU, 0, at(i)).setRowRemapPending(i == 2)));
    assertThat(detected(out, FaultClass.GPU_MEMORY_DEGRADED))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(RemediationAction.RESET_GPU);
              assertThat(d.severity()).isEqualTo(Severity.MAJOR);
              assertThat(d.evidence().getValue()).as("the pending remap").isEqualTo(1.0);
              assertThat(d.summary()).contains("row remap pending");
            });
  }

  @Test
  void shouldResetAPreAmpereGpuWithPagesPendingRetirement() {
    List<Signal> out =
        evaluate(window(i -> preAmpere(GPU, 0, at(i)).setRetiredPagesPending(i == 0 ? 0L : 2L)));
    assertThat(detected(out, FaultClass.GPU_MEMORY_DEGRADED))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(RemediationAction.RESET_GPU);
              assertThat(d.severity()).isEqualTo(Severity.MAJOR);
              assertThat(d.evidence().getValue()).isEqualTo(2.0);
              assertThat(d.summary()).contains("2 page(s) pending retirement");
            });
  }

  /** A Hopper window whose volatile SBE count grows by {@code errors} (from 1000 before it). */
  private List<Signal> sbeWindow(long errors) {
    return evaluate(
        window(i -> hopper(GPU, 0, at(i)).setEccSbeVolatile(1000 + (i == 0 ? 0 : errors))));
  }

  @Test
  void shouldResetAGpuAtTheSbeStormLevelAndNotJustBelowIt() {
    long storm = memory.sbeStormPerWindow();
    assertThat(detected(sbeWindow(storm), FaultClass.GPU_MEMORY_DEGRADED))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(RemediationAction.RESET_GPU);
              assertThat(d.severity()).isEqualTo(Severity.MAJOR);
              assertThat(d.evidence().getValue()).isEqualTo((double) storm);
              assertThat(d.summary()).contains("single-bit ECC storm: " + storm + " errors");
            });
    List<Signal> below = sbeWindow(storm - 1);
    assertThat(detected(below, FaultClass.GPU_MEMORY_DEGRADED)).isEmpty();
    assertThat(recovered(below, FaultClass.GPU_MEMORY_DEGRADED)).as("hysteresis").isEmpty();
  }

  @Test
  void shouldClearMemoryAtTheSbeClearLevelAndNotJustAboveIt() {
    long clear = memory.sbeClearPerWindow();
    assertThat(recovered(sbeWindow(clear), FaultClass.GPU_MEMORY_DEGRADED))
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("no uncorrectable or pending"));
    assertThat(recovered(sbeWindow(clear + 1), FaultClass.GPU_MEMORY_DEGRADED)).isEmpty();
    assertThat(detected(sbeWindow(clear + 1), FaultClass.GPU_MEMORY_DEGRADED)).isEmpty();
  }

  @Test
  void shouldNotTakeTheSbeCountOfANewBootForAStorm() {
    List<Signal> out =
        evaluate(
            window(
                i ->
                    hopper(GPU, 0, at(i))
                        .setBootId(i == 0 ? "boot-1" : "boot-2")
                        .setEccSbeVolatile(i == 0 ? 5000L : 2L)));
    assertThat(detected(out, FaultClass.GPU_MEMORY_DEGRADED)).isEmpty();
    assertThat(recovered(out, FaultClass.GPU_MEMORY_DEGRADED)).hasSize(1);
  }

  @Test
  void shouldNotCallAGpuWithoutMemoryErrorFieldsCleanOfMemoryErrors() {
    List<Signal> out =
        evaluate(
            window(
                i ->
                    ampere(GPU, 0, at(i))
                        .setEccSbeVolatile(null)
                        .setEccDbeVolatile(null)
                        .setRowRemapFailure(null)
                        .setRowRemapPending(null)));
    assertThat(recovered(out, FaultClass.GPU_MEMORY_DEGRADED)).isEmpty();
    assertThat(detected(out, FaultClass.GPU_MEMORY_DEGRADED)).isEmpty();
  }

  @Test
  void shouldCallAGpuThatReportsOnlyPageRetirementCleanOfMemoryErrors() {
    List<Signal> out =
        evaluate(
            window(
                i ->
                    preAmpere(GPU, 0, at(i))
                        .setEccSbeVolatile(null)
                        .setEccDbeVolatile(null)
                        .setRetiredPagesPending(0L)));
    assertThat(recovered(out, FaultClass.GPU_MEMORY_DEGRADED)).hasSize(1);
  }

  @Test
  void shouldNotCallAGpuThatReportsOnlySingleBitErrorsCleanOfMemoryErrors() {
    List<Signal> out =
        evaluate(
            window(
                i ->
                    ampere(GPU, 0, at(i))
                        .setEccDbeVolatile(null)
                        .setRowRemapFailure(null)
                        .setRowRemapPending(null)));
    assertThat(recovered(out, FaultClass.GPU_MEMORY_DEGRADED))
        .as("single-bit counts say nothing of uncorrectable errors")
        .isEmpty();
  }

  // -------------------------------------------------------------------------- NVLINK_DEGRADED

  @Test
  void shouldDegradeNvlinkAtTheCrcLimitAndNotJustBelowIt() {
    long limit = nvlink.crcErrorsPerWindow();
    List<Signal> atLimit =
        evaluate(window(i -> hopper(GPU, 0, at(i)).setNvlinkCrcFlitErrors(i == 2 ? limit : 0)));
    assertThat(detected(atLimit, FaultClass.NVLINK_DEGRADED))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(RemediationAction.CORDON);
              assertThat(d.severity()).as("CRC errors alone").isEqualTo(Severity.MAJOR);
              assertThat(d.ruleId()).isEqualTo(SampleRules.NVLINK);
              assertWindowEvidence(d.evidence(), "nvlink_errors");
              assertThat(d.evidence().getValue()).isEqualTo((double) limit);
              assertThat(d.summary()).contains(limit + " CRC and 0 replay/recovery");
            });
    List<Signal> below =
        evaluate(window(i -> hopper(GPU, 0, at(i)).setNvlinkCrcDataErrors(i == 2 ? limit - 1 : 0)));
    assertThat(detected(below, FaultClass.NVLINK_DEGRADED)).isEmpty();
    assertThat(recovered(below, FaultClass.NVLINK_DEGRADED)).as("not clean either").isEmpty();
  }

  @Test
  void shouldDegradeNvlinkCriticallyAtTheReplayOrRecoveryLimit() {
    long limit = nvlink.replayOrRecoveryPerWindow();
    for (var link :
        List.<LongFunction<GpuSample.Builder>>of(
            i -> hopper(GPU, 0, at(i)).setNvlinkReplayErrors(i == 2 ? limit : 0),
            i -> hopper(GPU, 0, at(i)).setNvlinkRecoveryErrors(i == 2 ? limit : 0))) {
      assertThat(detected(evaluate(window(link)), FaultClass.NVLINK_DEGRADED))
          .singleElement()
          .satisfies(d -> assertThat(d.severity()).isEqualTo(Severity.CRITICAL));
    }
    List<Signal> below =
        evaluate(window(i -> hopper(GPU, 0, at(i)).setNvlinkReplayErrors(i == 2 ? limit - 1 : 0)));
    assertThat(detected(below, FaultClass.NVLINK_DEGRADED)).isEmpty();
  }

  @Test
  void shouldClearNvlinkForAWindowThatAddsNoErrorsAcrossACounterReset() {
    List<Signal> out =
        evaluate(
            window(
                i ->
                    hopper(GPU, 0, at(i))
                        .setBootId(i == 0 ? "boot-1" : "boot-2")
                        .setNvlinkCrcFlitErrors(i == 0 ? 4000L : 0L)
                        .setNvlinkReplayErrors(i == 0 ? 12L : 0L)));
    assertThat(detected(out, FaultClass.NVLINK_DEGRADED)).isEmpty();
    assertThat(recovered(out, FaultClass.NVLINK_DEGRADED))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.gpuUuids()).containsExactly(GPU);
              assertThat(r.reason()).contains("no new NVLink errors");
            });
  }

  @Test
  void shouldNotCallAGpuWithoutNvlinkCountersCleanOfNvlinkErrors() {
    List<Signal> out = evaluate(window(i -> ampere(GPU, 0, at(i))));
    assertThat(detected(out, FaultClass.NVLINK_DEGRADED)).isEmpty();
    assertThat(recovered(out, FaultClass.NVLINK_DEGRADED))
        .as("no NVLink counters say nothing about NVLink errors (an XID 74 verdict stays open)")
        .isEmpty();
  }

  /** The window after {@code first}, entered with the readings carried out of it. */
  private GpuWindow after(GpuWindow first, LongFunction<GpuSample.Builder> sample) {
    CounterCarry carry = new CounterCarry();
    carry.remember(first);
    long maxAge = catalog.sampleWindow().counterCarry().toMillis();
    GpuWindow w = new GpuWindow();
    for (int i = 0; i < 3; i++) {
      GpuSample s = sample.apply(i).build();
      long at = s.getEventTime().toEpochMilli();
      w.carryIn(s.getUuid(), carry.before(s.getUuid(), end.toEpochMilli(), at, maxAge));
      w.add(s, rules.isHot(s), rules.isSlowedDown(s));
    }
    return w;
  }

  @Test
  void shouldSeeAnNvlinkReplayErrorBetweenTwoWindowsSamples() {
    GpuWindow first = window(i -> hopper(GPU, 0, at(i)).setNvlinkReplayErrors(0L));
    GpuWindow second = after(first, i -> hopper(GPU, 0, at(i + 3)).setNvlinkReplayErrors(1L));
    List<Signal> out = new ArrayList<>(evaluate(first));
    out.addAll(
        rules.evaluate(
            NODE, end, end.plus(catalog.sampleWindow().size()), second, new ThrottleHistory()));
    assertThat(detected(out, FaultClass.NVLINK_DEGRADED)).hasSize(1);
    assertThat(recovered(out, FaultClass.NVLINK_DEGRADED))
        .as("only the first window is clean")
        .singleElement()
        .satisfies(r -> assertThat(r.eventTime()).isEqualTo(end));
  }

  @Test
  void shouldNotCarryAReadingOlderThanTheCarryAllows() {
    GpuWindow first = window(i -> hopper(GPU, 0, at(i)).setNvlinkReplayErrors(0L));
    long late = catalog.sampleWindow().counterCarry().toSeconds() / 10 + 3;
    GpuWindow gap = after(first, i -> hopper(GPU, 0, at(i + late)).setNvlinkReplayErrors(1L));
    assertThat(gap.gpus.get(GPU).delta(GpuWindow.NVLINK_REPLAY))
        .as("an increment over a longer telemetry gap is not one window's")
        .isZero();
  }

  @Test
  void shouldNeitherReportNorRaiseTheMaximumOfACarriedReading() {
    GpuWindow first = window(i -> hopper(GPU, 0, at(i)).setEccDbeVolatile(1L));
    GpuWindow reset = after(first, i -> hopper(GPU, 0, at(i + 3)).setEccDbeVolatile(0L));
    assertThat(detected(evaluate(reset), FaultClass.GPU_MEMORY_DEGRADED))
        .as("a GPU reset cleared the double-bit count")
        .isEmpty();
    assertThat(recovered(evaluate(reset), FaultClass.GPU_MEMORY_DEGRADED)).hasSize(1);

    GpuWindow silent = after(first, i -> hopper(GPU, 0, at(i + 3)).setEccDbeVolatile(null));
    assertThat(silent.gpus.get(GPU).reported(GpuWindow.DBE)).isFalse();
    assertThat(silent.gpus.get(GPU).max(GpuWindow.DBE)).isZero();
  }

  // ------------------------------------------------------------ GPU_THERMAL: HW slowdown

  /** HW_THERMAL with HW_SLOWDOWN, as a GPU asserts them together. */
  private static final long HW_THERMAL = 0x48;

  private static final int SAMPLES = 10;
  private static final double BELOW_LIMIT_C = 82;
  private final HwSlowdownParams slow = catalog.hwSlowdown();
  private final ThrottleHistory history = new ThrottleHistory();

  /** The thermal violation counter's reading so far (ns); a busy GPU's is far from zero. */
  private long violationNs = 400_000_000_000L;

  /**
   * The {@code i}-th of a node's consecutive windows, judged with its history: {@value #SAMPLES}
   * samples at 82 C, the first {@code slowed} with clock event reasons {@code reasons} (null: the
   * field is absent), the violation counter adding {@code violationMs} (null: absent).
   */
  private List<Signal> slowdownWindow(int i, Long reasons, int slowed, Long violationMs) {
    Duration size = catalog.sampleWindow().size();
    Instant start = T0.plus(size.multipliedBy(i));
    GpuWindow w = new GpuWindow();
    for (int k = 0; k < SAMPLES; k++) {
      GpuSample.Builder b =
          GpuSample.newBuilder(sample(BELOW_LIMIT_C, start.plusSeconds(3L * k)))
              .setClockEventReasons(reasons == null ? null : k < slowed ? reasons : 0L);
      if (violationMs != null) {
        b.setThermalViolationNs(violationNs + violationMs * 1_000_000L * k / (SAMPLES - 1));
      }
      GpuSample s = b.build();
      w.add(s, rules.isHot(s), rules.isSlowedDown(s));
    }
    if (violationMs != null) {
      violationNs += violationMs * 1_000_000L;
    }
    return rules.evaluate(NODE, start, start.plus(size), w, history);
  }

  private List<Signal> throttled(int i) {
    return slowdownWindow(i, HW_THERMAL, SAMPLES, 25_000L);
  }

  private List<Signal> clean(int i) {
    return slowdownWindow(i, HW_THERMAL, 0, 0L);
  }

  @Test
  void shouldRaiseThermalOnHwSlowdownBelowTheTemperatureLimitAfterTheOpenWindows() {
    for (int i = 0; i < slow.openWindows() - 1; i++) {
      List<Signal> early = throttled(i);
      assertThat(detected(early, FaultClass.GPU_THERMAL)).as("window %d", i).isEmpty();
      assertThat(recovered(early, FaultClass.GPU_THERMAL)).as("throttled is not cool").isEmpty();
    }
    List<Signal> out = throttled(slow.openWindows() - 1);

    assertThat(detected(out, FaultClass.GPU_THERMAL))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.ruleId()).isEqualTo(SampleRules.HW_SLOWDOWN);
              assertThat(d.action()).isEqualTo(RemediationAction.CORDON);
              assertThat(d.severity()).isEqualTo(Severity.MAJOR);
              assertThat(d.gpus().get(0).getUuid()).isEqualTo(GPU);
              assertThat(d.evidence().getSignal()).isEqualTo("gpu_hw_thermal_slowdown");
              assertThat(d.evidence().getGpuUuid()).isEqualTo(GPU);
              assertThat(d.evidence().getValue()).isEqualTo(25_000);
              assertThat(d.evidence().getDetail())
                  .contains("HW thermal slowdown")
                  .contains("clock event reasons 0x48 in 10 of 10 samples")
                  .contains("thermal violation 25000 ms")
                  .contains(slow.openWindows() + " throttled window(s) in a row")
                  .contains("max 82.0 C");
              assertThat(d.summary()).startsWith("GPU 1 HW thermal slowdown").contains("82.0 C");
            });
    assertThat(rules.isHot(sample(BELOW_LIMIT_C, T0))).as("never over the limit").isFalse();
    assertThat(detected(throttled(slow.openWindows()), FaultClass.GPU_THERMAL))
        .as("evidence every window while it lasts")
        .hasSize(1);
  }

  @Test
  void shouldNotRaiseBelowTheSampleAndViolationLimits() {
    for (int i = 0; i < 3 * slow.openWindows(); i++) {
      List<Signal> out =
          slowdownWindow(i, HW_THERMAL, slow.minSamples() - 1, slow.violationMsPerWindow() - 1);
      assertThat(detected(out, FaultClass.GPU_THERMAL)).as("window %d", i).isEmpty();
    }
  }

  @Test
  void shouldRaiseOnTheViolationCounterAlone() {
    for (int i = 0; i < slow.openWindows(); i++) {
      List<Signal> out = slowdownWindow(i, null, 0, slow.violationMsPerWindow());
      assertThat(detected(out, FaultClass.GPU_THERMAL))
          .hasSize(i == slow.openWindows() - 1 ? 1 : 0);
    }
  }

  @Test
  void shouldRaiseOnTheReasonsAloneAtTheMinimumSamples() {
    for (int i = 0; i < slow.openWindows(); i++) {
      List<Signal> out = slowdownWindow(i, HW_THERMAL, slow.minSamples(), null);
      assertThat(detected(out, FaultClass.GPU_THERMAL))
          .hasSize(i == slow.openWindows() - 1 ? 1 : 0);
    }
  }

  @Test
  void shouldOnlyCountTheConfiguredReasons() {
    long swThermalOnly = 0x20;
    for (int i = 0; i < 3 * slow.openWindows(); i++) {
      assertThat(detected(slowdownWindow(i, swThermalOnly, SAMPLES, 0L), FaultClass.GPU_THERMAL))
          .isEmpty();
    }
  }

  @Test
  void shouldHoldThermalOpenWhileTheSlowdownFlapsAndRecoverAfterTheClearWindows() {
    int i = 0;
    while (i < slow.openWindows()) {
      throttled(i++);
    }
    for (int k = 0; k < 3; k++) {
      assertThat(recovered(clean(i++), FaultClass.GPU_THERMAL)).as("flap %d", k).isEmpty();
      assertThat(detected(throttled(i++), FaultClass.GPU_THERMAL)).hasSize(1);
    }
    for (int k = 1; k < slow.clearWindows(); k++) {
      assertThat(recovered(clean(i++), FaultClass.GPU_THERMAL)).as("clean %d", k).isEmpty();
    }
    assertThat(recovered(clean(i), FaultClass.GPU_THERMAL))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.gpuUuids()).containsExactly(GPU);
              assertThat(r.reason()).contains("no HW thermal slowdown");
            });
  }

  @Test
  void shouldNotRaiseOnASlowdownThatNeverLastsTheOpenWindowsInARow() {
    for (int i = 0; i < 8; i++) {
      List<Signal> out = i % slow.openWindows() == 0 ? throttled(i) : clean(i);
      assertThat(detected(out, FaultClass.GPU_THERMAL)).as("window %d", i).isEmpty();
    }
  }

  @Test
  void shouldTreatAWindowWithoutTheFieldsAsUnknownNotClean() {
    int i = 0;
    while (i < slow.openWindows()) {
      throttled(i++);
    }
    for (int k = 0; k < slow.clearWindows() + 2; k++) {
      List<Signal> absent = slowdownWindow(i++, null, 0, null);
      assertThat(recovered(absent, FaultClass.GPU_THERMAL)).as("absent %d", k).isEmpty();
      assertThat(detected(absent, FaultClass.GPU_THERMAL)).isEmpty();
    }
    for (int k = 1; k < slow.clearWindows(); k++) {
      assertThat(recovered(clean(i++), FaultClass.GPU_THERMAL)).isEmpty();
    }
    assertThat(recovered(slowdownWindow(i++, null, 0, null), FaultClass.GPU_THERMAL))
        .as("an unknown window breaks the clean streak")
        .isEmpty();
    for (int k = 1; k < slow.clearWindows(); k++) {
      assertThat(recovered(clean(i++), FaultClass.GPU_THERMAL)).isEmpty();
    }
    assertThat(recovered(clean(i), FaultClass.GPU_THERMAL)).hasSize(1);
  }

  @Test
  void shouldNotRaiseWhenTheViolationCounterRestartsAfterAGpuReset() {
    Duration size = catalog.sampleWindow().size();
    for (int i = 0; i < 2 * slow.openWindows(); i++) {
      Instant start = T0.plus(size.multipliedBy(i));
      GpuWindow w = new GpuWindow();
      // Before the reset the counter held 900 s of violation; after it, it starts again at 0.
      long[] readings =
          i == 0 ? new long[] {900_000_000_000L, 0, 2_000_000} : new long[] {3_000_000};
      for (int k = 0; k < readings.length; k++) {
        GpuSample s =
            GpuSample.newBuilder(sample(BELOW_LIMIT_C, start.plusSeconds(k)))
                .setClockEventReasons(0L)
                .setThermalViolationNs(readings[k])
                .build();
        w.add(s, false, rules.isSlowedDown(s));
      }
      List<Signal> out = rules.evaluate(NODE, start, start.plus(size), w, history);
      assertThat(detected(out, FaultClass.GPU_THERMAL)).as("window %d", i).isEmpty();
    }
  }

  @Test
  void shouldBreakTheStreakOnAGapInTheNodesWindows() {
    throttled(0);
    assertThat(detected(throttled(2), FaultClass.GPU_THERMAL)).as("window 1 missing").isEmpty();
    assertThat(detected(throttled(3), FaultClass.GPU_THERMAL)).hasSize(1);
  }

  @Test
  void shouldNotClearATemperatureVerdictWhileTheGpuIsThrottled() {
    // Cool by temperature (82 C) but throttled: GPU_THERMAL, whoever opened it, stays.
    assertThat(recovered(throttled(0), FaultClass.GPU_THERMAL)).isEmpty();
    // Cool and clean with no slowdown verdict: recovered at once, as before the slowdown rule.
    assertThat(recovered(clean(1), FaultClass.GPU_THERMAL)).hasSize(1);
  }
}
