package io.gpuward.engine.domain;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Fleet correlation for one scope: when the same signature is open on at least {@code minNodes}
 * nodes that are also at least {@code minPercent} of the scope, inside the window, that is one
 * COMMON_CAUSE incident. It grows as nodes join and clears when no member verdict is open. One node
 * is never an incident. Zone, image and driver scopes raise an incident only when the nodes span
 * two or more node groups, so one group's storm is one incident (the group's). Pure: state in,
 * incident change out.
 */
public final class FleetCorrelator {

  /** Per-scope state (JSON in the correlation store). */
  public static final class ScopeState {
    public TreeSet<String> members = new TreeSet<>();

    /** signature → node → event time its verdict was last seen open. */
    public TreeMap<String, TreeMap<String, Long>> open = new TreeMap<>();

    /** signature → node → its node group (to tell one group's storm from a cross-group one). */
    public TreeMap<String, TreeMap<String, String>> groups = new TreeMap<>();

    /** signature → open incident. */
    public TreeMap<String, Incident> incidents = new TreeMap<>();
  }

  /** An open incident's identity and members. */
  public static final class Incident {
    public String incidentId;
    public long detectedAt;
    public TreeSet<String> nodes = new TreeSet<>();
  }

  private final RuleParams.Correlation params;

  public FleetCorrelator(RuleParams.Correlation params) {
    this.params = params;
  }

  /** Applies one event; returns the incident change to publish, if any. */
  public Optional<FleetIncident> apply(ScopeState s, CorrelationEvent e) {
    if ("MEMBER".equals(e.type)) {
      if (e.present) {
        s.members.add(e.node);
      } else {
        s.members.remove(e.node);
      }
      return Optional.empty();
    }
    TreeMap<String, Long> nodes = s.open.computeIfAbsent(e.signature, k -> new TreeMap<>());
    TreeMap<String, String> groups = s.groups.computeIfAbsent(e.signature, k -> new TreeMap<>());
    if (e.open) {
      nodes.put(e.node, Math.max(nodes.getOrDefault(e.node, Long.MIN_VALUE), e.at));
      groups.put(e.node, e.nodegroup == null ? "" : e.nodegroup);
    } else {
      nodes.remove(e.node);
    }
    long cutoff = e.at - params.window().toMillis();
    nodes.values().removeIf(t -> t < cutoff);
    groups.keySet().retainAll(nodes.keySet());
    Incident inc = s.incidents.get(e.signature);
    if (inc != null) {
      if (nodes.isEmpty() && e.open == false) {
        s.incidents.remove(e.signature);
        s.open.remove(e.signature);
        s.groups.remove(e.signature);
        return Optional.of(incident(e, inc, IncidentState.CLEARED));
      }
      if (e.open && inc.nodes.add(e.node)) {
        return Optional.of(incident(e, inc, IncidentState.UPDATED));
      }
      return Optional.empty();
    }
    if (nodes.isEmpty()) {
      s.open.remove(e.signature);
      s.groups.remove(e.signature);
    }
    int count = nodes.size();
    int size = Math.max(s.members.size(), count);
    // The narrowest scope explains it: a storm inside one node group is that group's incident, not
    // also its zone's, image's or driver's. Those need affected nodes in two or more groups.
    boolean explainedByOneGroup =
        !e.scope.startsWith("nodegroup:") && new java.util.HashSet<>(groups.values()).size() < 2;
    if (count >= params.minNodes()
        && 100L * count >= (long) params.minPercent() * size
        && !explainedByOneGroup) {
      Incident created = new Incident();
      created.detectedAt = e.at;
      created.nodes.addAll(nodes.keySet());
      created.incidentId = incidentId(e.scope, e.signature, e.at);
      s.incidents.put(e.signature, created);
      return Optional.of(incident(e, created, IncidentState.OPEN));
    }
    return Optional.empty();
  }

  private FleetIncident incident(CorrelationEvent e, Incident inc, IncidentState state) {
    FaultClass c = null;
    try {
      c = FaultClass.valueOf(e.signature.substring(0, e.signature.indexOf(':')));
    } catch (RuntimeException ex) {
      // signature without a class prefix: leave it unset
    }
    List<String> nodes = new ArrayList<>(inc.nodes);
    return FleetIncident.newBuilder()
        .setIncidentId(inc.incidentId)
        .setScope(e.scope)
        .setIncidentClass(IncidentClass.COMMON_CAUSE)
        .setSignature(e.signature)
        .setNodes(nodes)
        .setState(state)
        .setDetectedAt(Instant.ofEpochMilli(inc.detectedAt))
        .setUpdatedAt(Instant.ofEpochMilli(e.at))
        .setFaultClass(c)
        .setSummary(
            state == IncidentState.CLEARED
                ? "common cause " + e.signature + " in " + e.scope + " cleared"
                : nodes.size()
                    + " nodes of "
                    + e.scope
                    + " share "
                    + e.signature
                    + ": held for a common cause, not node-by-node remediation")
        .build();
  }

  static String incidentId(String scope, String signature, long at) {
    return "inc-"
        + UUID.nameUUIDFromBytes(
            (scope + '\u0000' + signature + '\u0000' + at).getBytes(StandardCharsets.UTF_8));
  }

  /** The scopes a node belongs to, from inventory, in the configured order. */
  public static Map<String, String> scopes(
      List<String> kinds, String nodegroup, String zone, String image, String driver) {
    Map<String, String> out = new TreeMap<>();
    for (String k : kinds) {
      String v =
          switch (k) {
            case "nodegroup" -> nodegroup;
            case "zone" -> zone;
            case "image" -> image;
            case "driver" -> driver;
            default -> null;
          };
      if (v != null && !v.isBlank()) {
        out.put(k, k + ":" + v);
      }
    }
    return out;
  }
}
