package io.gpuward.engine.domain;

/**
 * What the fleet correlator hears about one scope (JSON on the correlation repartition topic): a
 * node joining or leaving the scope (inventory), or a verdict change of a node in it.
 */
public final class CorrelationEvent {
  /** MEMBER (inventory) or VERDICT. */
  public String type;

  public String scope;
  public String node;

  /** MEMBER: whether the node belongs to the scope now. */
  public boolean present;

  /** VERDICT: signature, verdict id, class, whether the verdict is open, event time. */
  public String signature;

  public String verdictId;
  public String faultClass;
  public String nodegroup;
  public boolean open;
  public long at;

  public static CorrelationEvent member(String scope, String node, boolean present, long at) {
    CorrelationEvent e = new CorrelationEvent();
    e.type = "MEMBER";
    e.scope = scope;
    e.node = node;
    e.present = present;
    e.at = at;
    return e;
  }

  public static CorrelationEvent verdict(
      String scope,
      String node,
      String nodegroup,
      String signature,
      String verdictId,
      String faultClass,
      boolean open,
      long at) {
    CorrelationEvent e = new CorrelationEvent();
    e.nodegroup = nodegroup;
    e.type = "VERDICT";
    e.scope = scope;
    e.node = node;
    e.signature = signature;
    e.verdictId = verdictId;
    e.faultClass = faultClass;
    e.open = open;
    e.at = at;
    return e;
  }
}
