package io.gpuward.watch;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;

/**
 * Where the watcher's records go: the inventory topic (compacted, key node) and the kube events
 * topic. {@link KafkaWatchSink} in production; a list in tests. Called from the watcher's threads,
 * one at a time.
 */
public interface WatchSink {

  /** What a node is (registered or not). */
  void inventory(NodeInventory inventory);

  /** The node's instance is gone: a tombstone (null value) for {@code node}. */
  void inventoryRemoved(String node);

  /** A node's condition change, registration, removal, reboot or resource/label snapshot. */
  void nodeEvent(NodeEvent event);
}
