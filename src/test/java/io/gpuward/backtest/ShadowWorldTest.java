package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.remediation.FleetView;
import io.gpuward.remediation.Ledger;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.testing.SampleRecords;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShadowWorldTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private final Ledger ledger = new Ledger();

  private void done(String node, String op, RemediationAction a, int at) {
    ledger.record(
        RemediationRecord.newBuilder(SampleRecords.remediationRecord())
            .setOperationId(op)
            .setVerdictId("v-" + node)
            .setNode(node)
            .setAction(a)
            .setOutcome(Outcome.SUCCEEDED)
            .setReason(null)
            .setAt(T0.plusSeconds(at))
            .build());
  }

  private ShadowWorld restarted() {
    ShadowWorld world = new ShadowWorld();
    world.follow(new FleetView(), ledger);
    return world;
  }

  @Test
  void shouldKeepTheCordonsARestartedShadowsLedgerSaysItHolds() {
    done("a", "op-a-cordon", RemediationAction.CORDON, 10);
    done("b", "op-b-cordon", RemediationAction.CORDON, 10);
    done("b", "op-b-uncordon", RemediationAction.UNCORDON, 20);

    ShadowWorld world = restarted();

    assertThat(world.node("a").map(LiveNode::cordonedBy))
        .as("cordoned by the shadow before its restart")
        .contains(Optional.of("op-a-cordon"));
    assertThat(world.node("b").orElseThrow().cordonedBy()).as("uncordoned since").isEmpty();
    assertThat(world.node("c").orElseThrow().cordonedBy()).as("never touched").isEmpty();
  }

  @Test
  void shouldKeepARestartedShadowsReplacedNodesGoneAndItsRebootsCounted() {
    done("a", "op-a-replace", RemediationAction.REPLACE, 10);
    done("b", "op-b-reboot", RemediationAction.REBOOT, 10);

    ShadowWorld world = restarted();

    assertThat(world.node("a")).isEmpty();
    assertThat(world.node("b").orElseThrow().bootId())
        .isNotEqualTo(world.node("c").orElseThrow().bootId());
  }
}
