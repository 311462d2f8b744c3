package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One incident per storm: the explaining scope covering most of it, then the smallest. */
class FleetCorrelatorTest {
  private static final String SIG = "DRIVER_ROOT_MISCONFIGURED:container_start_failure:libnvml";
  private static final long T0 = 1_800_000_000_000L;

  private final FleetCorrelator correlator =
      new FleetCorrelator(
          new RuleParams.Correlation(
              Duration.ofMinutes(10), 3, 20, List.of("nodegroup", "driver", "image", "zone")));

  /** Scope sizes of a fleet: two groups on driver 580 (4 nodes each), one on 570, one zone. */
  private final Map<String, Integer> sizes =
      Map.of(
          "nodegroup:a", 4,
          "nodegroup:b", 4,
          "nodegroup:c", 4,
          "driver:580", 8,
          "driver:570", 4,
          "image:al2023", 12,
          "zone:use1b", 12);

  private final FleetCorrelator.SignatureState state = new FleetCorrelator.SignatureState();
  private final List<FleetIncident> out = new ArrayList<>();

  private void open(String group, int i, String driver, long at) {
    out.addAll(
        correlator.apply(
            state,
            CorrelationEvent.verdict(
                group + "-" + i,
                List.of("nodegroup:" + group, "driver:" + driver, "image:al2023", "zone:use1b"),
                SIG,
                "v-" + group + i,
                "DRIVER_ROOT_MISCONFIGURED",
                true,
                at),
            s -> sizes.getOrDefault(s, 0)));
  }

  private void clear(String group, int i, String driver, long at) {
    out.addAll(
        correlator.apply(
            state,
            CorrelationEvent.verdict(
                group + "-" + i,
                List.of("nodegroup:" + group, "driver:" + driver, "image:al2023", "zone:use1b"),
                SIG,
                "v-" + group + i,
                "DRIVER_ROOT_MISCONFIGURED",
                false,
                at),
            s -> sizes.getOrDefault(s, 0)));
  }

  private List<FleetIncident> opened() {
    return out.stream().filter(i -> i.getState() == IncidentState.OPEN).toList();
  }

  @Test
  void shouldRaiseOneNodeGroupIncidentForAStormInOneGroup() {
    for (int i = 0; i < 3; i++) {
      open("a", i, "580", T0 + i);
    }
    assertThat(opened()).extracting(FleetIncident::getScope).containsExactly("nodegroup:a");
    assertThat(out).hasSize(1);
    assertThat(opened().get(0).getNodes()).containsExactly("a-0", "a-1", "a-2");
  }

  @Test
  void shouldRaiseOneDriverIncidentForARolloutAcrossTwoGroups() {
    for (int i = 0; i < 2; i++) {
      open("a", i, "580", T0 + i);
      open("b", i, "580", T0 + 10 + i);
    }
    // 2 of group a and 2 of group b: no group explains it (2 < 3 nodes); driver 580 has 4 of 8.
    assertThat(opened()).extracting(FleetIncident::getScope).containsExactly("driver:580");
    assertThat(out).extracting(FleetIncident::getScope).containsOnly("driver:580");
    assertThat(out)
        .extracting(FleetIncident::getIncidentId)
        .containsOnly(out.get(0).getIncidentId());
    assertThat(out.get(out.size() - 1).getNodes()).containsExactly("a-0", "a-1", "b-0", "b-1");
  }

  @Test
  void shouldMoveTheIncidentWhenTheStormOutgrowsItsGroup() {
    for (int i = 0; i < 3; i++) {
      open("a", i, "580", T0 + i);
    }
    String id = opened().get(0).getIncidentId();
    out.clear();
    open("b", 0, "580", T0 + 10);
    assertThat(out)
        .extracting(FleetIncident::getScope, FleetIncident::getState, FleetIncident::getIncidentId)
        .containsExactly(
            tuple("nodegroup:a", IncidentState.CLEARED, id),
            tuple("driver:580", IncidentState.UPDATED, id));
    assertThat(out.get(1).getNodes()).containsExactly("a-0", "a-1", "a-2", "b-0");
  }

  @Test
  void shouldNeverRaiseAnIncidentForOneBadGpu() {
    open("a", 0, "580", T0);
    assertThat(out).isEmpty();
    assertThat(state.incident).isNull();
  }

  @Test
  void shouldNotRaiseBelowThePercentOfTheScope() {
    // 3 nodes over three groups: driver 580 covers 2 (below 3 nodes); image and zone cover all 3
    // (25% of 12): the smallest covering scope wins, once. With 30% nothing explains the storm.
    open("a", 0, "580", T0);
    open("b", 0, "580", T0 + 1);
    open("c", 0, "570", T0 + 2);
    assertThat(opened()).extracting(FleetIncident::getScope).containsExactly("image:al2023");
    out.clear();
    var fresh = new FleetCorrelator.SignatureState();
    var strict =
        new FleetCorrelator(
            new RuleParams.Correlation(
                Duration.ofMinutes(10), 3, 30, List.of("nodegroup", "driver", "image", "zone")));
    for (String g : List.of("a", "b", "c")) {
      out.addAll(
          strict.apply(
              fresh,
              CorrelationEvent.verdict(
                  g + "-0",
                  List.of("nodegroup:" + g, "image:al2023", "zone:use1b"),
                  SIG,
                  "v",
                  "DRIVER_ROOT_MISCONFIGURED",
                  true,
                  T0),
              s -> sizes.getOrDefault(s, 0)));
    }
    assertThat(out).as("3 of 12 = 25%% < 30%%").isEmpty();
  }

  @Test
  void shouldPublishAGrowingStormInSteps() {
    Map<String, Integer> big = Map.of("nodegroup:g", 1000);
    var wide =
        new FleetCorrelator(
            new RuleParams.Correlation(Duration.ofMinutes(10), 3, 1, List.of("nodegroup")));
    var storm = new FleetCorrelator.SignatureState();
    List<FleetIncident> changes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      changes.addAll(
          wide.apply(
              storm,
              CorrelationEvent.verdict(
                  "g-" + i, List.of("nodegroup:g"), SIG, "v" + i, "X", true, T0 + i),
              s -> big.getOrDefault(s, 0)));
    }
    assertThat(changes)
        .extracting(FleetIncident::getIncidentId)
        .containsOnly(changes.get(0).getIncidentId());
    assertThat(storm.incident.nodes).hasSize(1000);
    // Every node while small, then every 10% of growth: far fewer than one update per node.
    assertThat(changes.size()).isLessThan(1000 / 4);
    assertThat(changes.get(changes.size() - 1).getNodes().size()).isGreaterThan(900);
  }

  @Test
  void shouldClearTheIncidentWhenNoVerdictOfTheStormIsOpen() {
    for (int i = 0; i < 3; i++) {
      open("a", i, "580", T0 + i);
    }
    for (int i = 0; i < 3; i++) {
      clear("a", i, "580", T0 + 100 + i);
    }
    assertThat(out.get(out.size() - 1).getState()).isEqualTo(IncidentState.CLEARED);
    assertThat(out.get(out.size() - 1).getScope()).isEqualTo("nodegroup:a");
    assertThat(state.incident).isNull();
    assertThat(state.open).isEmpty();
  }

  /** The storm's verdicts on group a's nodes, with scope sizes from {@code now}. */
  private void openAll(Map<String, Integer> now, String group, int nodes, String driver, long at) {
    for (int i = 0; i < nodes; i++) {
      out.addAll(
          correlator.apply(
              state,
              CorrelationEvent.verdict(
                  group + "-" + i,
                  List.of("nodegroup:" + group, "driver:" + driver),
                  SIG,
                  "v-" + group + i,
                  "DRIVER_ROOT_MISCONFIGURED",
                  true,
                  at + i),
              s -> now.getOrDefault(s, 0)));
    }
  }

  @Test
  void shouldOpenTheIncidentWhenAScopeShrinksUnderAStormAsInEventTimeOrder() {
    // Group a had 16 nodes until three left at T0; their removal arrives after the storm.
    Map<String, Integer> now = new HashMap<>(Map.of("nodegroup:a", 16, "driver:580", 40));
    openAll(now, "a", 3, "580", T0 + 10);
    assertThat(out).as("3 of 16 is under 20%%").isEmpty();

    now.put("nodegroup:a", 13);
    out.addAll(correlator.recheck(state, SIG, T0, s -> now.getOrDefault(s, 0)));

    var inOrder = new FleetCorrelator.SignatureState();
    List<FleetIncident> expected = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      expected.addAll(
          correlator.apply(
              inOrder,
              CorrelationEvent.verdict(
                  "a-" + i,
                  List.of("nodegroup:a", "driver:580"),
                  SIG,
                  "v-a" + i,
                  "DRIVER_ROOT_MISCONFIGURED",
                  true,
                  T0 + 10 + i),
              s -> now.getOrDefault(s, 0)));
    }
    assertThat(out).as("what event-time order gives").isEqualTo(expected);
    assertThat(out)
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getState()).isEqualTo(IncidentState.OPEN);
              assertThat(i.getScope()).isEqualTo("nodegroup:a");
              assertThat(i.getNodes()).containsExactly("a-0", "a-1", "a-2");
            });
  }

  @Test
  void shouldNeitherClearNorReleaseAnIncidentWhoseScopeGrows() {
    // Only 10 of group a's 16 nodes were counted when the storm's third verdict arrived.
    Map<String, Integer> now = new HashMap<>(Map.of("nodegroup:a", 10, "driver:580", 40));
    openAll(now, "a", 3, "580", T0);
    String id = opened().get(0).getIncidentId();
    out.clear();

    now.put("nodegroup:a", 16);
    out.addAll(correlator.recheck(state, SIG, T0 + 60_000, s -> now.getOrDefault(s, 0)));
    openAll(now, "a", 3, "580", T0 + 120_000); // the same verdicts again (UPDATED)

    assertThat(out).isEmpty();
    assertThat(correlator.explainedStill(state, s -> now.getOrDefault(s, 0))).isFalse();
    assertThat(state.incident.incidentId).isEqualTo(id);
    assertThat(state.incident.scope).isEqualTo("nodegroup:a");
  }

  @Test
  void shouldMoveOnARecheckOnlyWhenEveryHeldNodeStaysHeld() {
    // A storm held in group a (3 of 4); two more nodes in group b, whose driver scope is the
    // same. The driver scope shrinks enough to explain all five.
    Map<String, Integer> now = new HashMap<>(Map.of("nodegroup:a", 4, "nodegroup:b", 40));
    now.put("driver:580", 100);
    openAll(now, "a", 3, "580", T0);
    openAll(now, "b", 2, "580", T0 + 10);
    String id = opened().get(0).getIncidentId();
    out.clear();

    now.put("driver:580", 20);
    out.addAll(correlator.recheck(state, SIG, T0 + 20, s -> now.getOrDefault(s, 0)));
    assertThat(out)
        .extracting(FleetIncident::getScope, FleetIncident::getState, FleetIncident::getIncidentId)
        .containsExactly(
            tuple("nodegroup:a", IncidentState.CLEARED, id),
            tuple("driver:580", IncidentState.UPDATED, id));

    // The same with group a's nodes on two drivers: moving would release a-0.
    var split = new FleetCorrelator.SignatureState();
    List<FleetIncident> moved = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String node = (i < 3 ? "a-" : "b-") + i;
      String driver = i == 0 ? "driver:570" : "driver:580";
      String group = i < 3 ? "nodegroup:a" : "nodegroup:b";
      correlator.apply(
          split,
          CorrelationEvent.verdict(node, List.of(group, driver), SIG, "v" + i, "X", true, T0 + i),
          s -> s.equals("driver:580") ? 100 : now.getOrDefault(s, 10));
    }
    assertThat(split.incident.scope).isEqualTo("nodegroup:a");
    moved.addAll(
        correlator.recheck(
            split, SIG, T0 + 20, s -> s.equals("driver:580") ? 8 : now.getOrDefault(s, 10)));
    assertThat(moved).as("driver 580 covers 4 > 3 but not a-0").isEmpty();
    assertThat(split.incident.scope).isEqualTo("nodegroup:a");
  }
}
