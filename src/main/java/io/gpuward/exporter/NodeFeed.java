package io.gpuward.exporter;

import java.time.Instant;

/**
 * What a node's world hands its exporter: the dcgm-exporter metrics page of each scrape, the kernel
 * log's lines, and the boot they belong to. gpuward's side of the line between a simulated world
 * and gpuward: the simulator writes to it (see {@link ExporterFleet}), and never builds the records
 * the exporter publishes.
 *
 * <p>Called from one thread, in event order per node.
 */
public interface NodeFeed {

  /**
   * The node (re)booted: a new boot id starts a new kernel log (sequence numbers and monotonic
   * stamps start again) and a new exporter process.
   *
   * @param bootId {@code /proc/sys/kernel/random/boot_id}
   * @param bootTime the instant the kernel's monotonic clock counts from
   */
  void boot(String node, String bootId, Instant bootTime);

  /** The exporter GET dcgm-exporter's {@code /metrics} at {@code at} and got {@code text}. */
  void scrape(String node, Instant at, String text);

  /** The exporter's GET at {@code at} got no page (dcgm-exporter not running): {@code error}. */
  void scrapeFailed(String node, Instant at, String error);

  /**
   * The exporter read one line of {@code /dev/kmsg} at {@code readAt}; the line's own stamp, not
   * {@code readAt}, is its event time.
   */
  void kernelLine(String node, Instant readAt, String line);

  /** The node's instance is gone; its exporter with it. */
  void nodeGone(String node);
}
