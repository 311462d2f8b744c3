package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import java.util.List;
import java.util.Optional;

/** A recommended action the policy gives no steps: recorded once as PLANNED NONE, then nothing. */
record NoActionGate(RemediationPolicy policy) {

  /** Empty when the policy has steps for {@code recommended}: the plan goes on. */
  Optional<Decision> decide(FaultVerdict v, RemediationAction recommended, Ledger ledger) {
    if (!policy.stepsFor(recommended).isEmpty()) {
      return Optional.empty();
    }
    String op = OperationIds.of(v.getNode(), v.getVerdictId(), RemediationAction.NONE, 1);
    if (ledger.decided(op) || ledger.outcome(op).isPresent()) {
      return Optional.of(new Decision.Skip("no action; recorded already"));
    }
    return Optional.of(
        new Decision.Act(
            List.of(
                new Step(
                    op,
                    RemediationAction.NONE,
                    1,
                    null,
                    "policy takes no action for " + v.getFaultClass()))));
  }
}
