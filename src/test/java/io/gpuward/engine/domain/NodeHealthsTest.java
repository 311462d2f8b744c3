package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.HealthState;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.Severity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeHealthsTest {
  private static final String NODE = "p5-train-3";
  private static final Instant AT = T0.plusSeconds(30);
  private final NodeContext ctx =
      new NodeContext("p5-train", "i-0123456789abcdef0", "us-east-1a", "p5.48xlarge");

  private NodeHealth health(FaultVerdict... open) {
    return NodeHealths.of(NODE, List.of(open), ctx, AT);
  }

  @Test
  void shouldBeHealthyWithNoOpenVerdictAndSayWhereTheNodeIs() {
    NodeHealth h = health();
    assertThat(h.getState()).isEqualTo(HealthState.HEALTHY);
    assertThat(h.getOpenVerdicts()).isEmpty();
    assertThat(h.getNode()).isEqualTo(NODE);
    assertThat(h.getNodegroup()).isEqualTo("p5-train");
    assertThat(h.getZone()).isEqualTo("us-east-1a");
    assertThat(h.getInstanceType()).isEqualTo("p5.48xlarge");
    assertThat(h.getUpdatedAt()).isEqualTo(AT);
  }

  @Test
  void shouldBeDegradedWhileOnlyInfoAndWarningVerdictsAreOpen() {
    FaultVerdict app = Verdicts.xid(NODE, 13);
    FaultVerdict stale = Verdicts.dcgmLost(NODE);
    assertThat(app.getSeverity()).isEqualTo(Severity.INFO);
    assertThat(stale.getSeverity()).isEqualTo(Severity.WARNING);
    assertThat(health(app, stale).getState()).isEqualTo(HealthState.DEGRADED);
  }

  @Test
  void shouldBeFaultyFromTheFirstMajorVerdict() {
    FaultVerdict unknownXid =
        Verdicts.xid(NODE, DomainFixtures.xidNotInCatalog(Verdicts.RULES.xid()));
    assertThat(unknownXid.getSeverity()).isEqualTo(Severity.MAJOR);
    assertThat(health(unknownXid).getState()).isEqualTo(HealthState.FAULTY);
    assertThat(health(Verdicts.xid(NODE, 13), Verdicts.xid(NODE, 79)).getState())
        .isEqualTo(HealthState.FAULTY);
  }

  @Test
  void shouldBeMisconfiguredWhileAConfigurationFaultIsOpenWhateverHardwareFaultsAreToo() {
    assertThat(health(Verdicts.driverRoot(NODE)).getState()).isEqualTo(HealthState.MISCONFIGURED);
    assertThat(health(Verdicts.xid(NODE, 79), Verdicts.imageMismatch(NODE)).getState())
        .as("replacing the node for its GPU would repeat the configuration fault")
        .isEqualTo(HealthState.MISCONFIGURED);
  }

  @Test
  void shouldListTheOpenVerdictsByClassWithWhatTheRemediatorNeeds() {
    FaultVerdict lost = Verdicts.xid(NODE, 79);
    FaultVerdict held =
        FaultVerdict.newBuilder(Verdicts.imageMismatch(NODE))
            .setHeld(true)
            .setIncidentId("inc-1")
            .build();
    FaultVerdict app = Verdicts.xid(NODE, 13);
    NodeHealth h = health(lost, held, app);
    assertThat(h.getOpenVerdicts())
        .extracting(r -> r.getFaultClass())
        .containsExactly(
            FaultClass.APP_XID, FaultClass.GPU_LOST, FaultClass.IMAGE_INSTANCE_MISMATCH);
    assertThat(h.getOpenVerdicts().get(2))
        .satisfies(
            r -> {
              assertThat(r.getVerdictId()).isEqualTo(held.getVerdictId());
              assertThat(r.getSeverity()).isEqualTo(held.getSeverity());
              assertThat(r.getRecommendedAction()).isEqualTo(held.getRecommendedAction());
              assertThat(r.getHeld()).isTrue();
            });
    assertThat(h.getOpenVerdicts().get(1).getHeld()).isFalse();
  }

  @Test
  void shouldLeaveWhereTheNodeIsEmptyUntilInventoryTells() {
    NodeHealth h = NodeHealths.of(NODE, List.of(), NodeContext.UNKNOWN, AT);
    assertThat(h.getNodegroup()).isNull();
    assertThat(h.getZone()).isNull();
    assertThat(h.getInstanceType()).isNull();
  }
}
