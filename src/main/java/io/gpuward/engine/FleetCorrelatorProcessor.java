package io.gpuward.engine;

import io.gpuward.avro.FleetIncident;
import io.gpuward.engine.domain.CorrelationEvent;
import io.gpuward.engine.domain.FleetCorrelator;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs {@link FleetCorrelator} per scope, state in {@value EngineNames#CORRELATION_STORE}. */
final class FleetCorrelatorProcessor
    implements Processor<String, CorrelationEvent, String, FleetIncident> {
  private static final Logger log = LoggerFactory.getLogger(FleetCorrelatorProcessor.class);

  private final FleetCorrelator correlator;
  private ProcessorContext<String, FleetIncident> context;
  private KeyValueStore<String, FleetCorrelator.ScopeState> states;

  FleetCorrelatorProcessor(FleetCorrelator correlator) {
    this.correlator = correlator;
  }

  @Override
  public void init(ProcessorContext<String, FleetIncident> context) {
    this.context = context;
    this.states = context.getStateStore(EngineNames.CORRELATION_STORE);
  }

  @Override
  public void process(Record<String, CorrelationEvent> record) {
    if (record.key() == null || record.value() == null) {
      return;
    }
    FleetCorrelator.ScopeState s = states.get(record.key());
    if (s == null) {
      s = new FleetCorrelator.ScopeState();
    }
    var change = correlator.apply(s, record.value());
    states.put(record.key(), s);
    change.ifPresent(
        i -> {
          log.info(
              "fleet incident {} scope={} signature={} nodes={} incidentId={}",
              i.getState(),
              i.getScope(),
              i.getSignature(),
              i.getNodes().size(),
              i.getIncidentId());
          context.forward(new Record<>(i.getScope(), i, i.getUpdatedAt().toEpochMilli()));
        });
  }
}
