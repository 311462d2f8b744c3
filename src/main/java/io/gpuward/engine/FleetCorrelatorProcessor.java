package io.gpuward.engine;

import io.gpuward.avro.FleetIncident;
import io.gpuward.engine.domain.CorrelationEvent;
import io.gpuward.engine.domain.FleetCorrelator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link FleetCorrelator} per signature (storms as live objects, changelogged through the
 * write-back {@value EngineNames#CORRELATION_STORE}), with every scope's size counted from node
 * memberships ({@value EngineNames#CORRELATION_MEMBERS_STORE}; the counts are rebuilt from it at
 * init). All correlation events share one key, so one task sees the whole fleet: they are verdict
 * changes and inventory changes only, never samples.
 */
final class FleetCorrelatorProcessor
    implements Processor<String, CorrelationEvent, String, FleetIncident> {
  private static final Logger log = LoggerFactory.getLogger(FleetCorrelatorProcessor.class);

  /** A node's scopes (JSON in the members store). */
  public static final class Membership {
    public List<String> scopes = List.of();
  }

  private final FleetCorrelator correlator;
  private final Map<String, Integer> sizes = new HashMap<>();
  private ProcessorContext<String, FleetIncident> context;
  private WriteBackStore<String, FleetCorrelator.SignatureState> signatures;
  private final Map<String, FleetCorrelator.SignatureState> storms = new HashMap<>();
  private KeyValueStore<String, Membership> members;

  FleetCorrelatorProcessor(FleetCorrelator correlator) {
    this.correlator = correlator;
  }

  @Override
  public void init(ProcessorContext<String, FleetIncident> context) {
    this.context = context;
    this.signatures = context.getStateStore(EngineNames.CORRELATION_STORE);
    this.members = context.getStateStore(EngineNames.CORRELATION_MEMBERS_STORE);
    sizes.clear();
    storms.clear();
    signatures.forEach(storms::put);
    try (var it = members.all()) {
      it.forEachRemaining(kv -> kv.value.scopes.forEach(s -> sizes.merge(s, 1, Integer::sum)));
    }
  }

  @Override
  public void process(Record<String, CorrelationEvent> record) {
    CorrelationEvent e = record.value();
    if (e == null || e.node == null) {
      return;
    }
    if (e.isMember()) {
      member(e);
      return;
    }
    FleetCorrelator.SignatureState s =
        storms.computeIfAbsent(e.signature, k -> new FleetCorrelator.SignatureState());
    List<FleetIncident> changes = correlator.apply(s, e, scope -> sizes.getOrDefault(scope, 0));
    if (s.open.isEmpty() && s.incident == null) {
      storms.remove(e.signature);
      signatures.put(e.signature, null);
    } else {
      signatures.put(e.signature, s); // serialised once per commit, however large the storm
    }
    for (FleetIncident i : changes) {
      log.info(
          "fleet incident {} scope={} signature={} nodes={} incidentId={}",
          i.getState(),
          i.getScope(),
          i.getSignature(),
          i.getNodes().size(),
          i.getIncidentId());
      context.forward(new Record<>(i.getScope(), i, i.getUpdatedAt().toEpochMilli()));
    }
  }

  private void member(CorrelationEvent e) {
    Membership before = members.get(e.node);
    Set<String> old = before == null ? Set.of() : new HashSet<>(before.scopes);
    Set<String> now = new HashSet<>(e.scopes);
    if (old.equals(now)) {
      return;
    }
    for (String s : old) {
      if (!now.contains(s)) {
        sizes.computeIfPresent(s, (k, n) -> n <= 1 ? null : n - 1);
      }
    }
    for (String s : now) {
      if (!old.contains(s)) {
        sizes.merge(s, 1, Integer::sum);
      }
    }
    if (now.isEmpty()) {
      members.delete(e.node);
    } else {
      Membership m = new Membership();
      m.scopes = List.copyOf(e.scopes);
      members.put(e.node, m);
    }
  }
}
