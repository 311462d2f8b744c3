package io.gpuward.engine;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.VerdictState;
import io.gpuward.engine.domain.CorrelationEvent;
import io.gpuward.engine.domain.FleetCorrelator;
import io.gpuward.engine.domain.Signatures;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Re-keys verdict changes and inventory memberships by scope (node group, zone, image, driver from
 * inventory) for the fleet correlator: one {@link CorrelationEvent} per scope the node is in.
 */
final class CorrelationKeysProcessor
    implements Processor<String, SpecificRecord, String, CorrelationEvent> {
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
    if (record.value() instanceof NodeInventory inv) {
      scopes(inv)
          .values()
          .forEach(
              scope ->
                  forward(
                      scope,
                      CorrelationEvent.member(scope, inv.getNode(), true, record.timestamp())));
    } else if (record.value() instanceof FaultVerdict v) {
      NodeInventory inv = ValueAndTimestamp.getValueOrNull(inventory.get(v.getNode()));
      var scopes =
          inv != null
              ? scopes(inv)
              : FleetCorrelator.scopes(scopeKinds, v.getNodegroup(), v.getZone(), null, null);
      boolean open = v.getState() != VerdictState.CLEARED;
      String signature = Signatures.of(v);
      scopes
          .values()
          .forEach(
              scope ->
                  forward(
                      scope,
                      CorrelationEvent.verdict(
                          scope,
                          v.getNode(),
                          inv != null ? inv.getNodegroup() : v.getNodegroup(),
                          signature,
                          v.getVerdictId(),
                          v.getFaultClass().name(),
                          open,
                          v.getUpdatedAt().toEpochMilli())));
    }
  }

  private java.util.Map<String, String> scopes(NodeInventory inv) {
    return FleetCorrelator.scopes(
        scopeKinds, inv.getNodegroup(), inv.getZone(), inv.getImage(), inv.getDriverVersion());
  }

  private void forward(String scope, CorrelationEvent e) {
    context.forward(new Record<>(scope, e, e.at));
  }
}
