package io.gpuward.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.sink.DemoSinkFixture;
import io.gpuward.sink.SinkTables;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every Grafana panel's SQL (and every SQL variable query) against the sink tables that {@code
 * gpuward demo --sink} fills on the default scenario: the dashboards query columns that exist, and
 * the panels an SRE looks at first show the demo's faults.
 */
class GrafanaPanelsSqlIT {

  /** Panels that the default scenario must fill (title → dashboard title). */
  private static final Set<String> MUST_HAVE_ROWS =
      Set.of(
          "Nodes by health state",
          "Open verdicts by class",
          "Open verdicts by node group",
          "Verdicts opened",
          "Nodes not healthy",
          "GPU temperature (max per minute)",
          "Board power (mean per minute)",
          "XID and ECC timeline",
          "Verdicts",
          "Remediation",
          "Actions by outcome",
          "Actions by type and outcome",
          "Recent decisions",
          "Verdict to first action over time",
          "$node");

  /** A node name that would end a raw quoted literal and run statements of its own. */
  private static final String HOSTILE_NODE = "' OR 1=1; DROP TABLE gpu_verdicts; --";

  private static DemoSinkFixture db;
  private static GrafanaSql grafana;
  private static GrafanaSql hostile;
  private static String node;

  @BeforeAll
  static void demoDatabase() throws SQLException {
    db = DemoSinkFixture.shared();
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      ResultSet range = s.executeQuery("SELECT min(updated_at), max(updated_at) FROM gpu_verdicts");
      range.next();
      Instant from = range.getTimestamp(1).toInstant().minus(Duration.ofMinutes(10));
      Instant to = range.getTimestamp(2).toInstant().plus(Duration.ofMinutes(10));
      // The node the remediator worked hardest on: it has verdicts, telemetry and actions.
      ResultSet busiest =
          s.executeQuery(
              "SELECT node FROM remediation_audit WHERE outcome = 'STARTED'"
                  + " GROUP BY node ORDER BY count(*) DESC, node LIMIT 1");
      assertThat(busiest.next()).as("the demo started at least one action").isTrue();
      node = busiest.getString(1);
      grafana = new GrafanaSql(from, to, Duration.ofMinutes(1), Map.of("node", node));
      hostile = new GrafanaSql(from, to, Duration.ofMinutes(1), Map.of("node", HOSTILE_NODE));
    }
  }

  @Test
  void everyPanelQueryRunsAndTheDemoFillsTheMainPanels() throws SQLException {
    Map<String, Integer> rowsByPanel = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    try (Connection c = db.connect()) {
      for (Dashboards.Query q : Dashboards.queries()) {
        if (!q.isSql()) {
          continue;
        }
        String sql = grafana.expand(q.text());
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(sql)) {
          int rows = 0;
          while (rs.next()) {
            rows++;
          }
          rowsByPanel.merge(q.panel(), rows, Integer::sum);
        } catch (SQLException e) {
          failures.add(q + ": " + e.getMessage() + "\n  " + sql);
        }
      }
    }

    assertThat(failures).as("panel queries that fail on the sink tables").isEmpty();
    assertThat(rowsByPanel.keySet()).containsAll(MUST_HAVE_ROWS);
    for (String panel : MUST_HAVE_ROWS) {
      assertThat(rowsByPanel.get(panel)).as("rows of %s (node %s)", panel, node).isPositive();
    }
  }

  @Test
  void timeSeriesPanelsReturnTimeAndValueColumns() throws SQLException {
    try (Connection c = db.connect()) {
      for (Dashboards.Query q : Dashboards.queries()) {
        if (!q.isSql() || !q.text().contains("\"time\"") && !q.text().contains("timeGroupAlias")) {
          continue;
        }
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(grafana.expand(q.text()))) {
          assertThat(rs.getMetaData().getColumnLabel(1))
              .as("first column of %s", q)
              .isEqualTo("time");
          if (rs.next()) {
            assertThat(rs.getObject(1)).as("time of %s", q).isInstanceOf(Timestamp.class);
          }
        }
      }
    }
  }

  @Test
  void aHostileNodeNameStaysALiteralForGrafanasReadOnlyRole() throws SQLException {
    List<String> failures = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), SinkTables.GRAFANA_ROLE, "")) {
      for (Dashboards.Query q : Dashboards.queries()) {
        if (!q.isSql() || !q.text().contains("${node:")) {
          continue;
        }
        String sql = hostile.expand(q.text());
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(sql)) {
          while (rs.next()) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              if ("node".equals(rs.getMetaData().getColumnLabel(i))) {
                assertThat(rs.getString(i)).as("a row of %s", q.panel()).isEqualTo(HOSTILE_NODE);
              }
            }
          }
        } catch (SQLException e) {
          failures.add(q + ": " + e.getMessage() + "\n  " + sql);
        }
      }
      assertThat(failures).as("panels a hostile node name broke").isEmpty();
    }
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM gpu_verdicts")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).as("gpu_verdicts still there").isPositive();
    }
  }

  @Test
  void grafanasRoleCanReadTheSinkTablesAndNothingMore() throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), SinkTables.GRAFANA_ROLE, "");
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM remediation_audit")) {
        assertThat(rs.next()).isTrue();
      }
      for (String write :
          List.of(
              "DELETE FROM gpu_verdicts",
              "UPDATE node_health SET state = 'HEALTHY'",
              "DROP TABLE gpu_verdicts",
              "CREATE TABLE grafana_was_here (i int)")) {
        assertThatThrownBy(() -> s.execute(write)).as(write).isInstanceOf(SQLException.class);
      }
    }
  }
}
