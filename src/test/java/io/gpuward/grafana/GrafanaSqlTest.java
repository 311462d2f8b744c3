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
    assertThat(sql.expand("SELECT 1 FROM t WHERE $__timeFilter(opened_at) AND node = '$node'"))
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
  void quotesVariableValuesSafely() {
    var quoted =
        new GrafanaSql(Instant.EPOCH, Instant.EPOCH, Duration.ofSeconds(1), Map.of("n", "a'b"));
    assertThat(quoted.expand("'$n'")).isEqualTo("'a''b'");
  }

  @Test
  void unknownMacroOrVariableFails() {
    assertThatThrownBy(() -> sql.expand("$__timeEpoch(x)")).hasMessageContaining("$__timeEpoch");
    assertThatThrownBy(() -> sql.expand("$zone")).hasMessageContaining("$zone");
  }
}
