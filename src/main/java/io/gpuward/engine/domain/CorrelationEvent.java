package io.gpuward.engine.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * What the fleet correlator hears (JSON on the correlation repartition topic): a node's scope
 * membership from inventory (its scopes now; none when it left the fleet), or a verdict change of a
 * node with the scopes the node is in.
 */
public final class CorrelationEvent {
  /** MEMBER (inventory) or VERDICT. */
  public String type;

  public String node;

  /** The node's scopes ({@code kind:value}), in the configured kind order. */
  public List<String> scopes = new ArrayList<>();

  /** VERDICT: signature, verdict id, class, whether the verdict is open, event time. */
  public String signature;

  public String verdictId;
  public String faultClass;
  public boolean open;
  public long at;

  public static CorrelationEvent member(String node, List<String> scopes, long at) {
    CorrelationEvent e = new CorrelationEvent();
    e.type = "MEMBER";
    e.node = node;
    e.scopes = new ArrayList<>(scopes);
    e.at = at;
    return e;
  }

  public static CorrelationEvent verdict(
      String node,
      List<String> scopes,
      String signature,
      String verdictId,
      String faultClass,
      boolean open,
      long at) {
    CorrelationEvent e = new CorrelationEvent();
    e.type = "VERDICT";
    e.node = node;
    e.scopes = new ArrayList<>(scopes);
    e.signature = signature;
    e.verdictId = verdictId;
    e.faultClass = faultClass;
    e.open = open;
    e.at = at;
    return e;
  }

  public boolean isMember() {
    return "MEMBER".equals(type);
  }
}
