package io.gpuward.engine;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.IncidentHolds;
import io.gpuward.contract.Signatures;
import io.gpuward.engine.domain.GpuPods;
import io.gpuward.engine.domain.NodeContext;
import io.gpuward.engine.domain.NodeHealths;
import io.gpuward.engine.domain.Signal;
import io.gpuward.engine.domain.VerdictDecider;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each node's open verdicts ({@value EngineNames#VERDICT_STORE}, key {@code node|CLASS}),
 * applies signals to them through {@link VerdictDecider}, and emits a verdict and the node's new
 * health only when something changed. A stream-time punctuator expires verdicts past validUntil.
 */
final class VerdictProcessor implements Processor<String, Signal, String, SpecificRecord> {
  private static final Logger log = LoggerFactory.getLogger(VerdictProcessor.class);
  private static final StringSerializer KEYS = new StringSerializer();

  private final VerdictDecider decider;
  private final Duration expiryInterval;
  private final MeterRegistry meters;
  private final List<String> scopeKinds;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, FaultVerdict> verdicts;
  private KeyValueStore<String, Long> recovered;
  private TimestampedKeyValueStore<String, NodeInventory> inventory;
  private KeyValueStore<String, FleetIncident> incidents;
  private KeyValueStore<String, WindowSignalsProcessor.GpuSet> presence;

  VerdictProcessor(
      VerdictDecider decider,
      Duration expiryInterval,
      MeterRegistry meters,
      List<String> scopeKinds) {
    this.decider = decider;
    this.expiryInterval = expiryInterval;
    this.meters = meters;
    this.scopeKinds = scopeKinds;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.verdicts = context.getStateStore(EngineNames.VERDICT_STORE);
    this.recovered = context.getStateStore(EngineNames.RECOVERED_STORE);
    this.inventory = context.getStateStore(EngineNames.INVENTORY_STORE);
    this.incidents = context.getStateStore(EngineNames.INCIDENTS_STORE);
    this.presence = context.getStateStore(EngineNames.PRESENCE_STORE);
    context.schedule(expiryInterval, PunctuationType.STREAM_TIME, this::expire);
    context.schedule(HOLD_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::holdNewIncidents);
  }

  /**
   * How often open verdicts are checked against incidents that changed, in wall-clock time. The
   * first verdicts of a storm opened before their incident existed; the remediator waits {@code
   * correlationSettle} of event time for their hold, and stream-time expiry (every {@link
   * #expiryInterval} of stream time) reached them too late when event time runs fast (the demo at
   * speed 10: two storm members were drained before their hold arrived).
   */
  static final Duration HOLD_INTERVAL = Duration.ofMillis(250);

  private long incidentsSeen = Long.MIN_VALUE;

  private void holdNewIncidents(long wallMs) {
    long fingerprint = 0;
    try (var it = incidents.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        fingerprint = 31 * fingerprint + kv.key.hashCode();
        fingerprint = 31 * fingerprint + kv.value.getNodes().hashCode();
        fingerprint = 31 * fingerprint + kv.value.getState().hashCode();
      }
    }
    if (fingerprint == incidentsSeen) {
      return;
    }
    incidentsSeen = fingerprint;
    long streamMs = context.currentStreamTimeMs();
    if (streamMs < 0) {
      return;
    }
    hold(Instant.ofEpochMilli(streamMs));
  }

  /**
   * {@code d} with the pods of its GPUs whose pods it does not name (an XID) as the node's last
   * closed window saw them.
   */
  private Signal.Detected attributed(Signal.Detected d) {
    if (d.gpus().isEmpty()) {
      return d;
    }
    WindowSignalsProcessor.GpuSet last = presence.get(d.node());
    if (last == null || last.pods == null || last.pods.isEmpty()) {
      return d;
    }
    return new Signal.Detected(
        d.node(),
        d.faultClass(),
        d.severity(),
        d.action(),
        GpuPods.attribute(d.gpus(), last.pods, last.indexes),
        d.evidence(),
        d.ruleId(),
        d.eventTime(),
        d.summary(),
        d.fixHint());
  }

  @Override
  public void process(Record<String, Signal> record) {
    Signal signal = record.value();
    String node = signal.node();
    // Read (and decoded) only when a verdict changes: every closed window sends its node's
    // recoveries, which most of the time find no verdict to change.
    NodeContext ctx = null;
    List<FaultVerdict> emitted = new ArrayList<>();
    if (signal instanceof Signal.Detected d) {
      ctx = contextOf(node);
      String key = slot(node, d.faultClass());
      FaultVerdict current = verdicts.get(key);
      Long last = current == null ? recovered.get(key) : null;
      if (last != null && VerdictDecider.predates(d, Instant.ofEpochMilli(last))) {
        log.info(
            "stale detection ignored node={} class={} rule={}: its evidence began before the"
                + " node recovered at {}",
            node,
            d.faultClass(),
            d.ruleId(),
            Instant.ofEpochMilli(last));
        return;
      }
      var decision = decider.onDetected(Optional.ofNullable(current), attributed(d), ctx);
      apply(key, withHold(decision), emitted);
    } else if (signal instanceof Signal.Recovered r) {
      for (FaultClass c : r.classes()) {
        String key = slot(node, c);
        if (r.gpuUuids().isEmpty() && r.ruleId() == null) {
          Long was = recovered.get(key);
          long at = r.eventTime().toEpochMilli();
          if (was == null || was < at) {
            recovered.put(key, at);
          }
        }
        FaultVerdict current = verdicts.get(key);
        if (current != null) {
          apply(key, decider.onRecovered(current, r), emitted);
        }
      }
    }
    publish(node, ctx, emitted, signal.eventTime());
  }

  private void apply(String key, VerdictDecider.Decision decision, List<FaultVerdict> emitted) {
    if (decision.keep().isPresent()) {
      verdicts.put(key, decision.keep().get());
    } else {
      verdicts.delete(key);
    }
    decision.emit().ifPresent(emitted::add);
  }

  private NodeContext contextOf(String node) {
    return NodeContext.of(ValueAndTimestamp.getValueOrNull(inventory.get(node)));
  }

  /** Forwards the verdicts and the node's health; {@code known} is its context, or null. */
  private void publish(String node, NodeContext known, List<FaultVerdict> emitted, Instant at) {
    if (emitted.isEmpty()) {
      return;
    }
    NodeContext ctx = known != null ? known : contextOf(node);
    for (FaultVerdict v : emitted) {
      log.info(
          "verdict {} node={} class={} severity={} action={} verdictId={} rule={}",
          v.getState(),
          v.getNode(),
          v.getFaultClass(),
          v.getSeverity(),
          v.getRecommendedAction(),
          v.getVerdictId(),
          v.getRuleId());
      meters
          .counter(
              EngineMetrics.VERDICTS,
              "class",
              v.getFaultClass().name(),
              "state",
              v.getState().name())
          .increment();
      context.forward(new Record<>(node, v, v.getUpdatedAt().toEpochMilli()));
    }
    List<FaultVerdict> open = new ArrayList<>();
    try (var it = verdicts.prefixScan(node + "|", KEYS)) {
      it.forEachRemaining(kv -> open.add(kv.value));
    }
    context.forward(new Record<>(node, NodeHealths.of(node, open, ctx, at), at.toEpochMilli()));
  }

  /**
   * Holds a kept verdict when an open fleet incident covers it, and releases it when none does any
   * more; a change of hold is itself a change consumers see (UPDATED).
   */
  private VerdictDecider.Decision withHold(VerdictDecider.Decision d) {
    if (d.keep().isEmpty()) {
      return d;
    }
    FaultVerdict v = d.keep().get();
    NodeInventory inv = ValueAndTimestamp.getValueOrNull(inventory.get(v.getNode()));
    var scopes =
        inv == null
            ? IncidentHolds.scopes(scopeKinds, v.getNodegroup(), v.getZone(), null, null)
            : IncidentHolds.scopes(
                scopeKinds,
                inv.getNodegroup(),
                inv.getZone(),
                inv.getImage(),
                inv.getDriverVersion());
    Optional<FleetIncident> holding = IncidentHolds.holding(v, candidates(v, scopes), scopes);
    String incidentId = holding.map(FleetIncident::getIncidentId).orElse(null);
    if (holding.isPresent() == v.getHeld() && Objects.equals(incidentId, v.getIncidentId())) {
      return d;
    }
    FaultVerdict kept =
        FaultVerdict.newBuilder(v).setHeld(holding.isPresent()).setIncidentId(incidentId).build();
    FaultVerdict emit =
        FaultVerdict.newBuilder(kept)
            .setState(d.emit().map(FaultVerdict::getState).orElse(VerdictState.UPDATED))
            .build();
    return new VerdictDecider.Decision(Optional.of(kept), Optional.of(emit));
  }

  /** The open incidents of the verdict's signature in any of its node's scopes (store lookups). */
  private List<FleetIncident> candidates(FaultVerdict v, Map<String, String> scopes) {
    String signature = Signatures.of(v);
    List<FleetIncident> out = new ArrayList<>(1);
    for (String scope : scopes.values()) {
      FleetIncident i = incidents.get(IncidentHolds.key(scope, signature));
      if (i != null) {
        out.add(i);
      }
    }
    return out;
  }

  private boolean anyOpenIncident() {
    try (var it = incidents.all()) {
      return it.hasNext();
    }
  }

  private void expire(long streamTimeMs) {
    Instant now = Instant.ofEpochMilli(streamTimeMs);
    long forgetBefore = streamTimeMs - decider.recoveryMemory().toMillis();
    List<String> forget = new ArrayList<>();
    try (var it = recovered.all()) {
      it.forEachRemaining(
          kv -> {
            if (kv.value < forgetBefore) {
              forget.add(kv.key);
            }
          });
    }
    forget.forEach(recovered::delete);
    hold(now);
    Map<String, List<String>> expiredByNode = new LinkedHashMap<>();
    try (var it = verdicts.all()) {
      it.forEachRemaining(
          kv -> {
            if (!now.isBefore(kv.value.getValidUntil())) {
              expiredByNode.computeIfAbsent(kv.value.getNode(), n -> new ArrayList<>()).add(kv.key);
            }
          });
    }
    expiredByNode.forEach(
        (node, keys) -> {
          NodeContext ctx = contextOf(node);
          List<FaultVerdict> emitted = new ArrayList<>();
          for (String key : keys) {
            apply(key, decider.onTime(verdicts.get(key), now), emitted);
          }
          publish(node, ctx, emitted, now);
        });
  }

  /**
   * Holds open verdicts an incident now covers, and releases those none covers any more (a change
   * of hold is emitted as UPDATED at {@code now}). Verdicts past {@code validUntil} are left to
   * expiry.
   */
  private void hold(Instant now) {
    Map<String, List<String>> heldByNode = new LinkedHashMap<>();
    boolean anyOpen = anyOpenIncident();
    try (var it = verdicts.all()) {
      it.forEachRemaining(
          kv -> {
            if (!now.isBefore(kv.value.getValidUntil())) {
              return;
            }
            if (anyOpen || kv.value.getHeld()) {
              heldByNode.computeIfAbsent(kv.value.getNode(), n -> new ArrayList<>()).add(kv.key);
            }
          });
    }
    heldByNode.forEach(
        (node, keys) -> {
          NodeContext ctx = contextOf(node);
          List<FaultVerdict> emitted = new ArrayList<>();
          for (String key : keys) {
            FaultVerdict v = verdicts.get(key);
            var d = withHold(new VerdictDecider.Decision(Optional.of(v), Optional.empty()));
            if (d.emit().isPresent()) {
              FaultVerdict updated =
                  FaultVerdict.newBuilder(d.emit().get())
                      .setUpdatedAt(later(v.getUpdatedAt(), now))
                      .build();
              apply(key, new VerdictDecider.Decision(d.keep(), Optional.of(updated)), emitted);
            }
          }
          publish(node, ctx, emitted, now);
        });
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  static String slot(String node, FaultClass c) {
    return node + "|" + c.name();
  }
}
