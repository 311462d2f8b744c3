package io.gpuward.engine.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Telemetry of a node with no inventory. Inventory is a compacted topic that may arrive a little
 * after a new node's first samples, so a node without inventory is accepted for {@code grace} of
 * event time after its first telemetry without inventory; later records are rejected with a reason
 * (dead-lettered), until inventory for the node arrives.
 */
public final class UnknownNodes {
  private UnknownNodes() {}

  /**
   * Why a record at {@code ts} of {@code node}, which has no inventory and was first seen without
   * it at {@code firstSeenMs}, is rejected; empty while inside the grace.
   */
  public static Optional<String> check(String node, long firstSeenMs, long ts, Duration grace) {
    if (ts - firstSeenMs <= grace.toMillis()) {
      return Optional.empty();
    }
    return Optional.of(
        "unknown node '"
            + node
            + "': no inventory "
            + grace
            + " after its first telemetry at "
            + Instant.ofEpochMilli(firstSeenMs));
  }
}
