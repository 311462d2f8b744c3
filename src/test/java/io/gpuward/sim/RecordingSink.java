package io.gpuward.sim;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import java.util.ArrayList;
import java.util.List;

/** Keeps every record in emission order (and by type) for assertions. */
class RecordingSink implements TelemetrySink {

  /** A tombstone on the inventory topic. */
  record Tombstone(String node) {}

  final List<Object> all = new ArrayList<>();
  final List<GpuSample> samples = new ArrayList<>();
  final List<XidEvent> xids = new ArrayList<>();
  final List<NodeEvent> events = new ArrayList<>();
  final List<NodeInventory> inventory = new ArrayList<>();
  final List<String> tombstones = new ArrayList<>();

  @Override
  public void gpuSample(GpuSample s) {
    all.add(s);
    samples.add(s);
  }

  @Override
  public void xid(XidEvent e) {
    all.add(e);
    xids.add(e);
  }

  @Override
  public void nodeEvent(NodeEvent e) {
    all.add(e);
    events.add(e);
  }

  @Override
  public void inventory(NodeInventory i) {
    all.add(i);
    inventory.add(i);
  }

  @Override
  public void inventoryRemoved(String node) {
    all.add(new Tombstone(node));
    tombstones.add(node);
  }

  List<GpuSample> samples(String node) {
    return samples.stream().filter(s -> s.getNode().equals(node)).toList();
  }

  List<GpuSample> samples(String node, int gpu) {
    return samples.stream()
        .filter(s -> s.getNode().equals(node) && s.getGpuIndex() == gpu)
        .toList();
  }

  List<NodeEvent> events(String node) {
    return events.stream().filter(e -> e.getNode().equals(node)).toList();
  }

  List<NodeEvent> events(String node, NodeEventKind kind) {
    return events.stream().filter(e -> e.getNode().equals(node) && e.getKind() == kind).toList();
  }

  void clear() {
    all.clear();
    samples.clear();
    xids.clear();
    events.clear();
    inventory.clear();
    tombstones.clear();
  }
}
