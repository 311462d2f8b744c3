package io.gpuward.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Offline checks of the Grafana provisioning: dashboards that load, datasources that exist, and SQL
 * that names only the sink tables. The SQL itself runs in GrafanaPanelsSqlIT; the JSON is
 * type-checked against {@code @grafana/schema} in GrafanaTypeCheckIT.
 */
class GrafanaDashboardsTest {

  private static final Pattern TABLE_DDL =
      Pattern.compile("CREATE (?:TABLE IF NOT EXISTS|OR REPLACE VIEW) (\\w+)");
  private static final Pattern FROM_OR_JOIN =
      Pattern.compile("(?i)(?<!epoch )\\b(?:FROM|JOIN)\\s+(\\w+)\\b(?!\\s*\\()");

  @Test
  void fourDashboardsWithUniqueUidsAndTitles() {
    Set<String> uids = new HashSet<>();
    Set<String> titles = new HashSet<>();
    for (Path file : Dashboards.files()) {
      JsonNode d = Dashboards.read(file);
      assertThat(uids.add(d.path("uid").asText())).as("unique uid in %s", file).isTrue();
      assertThat(titles.add(d.path("title").asText())).as("unique title in %s", file).isTrue();
      assertThat(d.path("uid").asText())
          .as("Grafana uids are at most 40 chars")
          .hasSizeLessThan(41);
    }
    assertThat(uids)
        .containsExactlyInAnyOrder(
            "gpuward-fleet", "gpuward-node", "gpuward-remediation", "gpuward-engine");
  }

  @Test
  void everyPanelQueriesAProvisionedDatasourceAndFitsTheGrid() throws Exception {
    Set<String> provisioned = provisionedDatasourceUids();
    for (Path file : Dashboards.files()) {
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : Dashboards.panels(Dashboards.read(file))) {
        String where = file.getFileName() + " / " + panel.path("title").asText();
        assertThat(ids.add(panel.path("id").asInt())).as("unique panel id: %s", where).isTrue();
        JsonNode grid = panel.path("gridPos");
        assertThat(grid.path("x").asInt() + grid.path("w").asInt())
            .as("panel within 24 columns: %s", where)
            .isLessThanOrEqualTo(24);
        assertThat(panel.path("description").asText()).as("described: %s", where).isNotBlank();
        assertThat(panel.path("targets")).as("queries: %s", where).isNotEmpty();
        for (JsonNode target : panel.path("targets")) {
          assertThat(provisioned).contains(target.path("datasource").path("uid").asText());
        }
      }
    }
  }

  @Test
  void sqlNamesOnlyTheSinkTables() throws Exception {
    Set<String> tables = sinkTables();
    assertThat(tables)
        .contains(
            "gpu_verdicts",
            "fleet_incidents",
            "node_health",
            "remediation_audit",
            "gpu_telemetry_rollup");
    for (Dashboards.Query q : Dashboards.queries()) {
      if (!q.isSql()) {
        continue;
      }
      Set<String> cteNames = new TreeSet<>();
      Matcher cte = Pattern.compile("(?i)(?:WITH|,)\\s+(\\w+) AS \\(").matcher(q.text());
      while (cte.find()) {
        cteNames.add(cte.group(1).toLowerCase(Locale.ROOT));
      }
      Matcher m = FROM_OR_JOIN.matcher(q.text());
      while (m.find()) {
        String name = m.group(1).toLowerCase(Locale.ROOT);
        if (cteNames.contains(name) || name.equals("lateral")) {
          continue;
        }
        assertThat(tables).as("table named by %s", q).contains(name);
      }
    }
  }

  @Test
  void everyDashboardIsProvisioned() throws Exception {
    JsonNode providers =
        new ObjectMapper(new YAMLFactory())
            .readTree(Dashboards.GRAFANA.resolve("provisioning/dashboards/gpuward.yaml").toFile())
            .path("providers");
    assertThat(providers).hasSize(1);
    assertThat(providers.get(0).path("type").asText()).isEqualTo("file");
    assertThat(providers.get(0).path("options").path("path").asText()).isNotBlank();
  }

  private static Set<String> provisionedDatasourceUids() throws Exception {
    JsonNode ds =
        new ObjectMapper(new YAMLFactory())
            .readTree(Dashboards.GRAFANA.resolve("provisioning/datasources/gpuward.yaml").toFile());
    Set<String> uids = new HashSet<>();
    ds.path("datasources").forEach(d -> uids.add(d.path("uid").asText()));
    return uids;
  }

  static Set<String> sinkTables() throws Exception {
    Set<String> tables = new TreeSet<>();
    try (Stream<Path> files = Files.list(Path.of("connectors", "sql"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
        Matcher m = TABLE_DDL.matcher(Files.readString(f));
        while (m.find()) {
          tables.add(m.group(1));
        }
      }
    }
    return tables;
  }

  @Test
  void shouldQuoteEveryVariableInSqlAsALiteral() {
    List<String> unquoted = new ArrayList<>();
    int quoted = 0;
    for (Dashboards.Query q : Dashboards.queries()) {
      if (!q.isSql()) {
        continue;
      }
      Matcher m = GrafanaSql.VARIABLE.matcher(q.text());
      while (m.find()) {
        String name = m.group(1) != null ? m.group(1) : m.group(3);
        if (name.startsWith("__")) {
          continue; // Grafana's own macros and intervals, not user input
        }
        if ("sqlstring".equals(m.group(2))) {
          quoted++;
        } else {
          unquoted.add(q.dashboard() + " / " + q.panel() + ": " + m.group());
        }
      }
      assertThat(q.text()).as(q.panel()).doesNotContain("[[");
    }
    assertThat(unquoted).as("variables not formatted with :sqlstring").isEmpty();
    assertThat(quoted).as("the node dashboard's panels use $node").isGreaterThan(5);
  }
}
