package io.gpuward.engine;

import io.gpuward.avro.FleetIncident;
import io.gpuward.engine.domain.CorrelationEvent;
import io.gpuward.engine.domain.FleetCorrelator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

  /**
   * One row of a storm in the signatures store (JSON): a node with the signature open (key {@code
   * n<0>signature<0>node}: its event time and scopes), or the storm's incident (key {@code
   * i<0>signature}). Row-wise, so no record grows with the storm beyond the incident's node list.
   */
  public static final class Row {
    public long at;
    public List<String> scopes;
    public FleetCorrelator.Incident incident;
  }

  private static final char SEP = '\u0000';

  /** A node's scopes (JSON in the members store). */
  public static final class Membership {
    public List<String> scopes = List.of();
  }

  private final FleetCorrelator correlator;
  private final Map<String, Integer> sizes = new HashMap<>();
  private ProcessorContext<String, FleetIncident> context;
  private WriteBackStore<String, Row> signatures;
  private final Map<String, FleetCorrelator.SignatureState> storms = new HashMap<>();
  private KeyValueStore<String, Membership> members;

  /** Incidents whose scope outgrew them, already logged (bounded by the open incidents). */
  private final Set<String> unexplainedSaid = new HashSet<>();

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
    signatures.forEach(
        (key, row) -> {
          int first = key.indexOf(SEP, 2);
          if (key.charAt(0) == 'i') {
            storms.computeIfAbsent(key.substring(2), k -> new FleetCorrelator.SignatureState())
                    .incident =
                row.incident;
          } else if (first > 0) {
            FleetCorrelator.Affected a = new FleetCorrelator.Affected();
            a.at = row.at;
            a.scopes = row.scopes;
            storms
                .computeIfAbsent(key.substring(2, first), k -> new FleetCorrelator.SignatureState())
                .open
                .put(key.substring(first + 1), a);
          }
        });
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
    publish(e.signature, s, correlator.apply(s, e, scope -> sizes.getOrDefault(scope, 0)));
  }

  /** Persists what changed in a storm's rows (each is serialised once per commit) and publishes. */
  private void publish(
      String signature, FleetCorrelator.SignatureState s, List<FleetIncident> changes) {
    for (String node : s.drainTouched()) {
      FleetCorrelator.Affected a = s.open.get(node);
      Row row = null;
      if (a != null) {
        row = new Row();
        row.at = a.at;
        row.scopes = a.scopes;
      }
      signatures.put("n" + SEP + signature + SEP + node, row);
    }
    Row inc = null;
    if (s.incident != null) {
      inc = new Row();
      inc.incident = s.incident;
    }
    signatures.put("i" + SEP + signature, inc);
    if (s.open.isEmpty() && s.incident == null) {
      storms.remove(signature);
    }
    if (s.incident == null) {
      changes.forEach(i -> unexplainedSaid.remove(i.getIncidentId()));
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
    Set<String> shrunk = new TreeSet<>(old);
    shrunk.removeAll(now);
    Set<String> grown = new TreeSet<>(now);
    grown.removeAll(old);
    shrunk.forEach(s -> sizes.computeIfPresent(s, (k, n) -> n <= 1 ? null : n - 1));
    grown.forEach(s -> sizes.merge(s, 1, Integer::sum));
    if (now.isEmpty()) {
      members.delete(e.node);
    } else {
      Membership m = new Membership();
      m.scopes = List.copyOf(e.scopes);
      members.put(e.node, m);
    }
    rescope(e);
    recheck(shrunk, e);
    noteUnexplained(grown, e);
  }

  /** The storms the node is in count it in its scopes now (none once it left the fleet). */
  private void rescope(CorrelationEvent e) {
    Map<String, FleetCorrelator.SignatureState> changed = new TreeMap<>();
    storms.forEach(
        (signature, s) -> {
          if (correlator.rescope(s, e.node, e.scopes)) {
            changed.put(signature, s);
          }
        });
    changed.forEach((signature, s) -> publish(signature, s, List.of()));
  }

  /**
   * Storms in a scope that shrank are looked at again: the removal may have reached this task after
   * the storm's verdicts (another partition lagged), and no verdict of the storm may follow.
   */
  private void recheck(Set<String> shrunk, CorrelationEvent e) {
    if (shrunk.isEmpty()) {
      return;
    }
    for (String signature : new TreeSet<>(storms.keySet())) {
      FleetCorrelator.SignatureState s = storms.get(signature);
      if (shrunk.stream().anyMatch(scope -> s.count(scope) > 0)) {
        publish(
            signature,
            s,
            correlator.recheck(s, signature, e.at, scope -> sizes.getOrDefault(scope, 0)));
      }
    }
  }

  /**
   * An incident is never lifted because its scope grew: the growth may only have arrived late, and
   * releasing a held storm node by node is the failure the hold exists to prevent. Said once per
   * incident and process, for the operator who may approve the incident's verdicts.
   */
  private void noteUnexplained(Set<String> grown, CorrelationEvent e) {
    for (String scope : grown) {
      storms.forEach(
          (signature, s) -> {
            if (s.incident != null
                && s.incident.scope.equals(scope)
                && !correlator.explainedStill(s, sc -> sizes.getOrDefault(sc, 0))
                && unexplainedSaid.add(s.incident.incidentId)) {
              log.info(
                  "fleet incident kept scope={} signature={} incidentId={}: {} joined and the scope"
                      + " now has {} nodes, too many for this storm to open it; its verdicts stay"
                      + " held until the storm clears or an operator approves them",
                  scope,
                  signature,
                  s.incident.incidentId,
                  e.node,
                  sizes.getOrDefault(scope, 0));
            }
          });
    }
  }
}
