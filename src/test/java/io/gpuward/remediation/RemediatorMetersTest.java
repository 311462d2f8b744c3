package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemediatorMetersTest {

  @Test
  void shouldKeepABudgetGaugeAcrossRefreshesAndReadItsUseWhenScraped() {
    var registry = new SimpleMeterRegistry();
    var clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
    var cluster = new SimulatedCluster(clock);
    var remediation =
        new Remediation(
            new Planner(RemediationPolicy.load()),
            cluster,
            cluster,
            r -> {},
            clock,
            false,
            registry);
    var meters = new RemediatorMeters(registry, remediation);
    Gauge global = globalGauge(registry);

    remediation.budgets().acquire("n1", "v-n1", Budgets.scopes("g1", "z1"), clock.instant());
    meters.refreshBudget();

    // A scrape between two polls must find the gauge: the same one, reading the use now.
    assertThat(globalGauge(registry)).isSameAs(global);
    assertThat(global.value()).isEqualTo(1.0);
    assertThat(
            registry
                .find(RemediationMetrics.BUDGET_IN_USE)
                .tag("scope", "nodegroup:g1")
                .gauge()
                .value())
        .isEqualTo(1.0);
    remediation.close();
  }

  private static Gauge globalGauge(SimpleMeterRegistry registry) {
    List<Gauge> found =
        List.copyOf(
            registry.find(RemediationMetrics.BUDGET_IN_USE).tag("scope", "global").gauges());
    assertThat(found).hasSize(1);
    return found.get(0);
  }
}
