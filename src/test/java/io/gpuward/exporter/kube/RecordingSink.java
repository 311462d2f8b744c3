package io.gpuward.exporter.kube;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import java.util.ArrayList;
import java.util.List;

/** Keeps what the watcher and the collector publish; called from informer threads. */
class RecordingSink implements TelemetrySink {
  private final List<NodeEvent> events = new ArrayList<>();
  private final List<NodeInventory> inventory = new ArrayList<>();
  private final List<String> tombstones = new ArrayList<>();

  @Override
  public void gpuSample(GpuSample s) {
    throw new AssertionError("no GPU samples expected");
  }

  @Override
  public void xid(XidEvent e) {
    throw new AssertionError("no XID events expected");
  }

  @Override
  public synchronized void nodeEvent(NodeEvent e) {
    events.add(e);
  }

  @Override
  public synchronized void inventory(NodeInventory i) {
    inventory.add(i);
  }

  @Override
  public synchronized void inventoryRemoved(String node) {
    tombstones.add(node);
  }

  synchronized List<NodeEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<NodeEvent> events(NodeEventKind kind) {
    return events.stream().filter(e -> e.getKind() == kind).toList();
  }

  synchronized List<NodeInventory> inventory() {
    return List.copyOf(inventory);
  }

  synchronized void clear() {
    events.clear();
    inventory.clear();
    tombstones.clear();
  }
}
