package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.SkipReason;
import java.util.ArrayList;
import java.util.List;

/**
 * A cleared verdict: undo gpuward's cordon (once {@link ValidateGate} passed the repair). Never
 * blocked by budgets or holds; only a dry run stops it. Whether another open verdict keeps the node
 * cordoned is the loop's to say when it applies.
 */
record RecoveryGate() {

  Decision decide(FaultVerdict v, Observed o) {
    return decide(v, o, List.of());
  }

  /**
   * The uncordon, after {@code facts} (what validation established). A node gpuward kept
   * schedulable and marked degraded gets one too: it takes the mark off and nothing else.
   */
  Decision decide(FaultVerdict v, Observed o, List<Step> facts) {
    if (o.live().isEmpty()
        || (o.live().get().cordonedBy().isEmpty() && !o.live().get().degraded())) {
      return new Decision.Skip("cleared; the node is not cordoned by gpuward");
    }
    String op = OperationIds.of(v.getNode(), v.getVerdictId(), RemediationAction.UNCORDON, 1);
    if (o.ledger().finished(op)) {
      return Decision.of(facts, new Decision.Skip("cleared; uncordoned already"));
    }
    List<Step> steps = new ArrayList<>(facts);
    steps.add(
        new Step(
            op,
            RemediationAction.UNCORDON,
            1,
            o.dryRun() ? SkipReason.DRY_RUN : null,
            "verdict cleared: " + v.getClearReason()));
    return new Decision.Act(steps);
  }
}
