package io.gpuward.watch;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what the watcher published, in order; {@code null} inventory values are tombstones. */
final class ListSink implements WatchSink {
  record Inv(String node, NodeInventory value) {}

  final List<Inv> inventory = new CopyOnWriteArrayList<>();
  final List<NodeEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void inventory(NodeInventory i) {
    inventory.add(new Inv(i.getNode(), i));
  }

  @Override
  public void inventoryRemoved(String node) {
    inventory.add(new Inv(node, null));
  }

  @Override
  public void nodeEvent(NodeEvent e) {
    events.add(e);
  }

  /** The last inventory record of {@code node}: empty when none, a null value for a tombstone. */
  Optional<Inv> last(String node) {
    Inv found = null;
    for (Inv i : inventory) {
      if (i.node().equals(node)) {
        found = i;
      }
    }
    return Optional.ofNullable(found);
  }

  int size() {
    return inventory.size() + events.size();
  }
}
