package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static io.gpuward.engine.domain.DomainFixtures.ampere;
import static io.gpuward.engine.domain.DomainFixtures.hopper;
import static io.gpuward.engine.domain.DomainFixtures.preAmpere;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import org.junit.jupiter.api.Test;

class GpuWindowTest {
  private static final String GPU = "GPU-5d1c2a3e-0000-4000-8000-000000000001";

  private final GpuWindow window = new GpuWindow();

  private GpuWindow.Gpu add(GpuSample... samples) {
    for (GpuSample s : samples) {
      window.add(s, false, false);
    }
    return window.gpus.get(GPU);
  }

  private static GpuSample sbe(int second, long count) {
    return hopper(GPU, 0, T0.plusSeconds(second)).setEccSbeVolatile(count).build();
  }

  @Test
  void shouldSumTheIncrementsBetweenConsecutiveSamples() {
    GpuWindow.Gpu g = add(sbe(0, 10), sbe(10, 15), sbe(20, 40));
    assertThat(g.delta(GpuWindow.SBE)).isEqualTo(30);
    assertThat(g.max(GpuWindow.SBE)).isEqualTo(40);
    assertThat(g.samples).isEqualTo(3);
  }

  @Test
  void shouldCountNoIncrementForTheFirstReadingOfAWindow() {
    GpuWindow.Gpu g = add(sbe(0, 500));
    assertThat(g.delta(GpuWindow.SBE)).as("a cumulative count, not new errors").isZero();
    assertThat(g.max(GpuWindow.SBE)).isEqualTo(500);
  }

  @Test
  void shouldTakeADecreaseAfterARebootAsAResetAndCountTheNewValue() {
    GpuSample rebooted =
        hopper(GPU, 0, T0.plusSeconds(20)).setBootId("boot-2").setEccSbeVolatile(3L).build();
    GpuWindow.Gpu g = add(sbe(0, 40), sbe(10, 50), rebooted);
    assertThat(g.delta(GpuWindow.SBE)).as("10 before the reboot, 3 after").isEqualTo(13);
    assertThat(g.max(GpuWindow.SBE)).isEqualTo(50);
  }

  @Test
  void shouldCountNoIncrementForAReadingOlderThanTheLatestButKeepItsMax() {
    GpuWindow.Gpu g = add(sbe(0, 10), sbe(20, 14), sbe(10, 30));
    assertThat(g.delta(GpuWindow.SBE)).isEqualTo(4);
    assertThat(g.max(GpuWindow.SBE)).isEqualTo(30);
    assertThat(g.lastSampleTs).isEqualTo(T0.plusSeconds(20).toEpochMilli());
  }

  @Test
  void shouldCountNvlinkCrcFlitAndDataErrorsAsOneCounter() {
    GpuWindow.Gpu g =
        add(
            hopper(GPU, 0, T0).setNvlinkCrcFlitErrors(5L).setNvlinkCrcDataErrors(1L).build(),
            hopper(GPU, 0, T0.plusSeconds(10))
                .setNvlinkCrcFlitErrors(8L)
                .setNvlinkCrcDataErrors(3L)
                .setNvlinkReplayErrors(2L)
                .build());
    assertThat(g.delta(GpuWindow.NVLINK_CRC)).isEqualTo(5);
    assertThat(g.delta(GpuWindow.NVLINK_REPLAY)).isEqualTo(2);
    assertThat(g.delta(GpuWindow.NVLINK_RECOVERY)).isZero();
  }

  @Test
  void shouldCountTheCrcErrorsOfAGpuThatReportsOnlyFlitErrors() {
    GpuWindow.Gpu g =
        add(
            hopper(GPU, 0, T0).setNvlinkCrcFlitErrors(5L).setNvlinkCrcDataErrors(null).build(),
            hopper(GPU, 0, T0.plusSeconds(10))
                .setNvlinkCrcFlitErrors(9L)
                .setNvlinkCrcDataErrors(null)
                .build());
    assertThat(g.delta(GpuWindow.NVLINK_CRC)).isEqualTo(4);
  }

  @Test
  void shouldLeaveCountersAGpuDoesNotReportAtZero() {
    GpuWindow.Gpu g =
        add(
            ampere(GPU, 0, T0).setEccSbeVolatile(null).build(),
            ampere(GPU, 0, T0.plusSeconds(10)).setEccSbeVolatile(null).build());
    for (int c = 0; c < GpuWindow.COUNTERS; c++) {
      assertThat(g.delta(c)).as("counter %d", c).isZero();
      assertThat(g.max(c)).as("counter %d", c).isZero();
    }
    assertThat(g.retiredPending).isZero();
  }

  @Test
  void shouldKeepTheWorstMemoryStateSeenInTheWindow() {
    GpuWindow.Gpu rowRemapping =
        add(
            hopper(GPU, 0, T0).setRowRemapPending(true).build(),
            hopper(GPU, 0, T0.plusSeconds(10)).setRowRemapFailure(true).build(),
            hopper(GPU, 0, T0.plusSeconds(20)).build());
    assertThat(rowRemapping.rowRemapPending).isTrue();
    assertThat(rowRemapping.rowRemapFailure).isTrue();

    GpuWindow legacy = new GpuWindow();
    legacy.add(preAmpere(GPU, 0, T0).setRetiredPagesPending(3L).build(), false, false);
    legacy.add(
        preAmpere(GPU, 0, T0.plusSeconds(10)).setRetiredPagesPending(1L).build(), false, false);
    legacy.add(
        preAmpere(GPU, 0, T0.plusSeconds(20)).setRetiredPagesPending(null).build(), false, false);
    assertThat(legacy.gpus.get(GPU).retiredPending).isEqualTo(3);
  }

  @Test
  void shouldCountHotSamplesAndKeepTheHottestGpuOrMemoryReading() {
    window.add(
        hopper(GPU, 0, T0).setTemperatureC(91.0).setMemoryTemperatureC(99.5).build(), true, false);
    window.add(hopper(GPU, 0, T0.plusSeconds(10)).build(), false, false);
    window.add(hopper(GPU, 0, T0.plusSeconds(20)).setTemperatureC(null).build(), false, false);
    GpuWindow.Gpu g = window.gpus.get(GPU);
    assertThat(g.samples).isEqualTo(3);
    assertThat(g.hot).isEqualTo(1);
    assertThat(g.maxTempC).isEqualTo(99.5);
  }

  @Test
  void shouldKeepEachGpuApartByUuidInUuidOrder() {
    String other = "GPU-5d1c2a3e-0000-4000-8000-000000000000";
    window.add(hopper(GPU, 3, T0).setEccSbeVolatile(7L).build(), false, false);
    window.add(hopper(other, 2, T0).setEccSbeVolatile(100L).build(), false, false);
    window.add(hopper(GPU, 3, T0.plusSeconds(10)).setEccSbeVolatile(9L).build(), false, false);
    assertThat(window.gpus.keySet()).containsExactly(other, GPU);
    assertThat(window.gpus.get(GPU).delta(GpuWindow.SBE)).isEqualTo(2);
    assertThat(window.gpus.get(GPU).index).isEqualTo(3);
    assertThat(window.gpus.get(GPU).pciBusId).isEqualTo("00000000:56:00.0");
    assertThat(window.gpus.get(other).delta(GpuWindow.SBE)).isZero();
  }

  @Test
  void shouldKeepAGpusPodsSortedAndDistinctAcrossSamples() {
    GpuWindow.Gpu g = new GpuWindow.Gpu();
    assertThat(g.podList()).isEmpty();
    g.addPods(null);
    g.addPods(" ");
    assertThat(g.podList()).isEmpty();
    g.addPods("ml/train-b");
    g.addPods("ml/train-b");
    g.addPods("ml/train-c, ml/train-a,,ml/train-b");
    g.addPod("ml/train-a");
    assertThat(g.podList()).containsExactly("ml/train-a", "ml/train-b", "ml/train-c");
  }

  @Test
  void shouldKeyTheNextWindowsGpuWithTheCarrysStringForIt() {
    add(sbe(0, 10), sbe(10, 15));
    CounterCarry carry = new CounterCarry();
    carry.remember(window);
    String held = carry.gpus.firstKey();

    String fromSample = new String(GPU.toCharArray()); // equal, another instance, as decoded
    String shared = carry.sameUuid(fromSample);
    GpuWindow next = new GpuWindow();
    long start = T0.plusSeconds(30).toEpochMilli();
    next.carryIn(shared, carry.before(shared, start, start, 120_000));
    next.add(
        hopper(fromSample, 0, T0.plusSeconds(30)).setEccSbeVolatile(17L).build(), false, false);

    assertThat(shared).isSameAs(held);
    assertThat(next.gpus.firstKey()).isSameAs(held);
    assertThat(carry.sameUuid("GPU-other")).isEqualTo("GPU-other");
  }
}
