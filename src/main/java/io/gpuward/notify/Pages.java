package io.gpuward.notify;

import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.AvroJson;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Which records page someone, as which event. Pure. An escalation pages once it was carried out
 * (SUCCEEDED: the Kubernetes Event and the audit record exist), with its operation id as the event
 * id, so a configuration scope escalated once pages once; a fleet incident pages when it opens.
 */
public final class Pages {
  public static final String ESCALATION = "io.gpuward.escalation";
  public static final String INCIDENT_OPENED = "io.gpuward.incident.opened";

  static final String REMEDIATOR = "/gpuward/remediator";
  static final String ENGINE = "/gpuward/engine";

  private Pages() {}

  /** The page a record raises, or empty when it raises none. */
  public static Optional<CloudEvent> of(SpecificRecord r) {
    if (r instanceof RemediationRecord a
        && a.getAction() == RemediationAction.ESCALATE
        && a.getOutcome() == Outcome.SUCCEEDED
        && !Boolean.TRUE.equals(a.getDryRun())) {
      return Optional.of(
          new CloudEvent(
              a.getOperationId(),
              REMEDIATOR,
              ESCALATION,
              a.getNode(),
              a.getAt(),
              AvroJson.toJson(a)));
    }
    if (r instanceof FleetIncident i && i.getState() == IncidentState.OPEN) {
      return Optional.of(
          new CloudEvent(
              i.getIncidentId() + "/" + i.getScope() + "/OPEN",
              ENGINE,
              INCIDENT_OPENED,
              i.getScope(),
              i.getDetectedAt(),
              AvroJson.toJson(i)));
    }
    return Optional.empty();
  }
}
