package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetsTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  private static Budgets budgets(Budgets.Limits global, Budgets.Limits nodegroup) {
    return new Budgets(
        Map.of("global", global, "nodegroup", nodegroup),
        scope -> scope.equals("nodegroup:p5") ? 10 : scope.equals("global") ? 100 : 0);
  }

  @Test
  void shouldHoldReplaceWhenTheNodeGroupsConcurrencyIsSpent() {
    var b = budgets(new Budgets.Limits(10, 0, 0, 0), new Budgets.Limits(2, 0, 0, 0));
    assertThat(b.acquire("p5-0", "v-p5-0", Budgets.scopes("p5", "a"), T0)).isEmpty();
    assertThat(b.acquire("p5-1", "v-p5-1", Budgets.scopes("p5", "a"), T0)).isEmpty();
    var denied = b.acquire("p5-2", "v-p5-2", Budgets.scopes("p5", "a"), T0);
    assertThat(denied).hasValueSatisfying(d -> assertThat(d.scope()).isEqualTo("nodegroup:p5"));
    // Another node group is not affected.
    assertThat(b.acquire("g5-0", "v-g5-0", Budgets.scopes("g5", "a"), T0)).isEmpty();
  }

  @Test
  void shouldFreeBudgetWhenADisruptionFinishes() {
    var b = budgets(new Budgets.Limits(1, 0, 0, 0), new Budgets.Limits(0, 0, 0, 0));
    assertThat(b.acquire("n1", "v-n1", Budgets.scopes("p5", "a"), T0)).isEmpty();
    assertThat(b.acquire("n2", "v-n2", Budgets.scopes("p5", "a"), T0)).isPresent();
    b.release("n1", "v-n1");
    assertThat(b.acquire("n2", "v-n2", Budgets.scopes("p5", "a"), T0)).isEmpty();
  }

  @Test
  void shouldApplyTheStricterOfCountAndPercent() {
    // 10% of a 10-node group is 1 node, stricter than the count of 5.
    var b = budgets(new Budgets.Limits(0, 0, 0, 0), new Budgets.Limits(5, 10, 0, 0));
    assertThat(b.acquire("p5-0", "v-p5-0", Budgets.scopes("p5", null), T0)).isEmpty();
    assertThat(b.acquire("p5-1", "v-p5-1", Budgets.scopes("p5", null), T0)).isPresent();
    assertThat(Budgets.cap(5, 10, 10)).isEqualTo(1);
    assertThat(Budgets.cap(0, 20, 13)).as("a percent rounds up, like a PDB").isEqualTo(3);
    assertThat(Budgets.cap(0, 10, 13)).isEqualTo(2);
    assertThat(Budgets.cap(0, 1, 3)).as("a small scope can always disrupt one").isEqualTo(1);
    assertThat(Budgets.cap(2, 50, 13)).as("the stricter wins").isEqualTo(2);
    assertThat(Budgets.cap(0, 0, 10)).isEqualTo(-1);
    assertThat(Budgets.cap(0, 50, 0)).as("percent of an unknown size does not limit").isEqualTo(-1);
  }

  @Test
  void shouldLimitStartsPerHourAndForgetOlderOnes() {
    var b = budgets(new Budgets.Limits(0, 0, 2, 0), new Budgets.Limits(0, 0, 0, 0));
    assertThat(b.acquire("n1", "v-n1", Budgets.scopes("p5", null), T0)).isEmpty();
    b.release("n1", "v-n1");
    assertThat(b.acquire("n2", "v-n2", Budgets.scopes("p5", null), T0.plusSeconds(60))).isEmpty();
    b.release("n2", "v-n2");
    assertThat(b.acquire("n3", "v-n3", Budgets.scopes("p5", null), T0.plusSeconds(120)))
        .isPresent();
    assertThat(b.acquire("n3", "v-n3", Budgets.scopes("p5", null), T0.plusSeconds(3601))).isEmpty();
  }

  @Test
  void shouldLetANodeKeepItsBudgetForItsLaterSteps() {
    var b = budgets(new Budgets.Limits(1, 0, 1, 0), new Budgets.Limits(0, 0, 0, 0));
    assertThat(b.acquire("n1", "v-n1", Budgets.scopes("p5", null), T0)).isEmpty();
    assertThat(b.acquire("n1", "v-n1", Budgets.scopes("p5", null), T0.plusSeconds(5))).isEmpty();
    assertThat(b.holds("n1")).isTrue();
  }

  @Test
  void shouldSayWhenTheHourWindowFreesASlotAndFreeItThen() {
    var b = budgets(new Budgets.Limits(0, 0, 0, 0), new Budgets.Limits(0, 0, 2, 0));
    assertThat(b.acquire("n1", "v-n1", Budgets.scopes("p5", null), T0)).isEmpty();
    b.release("n1", "v-n1");
    assertThat(b.acquire("n2", "v-n2", Budgets.scopes("p5", null), T0.plusSeconds(600))).isEmpty();
    b.release("n2", "v-n2");
    var denied = b.acquire("n3", "v-n3", Budgets.scopes("p5", null), T0.plusSeconds(900));
    // Two starts counted: the oldest (T0) must leave the hour before a third may start.
    assertThat(denied)
        .hasValueSatisfying(d -> assertThat(d.freesAt()).isEqualTo(T0.plusSeconds(3600)));
    assertThat(b.acquire("n3", "v-n3", Budgets.scopes("p5", null), T0.plusSeconds(3599)))
        .isPresent();
    assertThat(b.acquire("n3", "v-n3", Budgets.scopes("p5", null), T0.plusSeconds(3600))).isEmpty();
  }

  @Test
  void shouldNameNoHourWhenOnlyConcurrencyDenies() {
    var b = budgets(new Budgets.Limits(0, 0, 0, 0), new Budgets.Limits(1, 0, 5, 0));
    assertThat(b.acquire("n1", "v-n1", Budgets.scopes("p5", null), T0)).isEmpty();
    assertThat(b.acquire("n2", "v-n2", Budgets.scopes("p5", null), T0))
        .hasValueSatisfying(d -> assertThat(d.freesAt()).isNull());
  }

  @Test
  void shouldKeepANodesBudgetUntilTheLastOfItsVerdictsIsDone() {
    var b = budgets(new Budgets.Limits(2, 0, 2, 0), new Budgets.Limits(0, 0, 0, 0));
    // A GPU that fell off the bus and the node's NotReady: two verdicts, one disruption.
    assertThat(b.acquire("n1", "fell-off", Budgets.scopes("p5", null), T0)).isEmpty();
    assertThat(b.acquire("n1", "not-ready", Budgets.scopes("p5", null), T0.plusSeconds(1)))
        .isEmpty();
    assertThat(b.startedInLastHour(T0.plusSeconds(2))).containsEntry("global", 1);
    // The NotReady clears while the reboot for the fallen GPU is still under way.
    assertThat(b.release("n1", "not-ready")).isFalse();
    assertThat(b.holds("n1")).isTrue();
    assertThat(b.acquire("n2", "v-n2", Budgets.scopes("p5", null), T0.plusSeconds(3))).isEmpty();
    assertThat(b.acquire("n3", "v-n3", Budgets.scopes("p5", null), T0.plusSeconds(4)))
        .as("n1 still counts among the two at once")
        .isPresent();
    assertThat(b.release("n1", "fell-off")).isTrue();
    assertThat(b.holds("n1")).isFalse();
    assertThat(b.release("n1", "fell-off")).as("released once").isFalse();
  }

  @Test
  void shouldFreeARestoredNodeOnlyWhenEachRestoredSessionIsDone() {
    var b = budgets(new Budgets.Limits(1, 0, 0, 0), new Budgets.Limits(0, 0, 0, 0));
    b.restore("n1", "a", Budgets.scopes("p5", null), T0, true, T0.plusSeconds(60));
    b.restore("n1", "b", Budgets.scopes("p5", null), T0, true, T0.plusSeconds(60));
    b.restore("n1", "c", Budgets.scopes("p5", null), T0, false, T0.plusSeconds(60));
    assertThat(b.release("n1", "a")).isFalse();
    assertThat(b.acquire("n2", "v-n2", Budgets.scopes("p5", null), T0.plusSeconds(61))).isPresent();
    assertThat(b.release("n1", "b")).isTrue();
    assertThat(b.acquire("n2", "v-n2", Budgets.scopes("p5", null), T0.plusSeconds(62))).isEmpty();
  }
}
