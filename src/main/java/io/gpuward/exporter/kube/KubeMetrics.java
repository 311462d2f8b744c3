package io.gpuward.exporter.kube;

import java.util.Map;

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

  /** Help text ({@code # HELP}) of these meters, by name. */
  public static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry(PUBLISHED, "Kubernetes node events published, by kind."),
          Map.entry(ERRORS, "Kubernetes watch and read errors, by source."),
          Map.entry(INVENTORY_PUBLISHED, "Node inventory records published."),
          Map.entry(
              INVALID_IDS,
              "Identifiers from the node or instance metadata rejected as invalid, by field."));
}
