package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.engine.EngineMetrics;
import io.gpuward.exporter.ExporterMetrics;
import io.gpuward.exporter.kube.KubeMetrics;
import io.gpuward.remediation.RemediationMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsOptionsTest {

  @Test
  void shouldGiveEveryRolesMetersTheirHelpTextInAnyRolesRegistry() {
    PrometheusMeterRegistry registry = MetricsOptions.registry("demo");
    List<String> names =
        List.of(
            EngineMetrics.VERDICTS,
            RemediationMetrics.OBSERVE_ONLY,
            ExporterMetrics.SCRAPES,
            KubeMetrics.INVENTORY_PUBLISHED);
    for (String name : names) {
      registry.counter(name);
    }

    for (String name : names) {
      Meter meter = registry.find(name).meter();
      assertThat(meter).as(name).isNotNull();
      assertThat(meter.getId().getDescription()).as(name).isNotBlank().isNotEqualTo(name);
    }
    assertThat(registry.scrape())
        .contains("# HELP gpuward_remediation_observe_only_total 1 while the remediator is");
  }
}
