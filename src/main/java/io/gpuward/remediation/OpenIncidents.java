package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.NodeInventory;
import io.gpuward.contract.IncidentHolds;
import io.gpuward.contract.Signatures;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open fleet incidents as the remediator read them from the incidents topic. The engine holds
 * the verdicts an incident covers, but it publishes the held version some time after the incident
 * (its hold check runs on its own schedule): a disruptive step that passed the barriers checks the
 * incidents itself, by the same rule, and does not race that version. Thread-safe.
 */
public final class OpenIncidents {
  private final Map<String, FleetIncident> open = new ConcurrentHashMap<>();

  /**
   * An incident emission: CLEARED ends the storm of its scope and signature, any other state opens
   * or updates it (keyed as the engine's incidents store is).
   */
  public void apply(FleetIncident i) {
    String key = IncidentHolds.key(i.getScope(), i.getSignature());
    if (i.getState() == IncidentState.CLEARED) {
      open.remove(key);
    } else {
      open.put(key, i);
    }
  }

  public int size() {
    return open.size();
  }

  /** The open incident that covers {@code v} on the node's scopes now, if one does. */
  Optional<FleetIncident> covering(FaultVerdict v, FleetView fleet) {
    String signature = Signatures.of(v);
    Map<String, String> scopes = scopesOf(v, fleet);
    List<FleetIncident> candidates =
        scopes.values().stream()
            .map(scope -> open.get(IncidentHolds.key(scope, signature)))
            .filter(i -> i != null)
            .toList();
    return IncidentHolds.holding(v, candidates, scopes);
  }

  /** Every scope the node is in: from its inventory when read, else from the verdict. */
  private static Map<String, String> scopesOf(FaultVerdict v, FleetView fleet) {
    Optional<NodeInventory> inv = fleet.inventory(v.getNode());
    return inv.isPresent()
        ? IncidentHolds.scopes(
            IncidentHolds.ALL_KINDS,
            inv.get().getNodegroup(),
            inv.get().getZone(),
            inv.get().getImage(),
            inv.get().getDriverVersion())
        : IncidentHolds.scopes(IncidentHolds.ALL_KINDS, v.getNodegroup(), v.getZone(), null, null);
  }
}
