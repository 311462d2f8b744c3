package io.gpuward.contract;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;

/**
 * Where node telemetry goes: the port both the node exporter's sources and the fleet simulator
 * write through (in production and the demo, a Kafka producer per topic, key = node). It sits with
 * the contracts so that neither the exporter nor the simulator depends on the other. Callers hand
 * records over from one thread, in event order per node, and do not keep or change a record after
 * handing it over.
 */
public interface TelemetrySink {

  /** A sink that drops everything: for building a simulated cluster without publishing. */
  TelemetrySink NONE =
      new TelemetrySink() {
        @Override
        public void gpuSample(GpuSample s) {}

        @Override
        public void xid(XidEvent e) {}

        @Override
        public void nodeEvent(NodeEvent e) {}

        @Override
        public void inventory(NodeInventory i) {}

        @Override
        public void inventoryRemoved(String node) {}
      };

  /** One GPU, one scrape (topic gpuward.telemetry.gpu.v1). */
  void gpuSample(GpuSample s);

  /** One NVRM Xid line (topic gpuward.telemetry.xid.v1). */
  void xid(XidEvent e);

  /** A kube event, condition change, snapshot or heartbeat (topic gpuward.kube.events.v1). */
  void nodeEvent(NodeEvent e);

  /** What a node is and should have (compacted topic gpuward.inventory.nodes.v1). */
  void inventory(NodeInventory i);

  /**
   * The node's instance is gone: a tombstone (null value) for {@code node} on the inventory topic.
   */
  void inventoryRemoved(String node);
}
