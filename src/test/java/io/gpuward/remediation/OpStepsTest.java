package io.gpuward.remediation;

import static io.gpuward.remediation.GateFixtures.NOW;
import static io.gpuward.remediation.GateFixtures.POLICY;
import static io.gpuward.remediation.GateFixtures.node;
import static io.gpuward.remediation.GateFixtures.open;
import static io.gpuward.remediation.GateFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpStepsTest {
  private final Ledger ledger = new Ledger();
  private final FaultVerdict lost = open(FaultClass.GPU_LOST, RemediationAction.REBOOT);

  private Route route() {
    return Route.go(
        List.of(),
        List.of(
            Op.latest(lost.getNode(), lost.getVerdictId(), RemediationAction.CORDON, ledger),
            Op.latest(lost.getNode(), lost.getVerdictId(), RemediationAction.DRAIN, ledger)),
        null);
  }

  private Decision write(Observed o, SkipGates.Block block) {
    return OpSteps.write(lost, o, POLICY.ladder(), NOW, route(), block);
  }

  @Test
  void shouldWriteOneStepPerOperationNotFinished() {
    record(ledger, lost, RemediationAction.CORDON, 1, Outcome.SUCCEEDED, NOW, null);
    assertThat(write(Observed.of(node("op"), ledger), null).steps())
        .singleElement()
        .satisfies(s -> assertThat(s.action()).isEqualTo(RemediationAction.DRAIN))
        .satisfies(s -> assertThat(s.detail()).isEqualTo("GPU_LOST: XID 79"));
  }

  @Test
  void shouldWriteOneRecordForABlockedPlanButEveryStepOfADryRun() {
    var o = Observed.of(node(null), ledger);
    assertThat(write(o, new SkipGates.Block(SkipReason.PAUSED, "paused")).steps()).hasSize(1);
    assertThat(write(o, new SkipGates.Block(SkipReason.DRY_RUN, "dry run")).steps()).hasSize(2);
  }

  @Test
  void shouldDeferAStartedStepAnotherLaneCarriesOut() {
    String op = record(ledger, lost, RemediationAction.CORDON, 1, Outcome.STARTED, NOW, null);
    var o = Observed.of(node(null), ledger).with(op::equals, Observed.NO_HISTORY);
    assertThat(write(o, null)).isInstanceOf(Decision.Defer.class);
  }

  @Test
  void shouldRetryAStartedCordonLiveStateShowsNotDone() {
    record(ledger, lost, RemediationAction.CORDON, 1, Outcome.STARTED, NOW, null);
    assertThat(write(Observed.of(node(null), ledger), null).steps().get(0))
        .satisfies(s -> assertThat(s.attempt()).isEqualTo(2))
        .satisfies(
            s ->
                assertThat(s.detail())
                    .startsWith("retry after restart (attempt 2): the node is not cordoned"));
  }
}
