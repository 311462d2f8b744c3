package io.gpuward.engine;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.IncidentHolds;
import io.gpuward.contract.Signatures;
import io.gpuward.engine.domain.CorrelationEvent;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Turns verdict changes and inventory changes into {@link CorrelationEvent}s, each with the node's
 * scopes (node group, zone, image, driver from inventory), all under one key ({@link #FLEET}) so
 * the correlator sees the whole fleet. An inventory tombstone is the node leaving every scope.
 */
final class CorrelationKeysProcessor
    implements Processor<String, SpecificRecord, String, CorrelationEvent> {
  /** The one key of the correlation repartition. */
  static final String FLEET = "fleet";

  private final List<String> scopeKinds;
  private ProcessorContext<String, CorrelationEvent> context;
  private TimestampedKeyValueStore<String, NodeInventory> inventory;

  CorrelationKeysProcessor(List<String> scopeKinds) {
    this.scopeKinds = scopeKinds;
  }

  @Override
  public void init(ProcessorContext<String, CorrelationEvent> context) {
    this.context = context;
    this.inventory = context.getStateStore(EngineNames.INVENTORY_STORE);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (record.value() == null && record.key() != null) {
      forward(CorrelationEvent.member(record.key(), List.of(), record.timestamp()));
    } else if (record.value() instanceof NodeInventory inv) {
      forward(CorrelationEvent.member(inv.getNode(), scopes(inv), record.timestamp()));
    } else if (record.value() instanceof FaultVerdict v) {
      NodeInventory inv = ValueAndTimestamp.getValueOrNull(inventory.get(v.getNode()));
      List<String> scopes =
          inv != null
              ? scopes(inv)
              : List.copyOf(
                  IncidentHolds.scopes(scopeKinds, v.getNodegroup(), v.getZone(), null, null)
                      .values());
      forward(
          CorrelationEvent.verdict(
              v.getNode(),
              scopes,
              Signatures.of(v),
              v.getVerdictId(),
              v.getFaultClass().name(),
              v.getState() != VerdictState.CLEARED,
              v.getUpdatedAt().toEpochMilli()));
    }
  }

  private List<String> scopes(NodeInventory inv) {
    return List.copyOf(
        IncidentHolds.scopes(
                scopeKinds,
                inv.getNodegroup(),
                inv.getZone(),
                inv.getImage(),
                inv.getDriverVersion())
            .values());
  }

  private void forward(CorrelationEvent e) {
    context.forward(new Record<>(FLEET, e, e.at));
  }
}
