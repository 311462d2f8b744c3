package io.gpuward.sim;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the records handed on to a sink, whoever writes them: the simulator's Kubernetes and
 * inventory records, and the records gpuward's exporter makes of the nodes' text. Counts are safe
 * to read from any thread.
 */
final class CountingSink implements TelemetrySink {
  private final TelemetrySink next;
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong xids = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong inventory = new AtomicLong();
  private final AtomicLong tombstones = new AtomicLong();

  CountingSink(TelemetrySink next) {
    this.next = next;
  }

  RecordCounts counts() {
    return new RecordCounts(
        samples.get(), xids.get(), events.get(), inventory.get(), tombstones.get());
  }

  @Override
  public void gpuSample(GpuSample s) {
    next.gpuSample(s);
    samples.incrementAndGet();
  }

  @Override
  public void xid(XidEvent e) {
    next.xid(e);
    xids.incrementAndGet();
  }

  @Override
  public void nodeEvent(NodeEvent e) {
    next.nodeEvent(e);
    events.incrementAndGet();
  }

  @Override
  public void inventory(NodeInventory i) {
    next.inventory(i);
    inventory.incrementAndGet();
  }

  @Override
  public void inventoryRemoved(String node) {
    next.inventoryRemoved(node);
    tombstones.incrementAndGet();
  }
}
