package io.gpuward.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.remediation.RemediationMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpositionFilterTest {

  @Test
  void shouldLeaveOutMetersInNonBaseTimeUnits() {
    var filter = new ExpositionFilter(MeterHelp.NONE);
    assertThat(filter.accept(gauge("kafka.producer.io.time.ns.avg", null)))
        .isEqualTo(MeterFilterReply.DENY);
    assertThat(filter.accept(gauge("kafka.app.info.start.time.ms", null)))
        .isEqualTo(MeterFilterReply.DENY);
    assertThat(filter.accept(gauge("process.cpu.time", "ns"))).isEqualTo(MeterFilterReply.DENY);
    assertThat(filter.accept(gauge("kafka.consumer.fetch.manager.records.lag", null)))
        .isEqualTo(MeterFilterReply.NEUTRAL);
    assertThat(filter.accept(gauge("jvm.gc.pause", "seconds"))).isEqualTo(MeterFilterReply.NEUTRAL);
  }

  private static Meter.Id gauge(String name, String unit) {
    return new Meter.Id(name, Tags.empty(), unit, null, Meter.Type.GAUGE);
  }

  @Test
  void shouldPluraliseCountGauges() {
    assertThat(ExpositionFilter.name("kafka.consumer.connection.count", Meter.Type.GAUGE))
        .isEqualTo("kafka.consumer.connections");
    assertThat(ExpositionFilter.name("system.cpu.count", Meter.Type.GAUGE))
        .isEqualTo("system.cpus");
    assertThat(ExpositionFilter.name("x.process.count", Meter.Type.GAUGE))
        .isEqualTo("x.process.number");
    assertThat(ExpositionFilter.name("records.count", Meter.Type.COUNTER))
        .as("a counter gets _total, so count is fine")
        .isEqualTo("records.count");
  }

  @Test
  void shouldKeepGpuwardNamesAndAddTheirHelpText() {
    var filter = new ExpositionFilter(MeterHelp.of(List.of(RemediationMetrics.HELP)));
    Meter.Id id =
        new Meter.Id(RemediationMetrics.OBSERVE_ONLY, Tags.empty(), null, null, Meter.Type.GAUGE);
    Meter.Id mapped = filter.map(id);
    assertThat(mapped.getName()).isEqualTo(RemediationMetrics.OBSERVE_ONLY);
    assertThat(mapped.getDescription()).startsWith("1 while the remediator is observe-only");

    Meter.Id cpus =
        new Meter.Id("system.cpu.count", Tags.of("a", "b"), null, "CPUs", Meter.Type.GAUGE);
    assertThat(filter.map(cpus).getName()).isEqualTo("system.cpus");
    assertThat(filter.map(cpus).getTags()).isEqualTo(cpus.getTags());
    assertThat(filter.map(cpus).getDescription()).isEqualTo("CPUs");
    assertThat(filter.map(gauge("kafka.x.y", null)).getDescription()).isEqualTo("kafka.x.y");
  }
}
