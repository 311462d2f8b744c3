package io.gpuward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gpuward.engine.EngineMetrics;
import io.gpuward.exporter.ExporterMetrics;
import io.gpuward.remediation.RemediationMetrics;
import io.gpuward.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules ({@code deploy/helm/gpuward/files/alerts.yaml}): {@code promtool check rules} and
 * {@code promtool test rules} (firing and not firing on synthetic series) when promtool is there;
 * always, every rule has a severity, a summary, a {@code for}, and names only metrics gpuward
 * serves.
 */
class AlertRulesTest {
  static final Path RULES = Path.of("deploy", "helm", "gpuward", "files", "alerts.yaml");

  @TempDir Path dir;

  @Test
  void shouldPassPromtoolCheckAndItsUnitTests() throws Exception {
    var promtool = Promtool.find();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        promtool.isPresent(), "promtool not found (run .ci/run, or put promtool on PATH)");
    Files.copy(RULES, dir.resolve("alerts.yaml"));
    Files.copy(
        Path.of("src", "test", "resources", "prometheus", "alerts-test.yaml"),
        dir.resolve("alerts-test.yaml"));
    var check =
        Promtool.run(promtool.get(), null, "check", "rules", dir.resolve("alerts.yaml").toString());
    assertThat(check.exitCode()).as(check.output()).isZero();
    var test =
        Promtool.run(
            promtool.get(), null, "test", "rules", dir.resolve("alerts-test.yaml").toString());
    assertThat(test.exitCode()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  @Test
  void everyRuleIsCompleteAndNamesOnlyMetricsGpuwardServes() throws Exception {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
    List<String> alerts = new ArrayList<>();
    Set<String> metrics = new TreeSet<>();
    Pattern name = Pattern.compile("\\b(gpuward_[a-z_]+|kafka_[a-z_]+|up)\\b");
    for (JsonNode group : root.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        alerts.add(rule.get("alert").asText());
        assertThat(rule.get("for").asText()).matches("\\d+m");
        assertThat(rule.at("/labels/severity").asText()).isIn("warning", "critical");
        assertThat(rule.at("/annotations/summary").asText()).isNotBlank();
        assertThat(rule.at("/annotations/description").asText()).isNotBlank();
        Matcher m = name.matcher(rule.get("expr").asText());
        while (m.find()) {
          metrics.add(m.group(1));
        }
      }
    }
    assertThat(alerts).doesNotHaveDuplicates().hasSize(9);
    Set<String> served =
        Set.of(
            prometheus(EngineMetrics.DEAD_LETTERS) + "_total",
            prometheus(RemediationMetrics.LAG),
            prometheus(RemediationMetrics.OBSERVE_ONLY),
            prometheus(RemediationMetrics.READ_BARRIER_WAITS) + "_total",
            prometheus(RemediationMetrics.RECORDS) + "_total",
            prometheus(ExporterMetrics.SCRAPES) + "_total",
            // Kafka's consumer metric through Micrometer's KafkaStreamsMetrics (RoleMetricsIT)
            "kafka_consumer_fetch_manager_records_lag_max",
            "up");
    assertThat(served).containsAll(metrics);
  }

  private static String prometheus(String meterName) {
    return meterName.replace('.', '_');
  }
}
