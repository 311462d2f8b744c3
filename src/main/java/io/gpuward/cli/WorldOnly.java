package io.gpuward.cli;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;

/**
 * The simulator's output minus what only the control plane knows: a node's inventory, and its
 * removal, come from the watcher reading the simulated Kubernetes API and cloud, as in production
 * (where no node can write them), so the simulator's own copies are dropped here.
 */
final class WorldOnly implements TelemetrySink {
  private final TelemetrySink downstream;

  private WorldOnly(TelemetrySink downstream) {
    this.downstream = downstream;
  }

  static TelemetrySink of(TelemetrySink downstream) {
    return new WorldOnly(downstream);
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
    downstream.nodeEvent(e);
  }

  @Override
  public void inventory(NodeInventory i) {}

  @Override
  public void inventoryRemoved(String node) {}
}
