package io.gpuward.engine.domain;

import io.gpuward.avro.NodeInventory;

/**
 * What a verdict says about where its node sits, from inventory. Fields are null when inventory has
 * not told yet.
 */
public record NodeContext(String nodegroup, String instanceId, String zone, String instanceType) {

  public static final NodeContext UNKNOWN = new NodeContext(null, null, null, null);

  public static NodeContext of(NodeInventory inv) {
    if (inv == null) {
      return UNKNOWN;
    }
    return new NodeContext(
        inv.getNodegroup(), inv.getInstanceId(), inv.getZone(), inv.getInstanceType());
  }
}
