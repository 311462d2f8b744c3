package io.gpuward.contract;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Whether an open fleet incident covers a verdict: same signature, and a scope of its node. The
 * engine holds verdicts by this rule and the remediator checks it again on the incidents it read
 * itself, so it lives with the contract both read.
 */
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

  /**
   * Every kind of scope an incident can be opened on. A consumer that does not know which kinds the
   * engine is configured with matches an incident against all of them: an unconfigured kind has no
   * incidents.
   */
  public static final List<String> ALL_KINDS = List.of("nodegroup", "driver", "image", "zone");

  /** The scopes a node belongs to, from inventory, in the configured order. */
  public static Map<String, String> scopes(
      List<String> kinds, String nodegroup, String zone, String image, String driver) {
    Map<String, String> out = new TreeMap<>();
    for (String k : kinds) {
      String v =
          switch (k) {
            case "nodegroup" -> nodegroup;
            case "zone" -> zone;
            case "image" -> image;
            case "driver" -> driver;
            default -> null;
          };
      if (v != null && !v.isBlank()) {
        out.put(k, k + ":" + v);
      }
    }
    return out;
  }
}
