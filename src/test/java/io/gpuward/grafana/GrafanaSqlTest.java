package io.gpuward.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrafanaSqlTest {

  private final GrafanaSql sql =
      new GrafanaSql(
          Instant.parse("2026-11-24T10:00:00Z"),
          Instant.parse("2026-11-24T11:00:00Z"),
          Duration.ofMinutes(1),
          Map.of("node", "p5-train-2", "nodegroup", "p5-train"));

  @Test
  void expandsTimeFilterAndVariables() {
    assertThat(
            sql.expand(
                "SELECT 1 FROM t WHERE $__timeFilter(opened_at) AND node = ${node:sqlstring}"))
        .isEqualTo(
            "SELECT 1 FROM t WHERE opened_at BETWEEN '2026-11-24T10:00:00Z' AND"
                + " '2026-11-24T11:00:00Z' AND node = 'p5-train-2'");
  }

  @Test
  void expandsBracedVariablesAndTimeBounds() {
    assertThat(sql.expand("${nodegroup} $__timeFrom() $__timeTo()"))
        .isEqualTo("p5-train '2026-11-24T10:00:00Z' '2026-11-24T11:00:00Z'");
  }

  @Test
  void expandsTimeGroupWithIntervalLiteralOrVariable() {
    assertThat(sql.expand("$__timeGroupAlias(ts, '5m')"))
        .isEqualTo(
            "floor(extract(epoch from ts)/300)*300 * interval '1 second' + timestamp with time"
                + " zone 'epoch' AS \"time\"");
    assertThat(sql.expand("$__timeGroup(ts, $__interval)")).contains("/60)*60");
  }

  @Test
  void quotesSqlstringVariablesSafely() {
    var quoted =
        new GrafanaSql(
            Instant.EPOCH,
            Instant.EPOCH,
            Duration.ofSeconds(1),
            Map.of("n", "' OR 1=1; DROP TABLE x; --"));
    assertThat(quoted.expand("node = ${n:sqlstring}"))
        .isEqualTo("node = ''' OR 1=1; DROP TABLE x; --'");
  }

  @Test
  void leavesAnUnformattedVariableRawAsGrafanaDoes() {
    // why every dashboard must use ${var:sqlstring}: '$n' is a way out of the literal
    var raw =
        new GrafanaSql(
            Instant.EPOCH, Instant.EPOCH, Duration.ofSeconds(1), Map.of("n", "x' OR '1'='1"));
    assertThat(raw.expand("node = '$n'")).isEqualTo("node = 'x' OR '1'='1'");
  }

  @Test
  void unknownMacroOrVariableFails() {
    assertThatThrownBy(() -> sql.expand("$__timeEpoch(x)")).hasMessageContaining("$__timeEpoch");
    assertThatThrownBy(() -> sql.expand("$zone")).hasMessageContaining("$zone");
  }
}
