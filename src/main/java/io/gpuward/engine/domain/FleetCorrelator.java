package io.gpuward.engine.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.ToIntFunction;

/**
 * Fleet correlation, one storm per signature. The nodes with the signature's verdict open inside
 * the window are the storm. A scope (node group, zone, image, driver) explains the storm's nodes
 * inside it when they are at least {@code minNodes} and at least {@code minPercent} of the scope's
 * size (from inventory). The incident's scope is the explaining scope that covers the most of the
 * storm; among those, the smallest scope; among equal sizes, the kind listed first in {@code
 * scopes}. So a driver rollout across two node groups is one incident at the driver scope, a storm
 * in one node group one incident at that group, and one node is never an incident.
 *
 * <p>There is at most one open incident per signature. When the storm outgrows its incident's scope
 * (another scope now covers more of it), the incident keeps its id and moves: CLEARED on the old
 * scope, UPDATED on the new one. It clears when no verdict of the storm is open, never because a
 * scope's size changed ({@link #recheck}). Pure: state in, incident changes out.
 */
public final class FleetCorrelator {

  /** One signature's storm (JSON in the correlation store, keyed by signature). */
  public static final class SignatureState {
    /** Node → its open verdict (last event time, the node's scopes). */
    public TreeMap<String, Affected> open = new TreeMap<>();

    /** The open incident, if any. */
    public Incident incident;

    /** Scope → how many of the storm's nodes are in it (derived from {@link #open}). */
    @JsonIgnore private Map<String, Integer> counts;

    /** (event time, node) of the open nodes, oldest first (derived from {@link #open}). */
    @JsonIgnore private TreeSet<Aged> byAge;

    /** Nodes added, changed or removed since {@link #drainTouched} (for row-wise persistence). */
    @JsonIgnore private final Set<String> touched = new HashSet<>();

    /** The nodes whose entry changed since the last call, and forgets them. */
    public Set<String> drainTouched() {
      Set<String> out = new HashSet<>(touched);
      touched.clear();
      return out;
    }

    private void derive() {
      if (counts != null) {
        return;
      }
      counts = new HashMap<>();
      byAge = new TreeSet<>();
      open.forEach(
          (node, a) -> {
            a.scopes.forEach(sc -> counts.merge(sc, 1, Integer::sum));
            byAge.add(new Aged(a.at, node));
          });
    }

    private void put(String node, long at, List<String> scopes) {
      remove(node);
      touched.add(node);
      Affected a = new Affected();
      a.at = at;
      a.scopes = new ArrayList<>(scopes);
      open.put(node, a);
      a.scopes.forEach(sc -> counts.merge(sc, 1, Integer::sum));
      byAge.add(new Aged(at, node));
    }

    private void remove(String node) {
      Affected a = open.remove(node);
      if (a != null) {
        touched.add(node);
        a.scopes.forEach(sc -> counts.computeIfPresent(sc, (k, n) -> n <= 1 ? null : n - 1));
        byAge.remove(new Aged(a.at, node));
      }
    }

    /** How many of the storm's open nodes are in {@code scope}. */
    public int count(String scope) {
      derive();
      return counts.getOrDefault(scope, 0);
    }
  }

  private record Aged(long at, String node) implements Comparable<Aged> {
    @Override
    public int compareTo(Aged o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : node.compareTo(o.node);
    }
  }

  /** A node with the signature open. */
  public static final class Affected {
    public long at;
    public List<String> scopes = new ArrayList<>();
  }

  /** An open incident's identity, scope and members. */
  public static final class Incident {
    public String incidentId;
    public String scope;
    public long detectedAt;
    public TreeSet<String> nodes = new TreeSet<>();

    /** Node count last published: UPDATED is sent per new node while small, then per 10% growth. */
    public int published;
  }

  /** Up to this many nodes an incident publishes every node that joins. */
  static final int UPDATE_EVERY_NODE_UP_TO = 64;

  /** A scope that explains part of a storm. */
  record Explanation(String scope, int kind, int covered, int size) {}

  private final RuleParams.Correlation params;

  public FleetCorrelator(RuleParams.Correlation params) {
    this.params = params;
  }

  /**
   * Applies one verdict change of {@code e.signature}; {@code scopeSize} is a scope's node count
   * from inventory. Returns the incident changes to publish (none, one, or two when it moves).
   */
  public List<FleetIncident> apply(
      SignatureState s, CorrelationEvent e, ToIntFunction<String> scopeSize) {
    s.derive();
    if (e.open) {
      Affected before = s.open.get(e.node);
      s.put(e.node, before == null ? e.at : Math.max(before.at, e.at), e.scopes);
    } else {
      s.remove(e.node);
    }
    expire(s, e.at);

    Incident inc = s.incident;
    List<FleetIncident> out = new ArrayList<>();
    if (inc != null && s.open.isEmpty() && !e.open) {
      s.incident = null;
      out.add(incident(e.signature, e.at, inc, inc.scope, IncidentState.CLEARED));
      return out;
    }
    Optional<Explanation> best = explain(s, scopeSize);
    if (inc == null) {
      best.ifPresent(b -> out.add(open(s, e.signature, e.at, b)));
      return out;
    }
    if (best.isPresent()
        && !best.get().scope().equals(inc.scope)
        && best.get().covered() > coveredBy(s, inc.scope)) {
      out.addAll(move(s, e.signature, e.at, best.get()));
      return out;
    }
    Affected a = s.open.get(e.node);
    if (e.open && a != null && a.scopes.contains(inc.scope) && inc.nodes.add(e.node)) {
      int n = inc.nodes.size();
      if (n <= UPDATE_EVERY_NODE_UP_TO || n >= inc.published + Math.max(1, inc.published / 10)) {
        inc.published = n;
        out.add(incident(e.signature, e.at, inc, inc.scope, IncidentState.UPDATED));
      }
    }
    return out;
  }

  /**
   * Looks at a storm again after a scope it touches shrank (a node left it). Memberships and
   * verdicts reach the correlator in arrival order, not event time: a node's removal from a lagging
   * partition can arrive after the verdicts it would have made a storm, and no verdict of the storm
   * may follow. So a storm without an incident opens one now if a scope explains it; a storm with
   * one moves to a scope that now covers more of it only when every node it holds stays held. It
   * never clears or releases anything, so arrival order can only delay a hold, never lift one.
   *
   * <p>The incident's time is the later of {@code at} (the membership change) and the storm's
   * newest verdict: when the removal is older than the storm, the incident is the one the same
   * records in event-time order give (same id, same {@code detectedAt}).
   */
  public List<FleetIncident> recheck(
      SignatureState s, String signature, long at, ToIntFunction<String> scopeSize) {
    s.derive();
    if (s.open.isEmpty()) {
      return List.of();
    }
    long now = Math.max(at, s.byAge.last().at());
    Incident inc = s.incident;
    if (inc == null) {
      expire(s, now);
    }
    Optional<Explanation> best = explain(s, scopeSize);
    if (best.isEmpty()) {
      return List.of();
    }
    Explanation b = best.get();
    if (inc == null) {
      return List.of(open(s, signature, now, b));
    }
    boolean keepsEveryHold =
        s.open.values().stream()
            .filter(a -> a.scopes.contains(inc.scope))
            .allMatch(a -> a.scopes.contains(b.scope()));
    if (!b.scope().equals(inc.scope) && b.covered() > coveredBy(s, inc.scope) && keepsEveryHold) {
      return move(s, signature, now, b);
    }
    return List.of();
  }

  /**
   * A node of the storm changed scopes (moved, or left the fleet while its verdict is still open):
   * it counts in the scopes it is in now, so a node that is gone neither covers nor sizes a scope.
   * Returns whether the node is in the storm. Publishes nothing; {@link #recheck} decides.
   */
  public boolean rescope(SignatureState s, String node, List<String> scopes) {
    s.derive();
    Affected a = s.open.get(node);
    if (a == null) {
      return false;
    }
    s.put(node, a.at, scopes);
    return true;
  }

  /**
   * Whether the storm's open incident is still explained by its scope at today's sizes. It may not
   * be when its scope grew: an incident opened while nodes of the scope were not counted yet.
   */
  public boolean explainedStill(SignatureState s, ToIntFunction<String> scopeSize) {
    Incident inc = s.incident;
    if (inc == null) {
      return true;
    }
    int covered = coveredBy(s, inc.scope);
    int size = Math.max(scopeSize.applyAsInt(inc.scope), covered);
    return covered >= params.minNodes() && 100L * covered >= (long) params.minPercent() * size;
  }

  /** Forgets the storm's nodes opened more than the window before {@code now}. */
  private void expire(SignatureState s, long now) {
    long cutoff = now - params.window().toMillis();
    while (!s.byAge.isEmpty() && s.byAge.first().at() < cutoff) {
      s.remove(s.byAge.first().node());
    }
  }

  private FleetIncident open(SignatureState s, String signature, long at, Explanation b) {
    Incident created = new Incident();
    created.detectedAt = at;
    created.scope = b.scope();
    created.nodes.addAll(nodesIn(s, b.scope()));
    created.incidentId = incidentId(b.scope(), signature, at);
    created.published = created.nodes.size();
    s.incident = created;
    return incident(signature, at, created, created.scope, IncidentState.OPEN);
  }

  /** The incident keeps its id and moves: CLEARED on its old scope, UPDATED on the new one. */
  private List<FleetIncident> move(SignatureState s, String signature, long at, Explanation b) {
    Incident inc = s.incident;
    FleetIncident cleared = incident(signature, at, inc, inc.scope, IncidentState.CLEARED);
    inc.scope = b.scope();
    inc.nodes.addAll(nodesIn(s, b.scope()));
    inc.published = inc.nodes.size();
    return List.of(cleared, incident(signature, at, inc, inc.scope, IncidentState.UPDATED));
  }

  private static int coveredBy(SignatureState s, String scope) {
    return (int) s.open.values().stream().filter(a -> a.scopes.contains(scope)).count();
  }

  /** The scope explaining the most of the storm (then the smallest, then by kind order). */
  Optional<Explanation> explain(SignatureState s, ToIntFunction<String> scopeSize) {
    s.derive();
    List<Explanation> passing = new ArrayList<>();
    s.counts.forEach(
        (scope, covered) -> {
          int size = Math.max(scopeSize.applyAsInt(scope), covered);
          if (covered >= params.minNodes() && 100L * covered >= (long) params.minPercent() * size) {
            passing.add(new Explanation(scope, kindIndex(scope), covered, size));
          }
        });
    return passing.stream()
        .min(
            Comparator.comparingInt((Explanation x) -> -x.covered())
                .thenComparingInt(Explanation::size)
                .thenComparingInt(Explanation::kind)
                .thenComparing(Explanation::scope));
  }

  /** The storm's nodes inside {@code scope}. */
  private static TreeSet<String> nodesIn(SignatureState s, String scope) {
    TreeSet<String> nodes = new TreeSet<>();
    s.open.forEach(
        (node, a) -> {
          if (a.scopes.contains(scope)) {
            nodes.add(node);
          }
        });
    return nodes;
  }

  private int kindIndex(String scope) {
    int colon = scope.indexOf(':');
    int i = params.scopes().indexOf(colon < 0 ? scope : scope.substring(0, colon));
    return i < 0 ? Integer.MAX_VALUE : i;
  }

  private FleetIncident incident(
      String signature, long at, Incident inc, String scope, IncidentState state) {
    FaultClass c = null;
    try {
      c = FaultClass.valueOf(signature.substring(0, signature.indexOf(':')));
    } catch (RuntimeException ex) {
      // signature without a class prefix: leave it unset
    }
    List<String> nodes = new ArrayList<>(inc.nodes);
    return FleetIncident.newBuilder()
        .setIncidentId(inc.incidentId)
        .setScope(scope)
        .setIncidentClass(IncidentClass.COMMON_CAUSE)
        .setSignature(signature)
        .setNodes(nodes)
        .setState(state)
        .setDetectedAt(Instant.ofEpochMilli(inc.detectedAt))
        .setUpdatedAt(Instant.ofEpochMilli(at))
        .setFaultClass(c)
        .setSummary(
            state == IncidentState.CLEARED
                ? "common cause " + signature + " in " + scope + " cleared"
                : nodes.size()
                    + " nodes of "
                    + scope
                    + " share "
                    + signature
                    + ": held for a common cause, not node-by-node remediation")
        .build();
  }

  static String incidentId(String scope, String signature, long at) {
    return "inc-"
        + UUID.nameUUIDFromBytes(
            (scope + '\u0000' + signature + '\u0000' + at).getBytes(StandardCharsets.UTF_8));
  }
}
