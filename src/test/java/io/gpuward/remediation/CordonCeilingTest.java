package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cordon ceiling: fleet-wide and per node group, count and percent, the stricter wins. */
class CordonCeilingTest {

  private static List<String> scopes(String group) {
    return Budgets.scopes(group, null);
  }

  private static CordonCeiling ceiling(CordonCeiling.Limit global, CordonCeiling.Limit group) {
    Map<String, Integer> sizes = Map.of("global", 50, "nodegroup:a", 25, "nodegroup:b", 25);
    return new CordonCeiling(
        Map.of("global", global, "nodegroup", group), s -> sizes.getOrDefault(s, 0));
  }

  @Test
  void shouldRefuseTheCordonBeyondTheFleetPercent() {
    var c = ceiling(new CordonCeiling.Limit(0, 10), new CordonCeiling.Limit(0, 0));
    for (int i = 0; i < 5; i++) {
      assertThat(c.admit("a-" + i, scopes("a"))).isEmpty();
    }
    assertThat(c.admit("b-0", scopes("b")))
        .get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("5 node(s) already cordoned by gpuward in global", "cordon ceiling 5");
  }

  @Test
  void shouldRefuseTheCordonBeyondTheNodeGroupCountWhileOtherGroupsGoOn() {
    var c = ceiling(new CordonCeiling.Limit(0, 0), new CordonCeiling.Limit(2, 50));
    assertThat(c.admit("a-0", scopes("a"))).isEmpty();
    assertThat(c.admit("a-1", scopes("a"))).isEmpty();
    assertThat(c.admit("a-2", scopes("a")))
        .get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("nodegroup:a");
    assertThat(c.admit("b-0", scopes("b"))).isEmpty();
  }

  @Test
  void shouldLetANodeAlreadyCordonedTakeNoSecondPlace() {
    var c = ceiling(new CordonCeiling.Limit(1, 0), new CordonCeiling.Limit(0, 0));
    assertThat(c.admit("a-0", scopes("a"))).isEmpty();
    assertThat(c.admit("a-0", scopes("a"))).isEmpty();
    assertThat(c.held("global")).isEqualTo(1);
  }

  @Test
  void shouldFreeAPlaceWhenANodeIsUncordoned() {
    var c = ceiling(new CordonCeiling.Limit(1, 0), new CordonCeiling.Limit(0, 0));
    assertThat(c.admit("a-0", scopes("a"))).isEmpty();
    assertThat(c.admit("a-1", scopes("a"))).isPresent();
    assertThat(c.release("a-0")).isTrue();
    assertThat(c.admit("a-1", scopes("a"))).isEmpty();
  }

  @Test
  void shouldCountNodesFoundCordonedEvenBeyondTheCeiling() {
    var c = ceiling(new CordonCeiling.Limit(1, 0), new CordonCeiling.Limit(0, 0));
    c.adopt("a-0", scopes("a"));
    c.adopt("a-1", scopes("a"));
    assertThat(c.held("global")).isEqualTo(2);
    assertThat(c.admit("a-2", scopes("a"))).isPresent();
    c.release("a-0");
    assertThat(c.admit("a-2", scopes("a"))).as("still one over the ceiling").isPresent();
  }

  @Test
  void shouldBoundAnInflatedScopeByItsCount() {
    // forged inventory can make a scope look big; the count still holds
    var c = new CordonCeiling(Map.of("global", new CordonCeiling.Limit(3, 50)), s -> 1_000_000);
    for (int i = 0; i < 3; i++) {
      assertThat(c.admit("n-" + i, scopes(null))).isEmpty();
    }
    assertThat(c.admit("n-3", scopes(null))).isPresent();
  }
}
