package io.gpuward.engine;

import io.gpuward.avro.NodeInventory;
import io.gpuward.engine.domain.UnknownNodes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Rejects telemetry of unknown nodes ({@link UnknownNodes}): a node is known when {@value
 * EngineNames#INVENTORY_STORE} holds it. A known node is re-read from inventory at most once per
 * {@link #RECHECK} of event time (one store read per node and window, not per sample), so a node
 * removed from inventory is noticed within that. The first time a node was seen without inventory
 * is kept in {@value EngineNames#UNKNOWN_NODES_STORE} (changelogged, so the grace survives a
 * restart) and forgotten when its inventory arrives.
 */
final class InventoryGate {
  static final Duration RECHECK = Duration.ofSeconds(30);

  private final Duration grace;
  private final Map<String, Long> knownUntil = new HashMap<>();
  private final Map<String, Long> firstSeen = new HashMap<>();
  private TimestampedKeyValueStore<String, NodeInventory> inventory;
  private KeyValueStore<String, Long> unknown;

  InventoryGate(Duration grace) {
    this.grace = grace;
  }

  void init(FixedKeyProcessorContext<?, ?> context) {
    inventory = context.getStateStore(EngineNames.INVENTORY_STORE);
    unknown = context.getStateStore(EngineNames.UNKNOWN_NODES_STORE);
    knownUntil.clear();
    firstSeen.clear();
    try (var it = unknown.all()) {
      it.forEachRemaining(kv -> firstSeen.put(kv.key, kv.value));
    }
  }

  /** Why telemetry of {@code node} at {@code ts} is rejected, or empty when accepted. */
  Optional<String> check(String node, long ts) {
    Long until = knownUntil.get(node);
    if (until != null && ts <= until) {
      return Optional.empty();
    }
    if (inventory.get(node) != null) {
      knownUntil.put(node, ts + RECHECK.toMillis());
      if (firstSeen.remove(node) != null) {
        unknown.delete(node);
      }
      return Optional.empty();
    }
    knownUntil.remove(node);
    Long first = firstSeen.get(node);
    if (first == null) {
      first = unknown.get(node); // another topic's gate may have seen it first
      if (first == null) {
        first = ts;
        unknown.put(node, ts);
      }
      firstSeen.put(node, first);
    }
    return UnknownNodes.check(node, first, ts, grace);
  }
}
