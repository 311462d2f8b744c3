package io.gpuward.engine;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
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
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, FaultVerdict> verdicts;
  private TimestampedKeyValueStore<String, NodeInventory> inventory;

  VerdictProcessor(VerdictDecider decider, Duration expiryInterval, MeterRegistry meters) {
    this.decider = decider;
    this.expiryInterval = expiryInterval;
    this.meters = meters;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.verdicts = context.getStateStore(EngineNames.VERDICT_STORE);
    this.inventory = context.getStateStore(EngineNames.INVENTORY_STORE);
    context.schedule(expiryInterval, PunctuationType.STREAM_TIME, this::expire);
  }

  @Override
  public void process(Record<String, Signal> record) {
    Signal signal = record.value();
    String node = signal.node();
    NodeContext ctx = NodeContext.of(ValueAndTimestamp.getValueOrNull(inventory.get(node)));
    List<FaultVerdict> emitted = new ArrayList<>();
    if (signal instanceof Signal.Detected d) {
      String key = slot(node, d.faultClass());
      var decision = decider.onDetected(Optional.ofNullable(verdicts.get(key)), d, ctx);
      apply(key, decision, emitted);
    } else if (signal instanceof Signal.Recovered r) {
      for (FaultClass c : r.classes()) {
        String key = slot(node, c);
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

  private void publish(String node, NodeContext ctx, List<FaultVerdict> emitted, Instant at) {
    if (emitted.isEmpty()) {
      return;
    }
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

  private void expire(long streamTimeMs) {
    Instant now = Instant.ofEpochMilli(streamTimeMs);
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
          NodeContext ctx = NodeContext.of(ValueAndTimestamp.getValueOrNull(inventory.get(node)));
          List<FaultVerdict> emitted = new ArrayList<>();
          for (String key : keys) {
            apply(key, decider.onTime(verdicts.get(key), now), emitted);
          }
          publish(node, ctx, emitted, now);
        });
  }

  static String slot(String node, FaultClass c) {
    return node + "|" + c.name();
  }
}
