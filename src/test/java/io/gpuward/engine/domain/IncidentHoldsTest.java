package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.contract.IncidentHolds;
import io.gpuward.contract.Signatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentHoldsTest {
  private static final String NODE = "p5-train-4";

  private final RuleParams.Correlation correlation = Verdicts.RULES.correlation();

  /** The scopes of a node of group p5-train in us-east-1a, as the engine derives them. */
  private final Map<String, String> scopes =
      IncidentHolds.scopes(
          correlation.scopes(), "p5-train", "us-east-1a", "al2023-nvidia", "580.95.05");

  private final FaultVerdict lost = Verdicts.xid(NODE, 79);

  /** The incident the shipped correlation rules open for a storm of {@code v}'s signature. */
  private FleetIncident storm(FaultVerdict v) {
    FleetCorrelator correlator = new FleetCorrelator(correlation);
    FleetCorrelator.SignatureState state = new FleetCorrelator.SignatureState();
    Map<String, Integer> sizes = Map.of(scopes.get("nodegroup"), correlation.minNodes() + 1);
    List<FleetIncident> out = new ArrayList<>();
    for (int i = 0; i < correlation.minNodes(); i++) {
      var e =
          CorrelationEvent.verdict(
              "p5-train-" + i,
              List.copyOf(scopes.values()),
              Signatures.of(v),
              "v-" + i,
              v.getFaultClass().name(),
              true,
              T0.plusSeconds(i).toEpochMilli());
      out.addAll(correlator.apply(state, e, s -> sizes.getOrDefault(s, 1000)));
    }
    return out.get(out.size() - 1);
  }

  @Test
  void shouldHoldAVerdictOfTheStormsSignatureInTheStormsScope() {
    FleetIncident incident = storm(lost);
    assertThat(incident.getScope()).isEqualTo("nodegroup:p5-train");
    assertThat(IncidentHolds.holding(lost, List.of(incident), scopes)).contains(incident);
    FleetIncident updated =
        FleetIncident.newBuilder(incident).setState(IncidentState.UPDATED).build();
    assertThat(IncidentHolds.holding(lost, List.of(updated), scopes)).contains(updated);
  }

  @Test
  void shouldHoldAVerdictThroughAnyScopeOfItsNode() {
    FleetIncident zone = FleetIncident.newBuilder(storm(lost)).setScope("zone:us-east-1a").build();
    assertThat(IncidentHolds.holding(lost, List.of(zone), scopes)).contains(zone);
  }

  @Test
  void shouldNotHoldAVerdictOnceTheIncidentCleared() {
    FleetIncident cleared =
        FleetIncident.newBuilder(storm(lost)).setState(IncidentState.CLEARED).build();
    assertThat(IncidentHolds.holding(lost, List.of(cleared), scopes)).isEmpty();
  }

  @Test
  void shouldNotHoldAVerdictOfAnotherSignature() {
    FleetIncident xid119 = storm(Verdicts.xid(NODE, 119));
    assertThat(IncidentHolds.holding(lost, List.of(xid119), scopes)).isEmpty();
  }

  @Test
  void shouldNotHoldAVerdictOfANodeOutsideTheScope() {
    Map<String, String> elsewhere =
        IncidentHolds.scopes(
            correlation.scopes(), "g5-infer", "us-east-1b", "bottlerocket", "570.172.08");
    assertThat(IncidentHolds.holding(lost, List.of(storm(lost)), elsewhere)).isEmpty();
  }

  @Test
  void shouldKeyEachScopeAndSignatureApartEvenWhenTheirTextRunsTogether() {
    assertThat(IncidentHolds.key("nodegroup:a", "GPU_LOST:xid=79"))
        .isNotEqualTo(IncidentHolds.key("nodegroup:b", "GPU_LOST:xid=79"))
        .isNotEqualTo(IncidentHolds.key("nodegroup:a", "GPU_LOST:xid=48"))
        .isNotEqualTo(IncidentHolds.key("nodegroup:a:GPU_LOST", "xid=79"))
        .startsWith("nodegroup:a")
        .endsWith("GPU_LOST:xid=79");
  }
}
