package io.gpuward.cli;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.ExporterService;

/**
 * The simulator's output minus what only the control plane and the nodes' kube watchers know. A
 * node's inventory and its removal come from the watcher reading the simulated Kubernetes API and
 * cloud, as in production (where no node can write them). With {@link #of}, the simulator's own
 * kube NodeEvents go too: they reach the API (its kubelet feed) and come back as NodeEvents from
 * the watcher and the exporters' kube watchers, as on a real cluster; only what gpuward's exporter
 * code made from the simulated node (its heartbeats) passes.
 */
final class WorldOnly implements TelemetrySink {
  private final TelemetrySink downstream;
  private final boolean nodeEvents;

  private WorldOnly(TelemetrySink downstream, boolean nodeEvents) {
    this.downstream = downstream;
    this.nodeEvents = nodeEvents;
  }

  /** Samples, XIDs and the exporter's heartbeats; no inventory, no simulated kube events. */
  static TelemetrySink of(TelemetrySink downstream) {
    return new WorldOnly(downstream, false);
  }

  /**
   * Everything but the inventory: for a world served on its own, where a separate {@code gpuward
   * watch} publishes the inventory and no exporter watches the simulated API.
   */
  static TelemetrySink withoutInventory(TelemetrySink downstream) {
    return new WorldOnly(downstream, true);
  }

  @Override
  public void gpuSample(GpuSample s) {
    downstream.gpuSample(s);
  }

  @Override
  public void xid(XidEvent e) {
    downstream.xid(e);
  }

  @Override
  public void nodeEvent(NodeEvent e) {
    if (nodeEvents || ExporterService.SOURCE.equals(e.getSource())) {
      downstream.nodeEvent(e);
    }
  }

  @Override
  public void inventory(NodeInventory i) {}

  @Override
  public void inventoryRemoved(String node) {}
}
