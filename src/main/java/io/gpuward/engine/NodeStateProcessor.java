package io.gpuward.engine;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.engine.domain.Evidences;
import io.gpuward.engine.domain.FaultyGpus;
import io.gpuward.engine.domain.NodeRules;
import io.gpuward.engine.domain.NodeState;
import io.gpuward.engine.domain.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies {@link NodeRules} to a node's kube events and inventory changes, keeping each node's
 * {@link NodeState} in {@value EngineNames#NODE_STATE_STORE}; a stream-time punctuator runs the
 * time-driven rules (grace periods, exporter silence, never registered) for every node. It reads
 * the node's open verdicts in {@value EngineNames#VERDICT_STORE} (the decider's, same task: both
 * are keyed by node) for the GPUs they name, which explain GPUs missing from allocatable.
 */
final class NodeStateProcessor implements Processor<String, SpecificRecord, String, Signal> {
  private static final StringSerializer KEYS = new StringSerializer();

  private final NodeRules rules;
  private final Duration interval;
  private ProcessorContext<String, Signal> context;
  private KeyValueStore<String, NodeState> states;
  private KeyValueStore<String, FaultVerdict> verdicts;

  /** Newest event time of a record this processor read (kube events, inventory changes). */
  private long newestRead = Long.MIN_VALUE;

  NodeStateProcessor(NodeRules rules, Duration interval) {
    this.rules = rules;
    this.interval = interval;
  }

  @Override
  public void init(ProcessorContext<String, Signal> context) {
    this.context = context;
    this.states = context.getStateStore(EngineNames.NODE_STATE_STORE);
    this.verdicts = context.getStateStore(EngineNames.VERDICT_STORE);
    context.schedule(interval, PunctuationType.STREAM_TIME, this::tick);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (record.key() == null) {
      return;
    }
    Evidences.Coordinates at =
        context
            .recordMetadata()
            .map(m -> new Evidences.Coordinates(m.topic(), m.partition(), m.offset()))
            .orElse(Evidences.NONE);
    NodeState s = states.get(record.key());
    if (record.value() == null) {
      // Kube events reach this processor checked (a null is dead-lettered first), so a null is an
      // inventory tombstone: the instance is gone. Its state goes too, or every scaled-in node
      // would stay in the store for good. A tombstone carries no event time, only its producer's
      // clock, so it says "gone as of now" (the newest event time read) and never moves "now".
      if (s != null) {
        states.delete(record.key());
        long now = newestRead == Long.MIN_VALUE ? record.timestamp() : newestRead;
        forward(record.key(), rules.onInventoryRemoved(record.key(), s, Instant.ofEpochMilli(now)));
      }
      return;
    }
    newestRead = Math.max(newestRead, record.timestamp());
    if (s == null) {
      s = new NodeState();
    }
    List<Signal> out;
    if (record.value() instanceof NodeEvent e) {
      out = rules.onEvent(s, e, at, faulty(record.key()));
    } else if (record.value() instanceof NodeInventory inv) {
      out = rules.onInventory(s, inv, at, faulty(record.key()));
    } else {
      return;
    }
    states.put(record.key(), s);
    forward(record.key(), out);
  }

  /** The GPUs {@code node}'s open verdicts name, looked up only when a rule asks. */
  private FaultyGpus faulty(String node) {
    return () -> {
      List<FaultVerdict> open = new ArrayList<>();
      try (var it = verdicts.prefixScan(node + "|", KEYS)) {
        it.forEachRemaining(kv -> open.add(kv.value));
      }
      return FaultyGpus.count(open);
    };
  }

  private void forward(String node, List<Signal> out) {
    out.forEach(sig -> context.forward(new Record<>(node, sig, sig.eventTime().toEpochMilli())));
  }

  /**
   * Judges node state at the newest event time this processor has read, not the task's stream time:
   * the task also reads GPU samples, and when the kube-events partition lags behind the samples
   * partition (a slow fetch, a restart, a fast simulation) stream time is ahead of heartbeats not
   * read yet, which would make every node on the partition look silent.
   */
  private void tick(long streamTimeMs) {
    if (newestRead == Long.MIN_VALUE) {
      return;
    }
    long nowMs = Math.min(streamTimeMs, newestRead);
    Instant now = Instant.ofEpochMilli(nowMs);
    List<KeyValue<String, NodeState>> changed = new ArrayList<>();
    List<Signal> out = new ArrayList<>();
    try (var it = states.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        Long lowSince = kv.value.allocatableLowSince;
        List<Signal> signals = rules.onTime(kv.key, kv.value, now, faulty(kv.key));
        // The allocatable grace can start or stop on a tick alone (the verdicts that explained a
        // shortfall cleared, or one opened), with no signal yet: it must outlive this tick.
        if (!signals.isEmpty() || !Objects.equals(lowSince, kv.value.allocatableLowSince)) {
          out.addAll(signals);
          changed.add(kv);
        }
      }
    }
    changed.forEach(kv -> states.put(kv.key, kv.value));
    out.forEach(sig -> context.forward(new Record<>(sig.node(), sig, nowMs)));
  }
}
