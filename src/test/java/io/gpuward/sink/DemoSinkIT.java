package io.gpuward.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code gpuward demo --sink} as a user runs it: every table has rows, the verdict table holds
 * exactly the verdict emissions the demo saw, and the data outlives the demo in {@code --sink-dir}.
 */
class DemoSinkIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void demoLandsEveryTableAndReportsGrafanaDataSource() throws Exception {
    DemoSinkFixture db = DemoSinkFixture.shared();

    assertThat(db.demoOutput()).contains("Sink tables").contains("Grafana PostgreSQL data source");
    long emissions;
    try (var lines = Files.lines(db.jsonlDir().resolve("verdicts.jsonl"))) {
      emissions =
          lines
              .map(
                  l -> {
                    try {
                      JsonNode v = JSON.readTree(l);
                      return v.get("verdictId").asText()
                          + v.get("updatedAt").asText()
                          + v.get("state").asText();
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .distinct()
              .count();
    }
    Map<String, Long> counts = new HashMap<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      for (SinkTables.Sink s : SinkTables.ALL) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + s.table())) {
          rs.next();
          counts.put(s.table(), rs.getLong(1));
        }
      }
      assertThat(counts.get("gpu_verdicts")).isEqualTo(emissions);
      assertThat(counts).allSatisfy((table, rows) -> assertThat(rows).as(table).isPositive());

      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FROM gpu_verdicts_latest WHERE fault_class = 'GPU_LOST'"
                  + " AND node = 'p5-train-2'")) {
        rs.next();
        assertThat(rs.getLong(1)).isPositive();
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT min(sample_count), max(max_temperature_c) FROM gpu_telemetry_rollup")) {
        rs.next();
        assertThat(rs.getInt(1)).isPositive();
        assertThat(rs.getDouble(2)).isGreaterThan(20.0);
      }
    }
  }
}
