package io.gpuward.exporter;

import io.gpuward.contract.TelemetrySink;

/**
 * Something else on the node that publishes through the exporter's buffered sink: the seam for the
 * Kubernetes node and event watcher (NodeEvents, inventory). The exporter starts each source once
 * its buffer is up and closes it before the buffer, so everything a source publishes gets the same
 * buffering, drop policy and producer as the exporter's own records.
 */
public interface SignalSource extends AutoCloseable {

  /**
   * Starts publishing to {@code sink} on the source's own threads; returns promptly. The sink is
   * thread-safe and never blocks for long.
   */
  void start(TelemetrySink sink);

  /** Stops publishing; must not throw. */
  @Override
  void close();
}
