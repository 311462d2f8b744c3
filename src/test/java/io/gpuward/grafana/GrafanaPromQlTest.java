package io.gpuward.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gpuward.engine.EngineMetrics;
import io.gpuward.exporter.ExporterMetrics;
import io.gpuward.remediation.RemediationMetrics;
import io.gpuward.testing.Promtool;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboards' PromQL: valid expressions ({@code promtool check rules} over them as recording
 * rules, when promtool is there) that name only metrics gpuward's roles serve.
 */
class GrafanaPromQlTest {

  /**
   * Kafka client and Streams metrics as Micrometer's binders expose them (seen in RoleMetricsIT).
   */
  private static final Set<String> KAFKA =
      Set.of("kafka_consumer_fetch_manager_records_lag_max", "kafka_stream_thread_process_rate");

  private static final Pattern METRIC = Pattern.compile("\\b((?:gpuward|kafka)_[a-z_]+)\\b");

  @TempDir Path dir;

  @Test
  void everyExpressionNamesAMetricGpuwardServes() throws Exception {
    Set<String> served = new TreeSet<>(KAFKA);
    for (Class<?> meters :
        List.of(EngineMetrics.class, RemediationMetrics.class, ExporterMetrics.class)) {
      for (Field f : meters.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
          String name = ((String) f.get(null)).replace('.', '_');
          served.add(name);
          served.add(name + "_total");
        }
      }
    }
    List<Dashboards.Query> promql = Dashboards.queries().stream().filter(q -> !q.isSql()).toList();
    assertThat(promql).isNotEmpty();
    for (Dashboards.Query q : promql) {
      Matcher m = METRIC.matcher(q.text());
      assertThat(m.find()).as("%s names a metric", q).isTrue();
      do {
        assertThat(served).as("metric of %s", q).contains(m.group(1));
      } while (m.find());
    }
  }

  @Test
  void everyExpressionParses() throws Exception {
    var promtool = Promtool.find();
    assumeTrue(promtool.isPresent(), "promtool not found (run .ci/run, or put it on PATH)");
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
    int n = 0;
    for (Dashboards.Query q : Dashboards.queries()) {
      if (!q.isSql()) {
        rules
            .append("      - record: gpuward:dashboard:")
            .append(n++)
            .append("\n        expr: '")
            .append(q.text().replace("'", "''"))
            .append("'\n");
      }
    }
    Path file = Files.writeString(dir.resolve("dashboards.yaml"), rules);

    var check = Promtool.run(promtool.get(), null, "check", "rules", file.toString());

    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + n + " rules found");
  }
}
