package io.gpuward.remediation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Disruption budgets at several scopes at once (global, node group, zone): how many nodes may be in
 * a disruptive remediation at the same time, and how many disruptions may start per hour, each as a
 * count and as a percent of the scope's nodes (the stricter wins). A node holds its budget from its
 * first disruptive step until every fault session (verdict) that took part in the disruption
 * released it: two verdicts of one node are one disruption, and the node is back in the budget only
 * when the last of them is done, not when the first clears while the other still reboots. Recovery
 * (UNCORDON) never needs budget. Thread-safe.
 */
public final class Budgets {

  /** Limits for one kind of scope; 0 disables a limit. */
  public record Limits(
      int maxConcurrent, int maxConcurrentPercent, int maxPerHour, int maxPerHourPercent) {}

  /**
   * Why a node may not start a disruption now.
   *
   * @param freesAt when the scope's hourly window frees a slot (its oldest counted start leaves the
   *     hour), or null when the denial is by concurrency (it frees only on a {@link #release})
   */
  public record Denial(String scope, String reason, Instant freesAt) {
    public Denial(String scope, String reason) {
      this(scope, reason, null);
    }
  }

  private static final Duration HOUR = Duration.ofHours(1);

  private final Map<String, Limits> limitsByKind;
  private final ToIntFunction<String> scopeSize;
  private final Map<String, Set<String>> holders = new HashMap<>();
  private final Map<String, Deque<Instant>> starts = new HashMap<>();
  private final Map<String, List<String>> heldScopes = new HashMap<>();

  /** Per node in disruption, the fault sessions taking part in it. */
  private final Map<String, Set<String>> sessions = new HashMap<>();

  /**
   * @param limitsByKind limits for {@code global}, {@code nodegroup}, {@code zone}
   * @param scopeSize nodes in a scope (e.g. {@code nodegroup:p5-train}), 0 when unknown
   */
  public Budgets(Map<String, Limits> limitsByKind, ToIntFunction<String> scopeSize) {
    this.limitsByKind = Map.copyOf(limitsByKind);
    this.scopeSize = scopeSize;
  }

  /** The scopes a node's disruption counts against. */
  public static List<String> scopes(String nodegroup, String zone) {
    List<String> out = new ArrayList<>();
    out.add("global");
    if (nodegroup != null) {
      out.add("nodegroup:" + nodegroup);
    }
    if (zone != null) {
      out.add("zone:" + zone);
    }
    return out;
  }

  /**
   * Takes budget for {@code node} in every scope for fault session {@code session}, or none at all.
   * A node that already holds budget keeps it, and the session joins its disruption (its steps are
   * the same disruption, counted once).
   */
  public synchronized Optional<Denial> acquire(
      String node, String session, List<String> scopes, Instant now) {
    if (heldScopes.containsKey(node)) {
      sessions.get(node).add(session);
      return Optional.empty();
    }
    for (String scope : scopes) {
      Limits l = limitsByKind.get(kind(scope));
      if (l == null) {
        continue;
      }
      int size = scopeSize.applyAsInt(scope);
      int concurrent = holders.getOrDefault(scope, Set.of()).size();
      int cap = cap(l.maxConcurrent(), l.maxConcurrentPercent(), size);
      if (cap >= 0 && concurrent + 1 > cap) {
        return Optional.of(
            new Denial(
                scope,
                concurrent
                    + " node(s) already in disruptive remediation in "
                    + scope
                    + " (limit "
                    + cap
                    + ")"));
      }
      Deque<Instant> recent = prune(scope, now);
      int hourCap = cap(l.maxPerHour(), l.maxPerHourPercent(), size);
      if (hourCap >= 0 && recent.size() + 1 > hourCap) {
        // Slots free as counted starts leave the hour: enough of the oldest ones must go.
        Instant freesAt =
            recent.stream()
                .skip(Math.max(0, recent.size() - hourCap))
                .findFirst()
                .orElse(now)
                .plus(HOUR);
        return Optional.of(
            new Denial(
                scope,
                recent.size()
                    + " disruption(s) started in "
                    + scope
                    + " in the last hour (limit "
                    + hourCap
                    + ")",
                freesAt));
      }
    }
    for (String scope : scopes) {
      holders.computeIfAbsent(scope, k -> new HashSet<>()).add(node);
      starts.computeIfAbsent(scope, k -> new ArrayDeque<>()).addLast(now);
    }
    heldScopes.put(node, List.copyOf(scopes));
    sessions.computeIfAbsent(node, k -> new HashSet<>()).add(session);
    return Optional.empty();
  }

  /**
   * What the audit ledger says was taken before a restart: a disruption of {@code node} that
   * started at {@code startedAt} for fault session {@code session} counts against each scope's
   * hour, and, when {@code holding}, the session holds the node's budget until it releases it.
   * Called before any {@link #acquire}. Starts are restored per session: two verdicts of one node
   * that shared a disruption count twice in the hour after a restart, never less than live.
   */
  public synchronized void restore(
      String node,
      String session,
      List<String> scopes,
      Instant startedAt,
      boolean holding,
      Instant now) {
    for (String scope : scopes) {
      if (startedAt.isAfter(now.minus(HOUR))) {
        Deque<Instant> d = starts.computeIfAbsent(scope, k -> new ArrayDeque<>());
        List<Instant> sorted = new ArrayList<>(d);
        sorted.add(startedAt);
        sorted.sort(null);
        d.clear();
        d.addAll(sorted);
      }
      if (holding) {
        holders.computeIfAbsent(scope, k -> new HashSet<>()).add(node);
      }
    }
    if (holding) {
      heldScopes.putIfAbsent(node, List.copyOf(scopes));
      sessions.computeIfAbsent(node, k -> new HashSet<>()).add(session);
    }
  }

  /** Disruptions started per scope in the hour before {@code now}, for status and tests. */
  public synchronized Map<String, Integer> startedInLastHour(Instant now) {
    Map<String, Integer> out = new HashMap<>();
    starts.keySet().forEach(scope -> out.put(scope, prune(scope, now).size()));
    return out;
  }

  /**
   * Fault session {@code session} is done with the node's disruption (verified, failed for good,
   * gave up, or its verdict cleared); the node's budget is free once no session takes part.
   *
   * @return true when this freed the node's budget
   */
  public synchronized boolean release(String node, String session) {
    Set<String> taking = sessions.get(node);
    if (taking == null || !taking.remove(session) || !taking.isEmpty()) {
      return false;
    }
    sessions.remove(node);
    List<String> scopes = heldScopes.remove(node);
    if (scopes != null) {
      scopes.forEach(s -> holders.getOrDefault(s, new HashSet<>()).remove(node));
    }
    return true;
  }

  public synchronized boolean holds(String node) {
    return heldScopes.containsKey(node);
  }

  /** Nodes in disruptive remediation per scope, for metrics. */
  public synchronized Map<String, Integer> inUse() {
    Map<String, Integer> out = new HashMap<>();
    holders.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }

  /**
   * The stricter of a count and a percent of {@code size}; -1 when neither limits. A percent rounds
   * up, as a PodDisruptionBudget's maxUnavailable does: 20% of 13 nodes is 3, and a small scope can
   * always disrupt one node.
   */
  static int cap(int count, int percent, int size) {
    int c = count > 0 ? count : Integer.MAX_VALUE;
    if (percent > 0 && size > 0) {
      c = Math.min(c, (int) ((size * (long) percent + 99) / 100));
    }
    return c == Integer.MAX_VALUE ? -1 : c;
  }

  private Deque<Instant> prune(String scope, Instant now) {
    Deque<Instant> d = starts.computeIfAbsent(scope, k -> new ArrayDeque<>());
    Instant cutoff = now.minus(HOUR);
    // A start exactly an hour ago has left the window (so a denial's freesAt frees the slot).
    while (!d.isEmpty() && !d.peekFirst().isAfter(cutoff)) {
      d.pollFirst();
    }
    return d;
  }

  private static String kind(String scope) {
    int i = scope.indexOf(':');
    return i < 0 ? scope : scope.substring(0, i);
  }
}
