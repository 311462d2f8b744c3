package io.gpuward.watch;

/** Meter names of the watcher (Micrometer; bounded tag values). */
public final class WatchMetrics {
  private WatchMetrics() {}

  /** 1 while this replica holds the lease, else 0. */
  public static final String LEADER = "gpuward.watch.leader";

  /** Nodes the API server has, as last seen by the leader. */
  public static final String NODES = "gpuward.watch.nodes";

  /** Cluster instances the cloud listed at the last successful read. */
  public static final String INSTANCES = "gpuward.watch.instances";

  /**
   * Records handed to the sink; tag {@code record}: {@code inventory}, {@code unregistered}, {@code
   * tombstone}, {@code node-event}, {@code scheduled-event}.
   */
  public static final String PUBLISHED = "gpuward.watch.published";

  /**
   * Failures; tag {@code stage}: {@code cloud}, {@code cloud-events}, {@code node}, {@code sink},
   * {@code watch}.
   */
  public static final String ERRORS = "gpuward.watch.errors";

  /** Identifiers from the API server or the cloud that failed validation; tag {@code field}. */
  public static final String INVALID_IDS = "gpuward.watch.invalid.ids";
}
