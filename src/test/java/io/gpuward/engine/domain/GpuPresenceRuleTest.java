package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static io.gpuward.engine.domain.DomainFixtures.NODE;
import static io.gpuward.engine.domain.DomainFixtures.hopper;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GpuPresenceRuleTest {
  private final GpuPresenceRule rule = new GpuPresenceRule();
  private final RuleCatalog catalog = RuleCatalog.load();
  private final Instant end = T0.plus(catalog.sampleWindow().size());

  /** GPUs of a p5.48xlarge, from the shipped instance type table. */
  private final int p5Gpus = InstanceTypeCatalog.load().resolve("p5.48xlarge").nvidiaGpus();

  private static String uuid(int i) {
    return String.format("GPU-5d1c2a3e-0000-4000-8000-%012d", i);
  }

  private Set<String> gpus(int count) {
    Set<String> out = new TreeSet<>();
    IntStream.range(0, count).forEach(i -> out.add(uuid(i)));
    return out;
  }

  /** A window in which GPUs {@code indexes} report, each with samples at 0 s and 10 s. */
  private static GpuWindow window(int... indexes) {
    GpuWindow w = new GpuWindow();
    for (int i : indexes) {
      w.add(hopper(uuid(i), i, T0).build(), false, false);
      w.add(hopper(uuid(i), i, T0.plusSeconds(10 + i)).build(), false, false);
    }
    return w;
  }

  private static int[] range(int from, int to) {
    return IntStream.range(from, to).toArray();
  }

  private List<Signal> evaluate(GpuWindow w, Set<String> previous, int expected) {
    return rule.evaluate(NODE, T0, end, w, previous, expected);
  }

  @Test
  void shouldRebootForAGpuThatLeftTelemetryWhileTheOthersReport() {
    List<Signal> out = evaluate(window(range(0, p5Gpus - 1)), gpus(p5Gpus), 0);
    String gone = uuid(p5Gpus - 1);
    assertThat(out)
        .singleElement()
        .isInstanceOfSatisfying(
            Signal.Detected.class,
            d -> {
              assertThat(d.faultClass()).isEqualTo(FaultClass.GPU_LOST);
              assertThat(d.action()).isEqualTo(RemediationAction.REBOOT);
              assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(d.ruleId()).isEqualTo(GpuPresenceRule.MISSING);
              assertThat(d.eventTime()).isEqualTo(end);
              assertThat(d.gpus())
                  .singleElement()
                  .satisfies(g -> assertThat(g.getUuid()).isEqualTo(gone));
              assertThat(d.evidence().getSignal()).isEqualTo("gpu_missing_from_telemetry");
              assertThat(d.evidence().getGpuUuid()).isEqualTo(gone);
              assertThat(d.evidence().getValue()).isEqualTo((double) p5Gpus - 1);
              assertThat(d.evidence().getWindowStart()).isEqualTo(T0);
              assertThat(d.evidence().getWindowEnd()).isEqualTo(end);
              assertThat(d.summary()).contains(gone).contains("stopped reporting");
            });
  }

  @Test
  void shouldRebootWhenDcgmReportsFewerGpusThanTheInstanceTypeHasAndNotAtItsCount() {
    List<Signal> below = evaluate(window(range(0, p5Gpus - 1)), Set.of(), p5Gpus);
    assertThat(below)
        .singleElement()
        .isInstanceOfSatisfying(
            Signal.Detected.class,
            d -> {
              assertThat(d.faultClass()).isEqualTo(FaultClass.GPU_LOST);
              assertThat(d.ruleId()).isEqualTo(GpuPresenceRule.COUNT);
              assertThat(d.gpus()).as("which GPU is unknown").isEmpty();
              assertThat(d.evidence().getSignal()).isEqualTo("gpu_count");
              assertThat(d.evidence().getValue()).isEqualTo((double) p5Gpus - 1);
              assertThat(d.evidence().getDetail())
                  .isEqualTo("DCGM reports " + (p5Gpus - 1) + " of " + p5Gpus + " GPUs");
            });
    assertThat(evaluate(window(range(0, p5Gpus)), Set.of(), p5Gpus)).isEmpty();
  }

  @Test
  void shouldRaiseBothWhenAKnownGpuLeavesAndTheCountFallsShort() {
    List<Signal> out = evaluate(window(range(0, p5Gpus - 1)), gpus(p5Gpus), p5Gpus);
    assertThat(out)
        .extracting(s -> ((Signal.Detected) s).ruleId())
        .containsExactly(GpuPresenceRule.MISSING, GpuPresenceRule.COUNT);
  }

  @Test
  void shouldLeaveASilentNodeToTelemetryStale() {
    assertThat(evaluate(new GpuWindow(), gpus(p5Gpus), p5Gpus)).isEmpty();
  }

  @Test
  void shouldJudgeNothingByCountWhenTheInstanceTypeIsUnknown() {
    assertThat(evaluate(window(0), Set.of(), 0)).isEmpty();
  }

  @Test
  void shouldClearAReturningGpuAsOfItsOwnLatestSample() {
    List<Signal> out = evaluate(window(0, 1, 2), Set.of(uuid(0), uuid(1)), 0);
    assertThat(out)
        .singleElement()
        .isInstanceOfSatisfying(
            Signal.Recovered.class,
            r -> {
              assertThat(r.classes()).containsExactly(FaultClass.GPU_LOST);
              assertThat(r.gpuUuids()).containsExactly(uuid(2));
              assertThat(r.eventTime())
                  .as("its own sample, not the window's end")
                  .isEqualTo(T0.plusSeconds(12));
              assertThat(r.ruleId()).isNull();
              assertThat(r.evidence().getSignal()).isEqualTo("gpu_back_in_telemetry");
            });
  }

  @Test
  void shouldClearTheCountOnceEveryGpuReportsAsOfTheOldestLatestSample() {
    List<Signal> out = evaluate(window(range(0, p5Gpus)), gpus(p5Gpus - 1), p5Gpus);
    assertThat(out)
        .filteredOn(Signal.Recovered.class::isInstance)
        .map(Signal.Recovered.class::cast)
        .filteredOn(r -> r.gpuUuids().isEmpty())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reason()).isEqualTo("all " + p5Gpus + " GPUs report telemetry again");
              assertThat(r.eventTime()).isEqualTo(T0.plusSeconds(10));
            });
  }

  @Test
  void shouldClearNothingInTheFirstWindowItSeesOfANode() {
    assertThat(evaluate(window(range(0, p5Gpus)), Set.of(), p5Gpus)).isEmpty();
  }
}
