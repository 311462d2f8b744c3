package io.gpuward.exporter.kube;

/** Meter names of the Kubernetes side of the node exporter (Micrometer; bounded tag values). */
public final class KubeMetrics {
  private KubeMetrics() {}

  /** NodeEvents handed to the sink; tag {@code kind} (a {@code NodeEventKind} name). */
  public static final String PUBLISHED = "gpuward.exporter.kube.published";

  /**
   * Failures handling a watch notification or (re)connecting a watch; tag {@code stage}: {@code
   * node}, {@code node-event}, {@code pod}, {@code pod-event}, {@code listener}, {@code watch}.
   */
  public static final String ERRORS = "gpuward.exporter.kube.errors";

  /** NodeInventory records handed to the sink. */
  public static final String INVENTORY_PUBLISHED = "gpuward.exporter.inventory.published";

  /**
   * Identifiers from the wire that failed validation and were ignored; tag {@code field}: {@code
   * instanceId}, {@code instanceType}, {@code zone}, {@code amiId}, {@code asgName}.
   */
  public static final String INVALID_IDS = "gpuward.exporter.inventory.invalid.ids";
}
