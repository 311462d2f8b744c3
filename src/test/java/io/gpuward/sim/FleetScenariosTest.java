package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FleetScenariosTest {

  private static final FleetScenarios.Settings MEDIUM =
      FleetScenarios.Settings.of(200, Duration.ofHours(6), 7);

  @Test
  void shouldGiveTheSameScenarioAndTruthForTheSameSeed() {
    FleetScenarios.FleetRun a = FleetScenarios.generate(MEDIUM);
    FleetScenarios.FleetRun b = FleetScenarios.generate(MEDIUM);

    assertThat(a).isEqualTo(b);
    assertThat(FleetScenarios.generate(FleetScenarios.Settings.of(200, Duration.ofHours(6), 8)))
        .isNotEqualTo(a);
  }

  @Test
  void shouldInjectAFewDozenFaultsOnDistinctNodesOfTheFleet() {
    FleetScenarios.FleetRun run = FleetScenarios.generate(MEDIUM);

    assertThat(run.scenario().nodeCount()).isEqualTo(200);
    assertThat(run.scenario().nodegroups()).hasSize(2);
    assertThat(run.truth()).hasSize(36);
    assertThat(run.truth().stream().map(FleetFault::node).distinct()).hasSize(36);
    assertThat(run.scenario().faults()).hasSameSizeAs(run.truth());
  }

  @Test
  void shouldPlaceFaultsAfterWarmUpAndBeforeTheSettlingTime() {
    FleetScenarios.FleetRun run = FleetScenarios.generate(MEDIUM);

    assertThat(run.scenario().faults())
        .allSatisfy(
            f ->
                assertThat(f.at())
                    .isBetween(
                        FleetScenarios.WARM_UP, Duration.ofHours(6).minus(FleetScenarios.SETTLE)));
    List<Duration> times = run.scenario().faults().stream().map(Fault::at).toList();
    assertThat(times).isSorted();
  }

  @Test
  void shouldPairEveryFaultWithItsTruth() {
    FleetScenarios.FleetRun run = FleetScenarios.generate(MEDIUM);

    for (int i = 0; i < run.truth().size(); i++) {
      Fault f = run.scenario().faults().get(i);
      FleetFault t = run.truth().get(i);
      assertThat(t.id()).isEqualTo("f" + i);
      assertThat(((Target.Node) f.target()).name()).isEqualTo(t.node());
      assertThat(f.at()).isEqualTo(t.at());
    }
  }

  @Test
  void shouldMarkApplicationXidsAsNotToRemediate() {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 50; i++) {
      Injection sw = FleetMix.injection(FleetMix.SOFTWARE, 2, r);
      Injection nccl = FleetMix.injection(FleetMix.NCCL, 2, r);
      assertThat(((Injection.Xid) sw).code()).isIn(13, 31);
      assertThat(((Injection.Xid) nccl).code()).isEqualTo(43);
    }
    assertThat(FleetMix.SOFTWARE.remediate()).isFalse();
    assertThat(FleetMix.NCCL.remediate()).isFalse();
    assertThat(FleetMix.SOFTWARE.expectedClass()).isEqualTo("APP_XID");
    assertThat(FleetMix.FAULTY_GPU.remediate()).isTrue();
  }

  @Test
  void shouldDrawCausesInThePublishedProportions() {
    SplittableRandom r = new SplittableRandom(42);
    int n = 200_000;
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(FleetMix.draw(r).name(), 1, Integer::sum);
    }
    double total = FleetMix.CAUSES.stream().mapToDouble(FleetMix.Cause::percent).sum();
    // silent data corruption (1.4%) is left out; the rest keep their relative weights
    assertThat(total).isCloseTo(100.0 - 1.4, within(0.01));
    for (FleetMix.Cause c : FleetMix.CAUSES) {
      double share = 100.0 * counts.getOrDefault(c.name(), 0) / n;
      assertThat(share).as(c.name()).isCloseTo(c.percent() * 100 / total, within(0.5));
    }
  }

  @Test
  void shouldKeepATinyFleetAtTheMinimumFaultCount() {
    FleetScenarios.Settings tiny = FleetScenarios.Settings.of(20, Duration.ofHours(1), 3);

    assertThat(tiny.faultCount()).isEqualTo(FleetScenarios.Settings.DEFAULT_MIN_FAULTS);
    assertThat(FleetScenarios.Settings.of(4, Duration.ofHours(1), 3).faultCount()).isEqualTo(4);
  }
}
