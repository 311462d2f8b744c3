package io.gpuward.sim;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;

/** Where simulated (or exported) telemetry goes. */
public interface TelemetrySink {
  void gpuSample(GpuSample s);

  void xid(XidEvent e);

  void nodeEvent(NodeEvent e);

  void inventory(NodeInventory i);

  /** Compacted-topic tombstone when a node is replaced. */
  void inventoryRemoved(String node);
}
