package io.gpuward.exporter.kube;

import io.fabric8.kubernetes.api.model.Node;

/**
 * Told about every version of the watched Node object: the seam between {@link NodeWatcher}, which
 * owns the Node watch, and consumers such as {@link InventoryCollector} that derive their own
 * records from it. Called on the watcher's thread, after the watcher has published its own events
 * for that version; an exception is logged and counted by the watcher, never rethrown.
 */
public interface NodeListener {

  /** The Node was seen (first listing, an update, a resync or a relist). */
  void onNode(Node node);

  /** The Node object was deleted. */
  void onNodeRemoved(String node);
}
