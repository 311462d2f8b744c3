package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The typed sections of rules.yaml refuse values the rules cannot work with, naming the key. */
class RuleParamsTest {
  private final RuleCatalog shipped = RuleCatalog.load();

  private ThermalParams thermal(double open, double clear, int minSamples) {
    ThermalParams t = shipped.thermal();
    return new ThermalParams(t.gpuTempLimitC(), t.memoryTempLimitC(), open, clear, minSamples);
  }

  @Test
  void shouldShipThermalParamsWithHysteresis() {
    ThermalParams t = shipped.thermal();
    assertThat(t.clearFraction()).isLessThan(t.openFraction());
    assertThat(thermal(t.openFraction(), t.clearFraction(), t.minSamples())).isEqualTo(t);
  }

  @Test
  void shouldRefuseThermalWithoutHysteresis() {
    double open = shipped.thermal().openFraction();
    assertThatThrownBy(() -> thermal(open, open, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("thermal.clearFraction");
    assertThat(thermal(open, Math.nextDown(open), 3).clearFraction()).isLessThan(open);
  }

  @Test
  void shouldRefuseAnOpenFractionOutsideZeroToOne() {
    assertThatThrownBy(() -> thermal(0, -0.1, 3)).hasMessageContaining("thermal.openFraction");
    assertThatThrownBy(() -> thermal(Math.nextUp(1.0), 0.1, 3))
        .hasMessageContaining("thermal.openFraction");
    assertThat(thermal(1.0, 0.1, 3).openFraction()).as("every sample hot").isEqualTo(1.0);
  }

  @Test
  void shouldRefuseAThermalWindowWithoutSamples() {
    assertThatThrownBy(() -> thermal(0.5, 0.1, 0)).hasMessageContaining("thermal.minSamples");
    assertThat(thermal(0.5, 0.1, 1).minSamples()).isOne();
  }

  @Test
  void shouldRefuseAnEmptySampleWindowOrANegativeGrace() {
    assertThatThrownBy(() -> new RuleParams.SampleWindow(Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("sampleWindow.size");
    assertThatThrownBy(
            () -> new RuleParams.SampleWindow(Duration.ofSeconds(30), Duration.ofMillis(-1)))
        .hasMessageContaining("grace");
    assertThat(new RuleParams.SampleWindow(Duration.ofMillis(1), Duration.ZERO).grace()).isZero();
  }

  @Test
  void shouldRefuseANegativeCounterCarryAndAllowNone() {
    Duration size = Duration.ofSeconds(30);
    assertThatThrownBy(
            () -> new RuleParams.SampleWindow(size, Duration.ZERO, Duration.ofMillis(-1)))
        .hasMessageContaining("sampleWindow.counterCarry");
    assertThat(new RuleParams.SampleWindow(size, Duration.ZERO, Duration.ZERO).counterCarry())
        .isZero();
  }

  @Test
  void shouldRefuseAMemoryStormWithoutHysteresis() {
    long storm = shipped.memory().sbeStormPerWindow();
    assertThatThrownBy(() -> new MemoryParams(storm, storm))
        .hasMessageContaining("memory.sbeStormPerWindow");
    assertThatThrownBy(() -> new MemoryParams(0, 0)).hasMessageContaining("memory.");
    assertThat(new MemoryParams(storm, storm - 1).sbeClearPerWindow()).isEqualTo(storm - 1);
  }

  @Test
  void shouldRefuseNvlinkLimitsThatWouldFireOnACleanWindow() {
    assertThatThrownBy(() -> new NvlinkParams(0, 1)).hasMessageContaining("nvlink");
    assertThatThrownBy(() -> new NvlinkParams(1, 0)).hasMessageContaining("nvlink");
    assertThat(new NvlinkParams(1, 1).replayOrRecoveryPerWindow()).isOne();
  }

  @Test
  void shouldRefuseCorrelationOnOneNodeOrAPercentOutsideZeroToHundred() {
    List<String> kinds = shipped.correlation().scopes();
    Duration w = shipped.correlation().window();
    assertThatThrownBy(() -> new RuleParams.Correlation(w, 1, 20, kinds))
        .hasMessageContaining("correlation.minNodes");
    assertThatThrownBy(() -> new RuleParams.Correlation(w, 2, -1, kinds))
        .hasMessageContaining("correlation.minPercent");
    assertThatThrownBy(() -> new RuleParams.Correlation(w, 2, 101, kinds))
        .hasMessageContaining("correlation.minPercent");
    assertThat(new RuleParams.Correlation(w, 2, 0, kinds).minNodes()).isEqualTo(2);
    assertThat(new RuleParams.Correlation(w, 2, 100, kinds).minPercent()).isEqualTo(100);
  }

  @Test
  void shouldRefuseAnApplicationRepeatOfOne() {
    assertThatThrownBy(
            () ->
                new RuleParams.AppRepeat(
                    1, Duration.ofMinutes(10), RemediationAction.ESCALATE, Severity.MAJOR))
        .hasMessageContaining("xid.appRepeat.count");
    assertThat(shipped.appRepeat().count()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void shouldKeepItsOwnCopyOfEveryList() {
    List<String> required = new ArrayList<>(List.of("device-plugin"));
    List<String> kinds = new ArrayList<>(List.of("nodegroup"));
    var op = new RuleParams.GpuOperator(required, List.of(), "nvidia.com/gpu.deploy.");
    var corr = new RuleParams.Correlation(Duration.ofMinutes(10), 3, 20, kinds);
    required.add("dcgm-exporter");
    kinds.add("zone");
    assertThat(op.requiredOperands()).containsExactly("device-plugin");
    assertThat(op.allocatableOperands()).as("none unless rules.yaml names them").isEmpty();
    assertThat(corr.scopes()).containsExactly("nodegroup");
  }

  @Test
  void shouldShipAnAllocatableOperandSetInsideTheRequiredOne() {
    var op = shipped.gpuOperator();
    assertThat(op.requiredOperands()).containsAll(op.allocatableOperands());
    assertThat(op.allocatableOperands()).isNotEmpty();
  }
}
