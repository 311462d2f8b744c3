package io.gpuward.exporter;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A thread-safe recording sink; {@link #hook} runs before each record is kept. */
public class Recorder implements TelemetrySink {

  /** Runs before a record is kept; may block or throw. */
  @FunctionalInterface
  public interface Hook {
    void before(Object record);
  }

  public final List<Object> all = new CopyOnWriteArrayList<>();
  public volatile Hook hook = r -> {};

  private void keep(Object r) {
    hook.before(r);
    all.add(r);
  }

  @Override
  public void gpuSample(GpuSample s) {
    keep(s);
  }

  @Override
  public void xid(XidEvent e) {
    keep(e);
  }

  @Override
  public void nodeEvent(NodeEvent e) {
    keep(e);
  }

  @Override
  public void inventory(NodeInventory i) {
    keep(i);
  }

  @Override
  public void inventoryRemoved(String node) {
    keep("tombstone:" + node);
  }

  public List<GpuSample> samples() {
    return all.stream().filter(GpuSample.class::isInstance).map(GpuSample.class::cast).toList();
  }

  public List<XidEvent> xids() {
    return all.stream().filter(XidEvent.class::isInstance).map(XidEvent.class::cast).toList();
  }

  public List<NodeEvent> heartbeats() {
    return all.stream()
        .filter(NodeEvent.class::isInstance)
        .map(NodeEvent.class::cast)
        .filter(e -> e.getKind() == NodeEventKind.EXPORTER_HEARTBEAT)
        .toList();
  }
}
