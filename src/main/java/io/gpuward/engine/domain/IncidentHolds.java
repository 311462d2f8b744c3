package io.gpuward.engine.domain;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** Whether an open fleet incident covers a verdict: same signature, and a scope of its node. */
public final class IncidentHolds {
  private static final char SEP = '\u0000';

  private IncidentHolds() {}

  /**
   * The key of an open incident in the incidents store: its scope and signature (a scope can hold
   * several storms of different signatures at once; one storm per signature fleet-wide).
   */
  public static String key(String scope, String signature) {
    return scope + SEP + signature;
  }

  public static Optional<FleetIncident> holding(
      FaultVerdict v, Collection<FleetIncident> incidents, Map<String, String> nodeScopes) {
    String signature = Signatures.of(v);
    for (FleetIncident i : incidents) {
      if (i.getState() != IncidentState.CLEARED
          && i.getSignature().equals(signature)
          && nodeScopes.containsValue(i.getScope())) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
