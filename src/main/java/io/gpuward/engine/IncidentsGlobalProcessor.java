package io.gpuward.engine;

import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.contract.IncidentHolds;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Feeds the global {@value EngineNames#INCIDENTS_STORE} from {@code gpuward.incidents.v1}: the
 * topic is keyed by scope (contract), but one scope can hold several storms of different signatures
 * at once, so the store is keyed by {@link IncidentHolds#key scope and signature} and holds only
 * open incidents (CLEARED deletes). Kafka Streams runs this processor on restore as well, so a
 * restarted engine rebuilds the same store from the topic.
 */
final class IncidentsGlobalProcessor implements Processor<String, FleetIncident, Void, Void> {
  private KeyValueStore<String, FleetIncident> store;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.store = context.getStateStore(EngineNames.INCIDENTS_STORE);
  }

  @Override
  public void process(Record<String, FleetIncident> record) {
    FleetIncident i = record.value();
    if (i == null || i.getScope() == null || i.getSignature() == null) {
      return; // a tombstone or foreign record: the contract's incidents are never keyless
    }
    String key = IncidentHolds.key(i.getScope(), i.getSignature());
    if (i.getState() == IncidentState.CLEARED) {
      store.delete(key);
    } else {
      store.put(key, i);
    }
  }
}
