package io.gpuward.contract;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.GpuTelemetryRollup;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.XidEvent;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The typed topic registry: every topic of the contract ({@code streams/topics.yaml}) bound to its
 * Avro value type and serde. Immutable; built once per role at startup.
 */
public final class Topics {

  private final TopicCatalog catalog;
  public final Topic<GpuSample> gpu;
  public final Topic<XidEvent> xid;
  public final Topic<GpuTelemetryRollup> rollup;
  public final Topic<NodeEvent> kubeEvents;
  public final Topic<NodeInventory> inventory;
  public final Topic<FaultVerdict> verdicts;
  public final Topic<NodeHealth> health;
  public final Topic<FleetIncident> incidents;
  public final Topic<RemediationRecord> audit;

  /** The audit of a shadow remediator: not part of the contract, read by the shadow diff only. */
  public final Topic<RemediationRecord> auditShadow;

  public final Topic<ControlCommand> control;
  public final Topic<DeadLetter> dlq;

  public Topics(TopicCatalog catalog, SerdeFactory serdes) {
    this.catalog = catalog;
    this.gpu = bind(catalog, serdes, "gpu", GpuSample.class);
    this.xid = bind(catalog, serdes, "xid", XidEvent.class);
    this.rollup = bind(catalog, serdes, "rollup", GpuTelemetryRollup.class);
    this.kubeEvents = bind(catalog, serdes, "kubeEvents", NodeEvent.class);
    this.inventory = bind(catalog, serdes, "inventory", NodeInventory.class);
    this.verdicts = bind(catalog, serdes, "verdicts", FaultVerdict.class);
    this.health = bind(catalog, serdes, "health", NodeHealth.class);
    this.incidents = bind(catalog, serdes, "incidents", FleetIncident.class);
    this.audit = bind(catalog, serdes, "audit", RemediationRecord.class);
    this.auditShadow = bind(catalog, serdes, "auditShadow", RemediationRecord.class);
    this.control = bind(catalog, serdes, "control", ControlCommand.class);
    this.dlq = bind(catalog, serdes, "dlq", DeadLetter.class);
  }

  private Topics(Topics base, Topic<RemediationRecord> audit) {
    this.catalog = base.catalog;
    this.gpu = base.gpu;
    this.xid = base.xid;
    this.rollup = base.rollup;
    this.kubeEvents = base.kubeEvents;
    this.inventory = base.inventory;
    this.verdicts = base.verdicts;
    this.health = base.health;
    this.incidents = base.incidents;
    this.audit = audit;
    this.auditShadow = base.auditShadow;
    this.control = base.control;
    this.dlq = base.dlq;
  }

  /**
   * The topics as a shadow remediator sees them: its audit, where it writes its decisions and
   * rebuilds its ledger from, is {@link #auditShadow}. The live audit is out of its reach.
   */
  public Topics forShadow() {
    return new Topics(this, auditShadow);
  }

  private static <V extends SpecificRecord> Topic<V> bind(
      TopicCatalog catalog, SerdeFactory serdes, String id, Class<V> type) {
    TopicSpec spec = catalog.spec(id);
    if (!spec.valueRecord().equals(type.getSimpleName())) {
      throw new IllegalArgumentException(
          "topic catalog: topics."
              + id
              + ".value is "
              + spec.valueRecord()
              + " but the contract requires "
              + type.getSimpleName());
    }
    return new Topic<>(spec, type, serdes.valueSerde(type));
  }

  public TopicCatalog catalog() {
    return catalog;
  }

  /** The topic with catalog id {@code id}; fails naming the id when there is none. */
  public Topic<? extends SpecificRecord> byId(String id) {
    return all().stream()
        .filter(t -> t.spec().id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no topic with catalog id '" + id + "'"));
  }

  private List<Topic<? extends SpecificRecord>> all() {
    return List.of(
        gpu,
        xid,
        rollup,
        kubeEvents,
        inventory,
        verdicts,
        health,
        incidents,
        audit,
        auditShadow,
        control,
        dlq);
  }

  /** Every topic spec, for creating them at startup. */
  public List<TopicSpec> specs() {
    return catalog.all();
  }
}
