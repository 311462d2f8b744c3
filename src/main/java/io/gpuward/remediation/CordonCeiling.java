package io.gpuward.remediation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * How many nodes gpuward may hold cordoned at once, fleet-wide and per node group, as a count and
 * as a percent of the scope's nodes (the stricter wins; 0 = no limit). Disruption budgets start at
 * the drain, so without this a fleet-wide signal, forged or real, could cordon every node: each
 * cordon is cheap on its own. A node holds its place from its cordon until gpuward uncordons it (or
 * finds it no longer cordoned by gpuward). Uncordoning is never limited. Thread-safe.
 */
public final class CordonCeiling {

  /** The ceiling of one kind of scope ({@code global} or {@code nodegroup}); 0 disables a limit. */
  public record Limit(int max, int maxPercent) {
    public Limit {
      if (max < 0 || maxPercent < 0 || maxPercent > 100) {
        throw new IllegalArgumentException(
            "max must be >= 0 and maxPercent 0..100: " + max + ", " + maxPercent);
      }
    }
  }

  /** Every refusal names it, so a repeated one is recognised in the ledger. */
  public static final String REASON = "cordon ceiling";

  /** The scope kinds a ceiling may name. */
  public static final Set<String> KINDS = Set.of("global", "nodegroup");

  private final Map<String, Limit> limits;
  private final ToIntFunction<String> scopeSize;
  private final Map<String, Set<String>> holders = new HashMap<>();
  private final Map<String, List<String>> heldScopes = new HashMap<>();

  /**
   * @param limits by scope kind ({@code global}, {@code nodegroup})
   * @param scopeSize nodes in a scope, 0 when unknown (then only the count applies)
   */
  public CordonCeiling(Map<String, Limit> limits, ToIntFunction<String> scopeSize) {
    this.limits = Map.copyOf(limits);
    this.scopeSize = scopeSize;
  }

  /**
   * Takes a place for {@code node} in every scope, or none; empty when it may be cordoned, else why
   * not. A node that holds a place keeps it (a second verdict on a cordoned node is free).
   */
  public synchronized Optional<String> admit(String node, List<String> scopes) {
    if (heldScopes.containsKey(node)) {
      return Optional.empty();
    }
    for (String scope : scopes) {
      Limit l = limits.get(kind(scope));
      if (l == null) {
        continue;
      }
      int cap = Budgets.cap(l.max(), l.maxPercent(), scopeSize.applyAsInt(scope));
      int held = holders.getOrDefault(scope, Set.of()).size();
      if (cap >= 0 && held + 1 > cap) {
        return Optional.of(
            held
                + " node(s) already cordoned by gpuward in "
                + scope
                + " ("
                + REASON
                + " "
                + cap
                + "); waiting for one to be uncordoned");
      }
    }
    adopt(node, scopes);
    return Optional.empty();
  }

  /**
   * Counts a node gpuward cordoned already (found cordoned by it after a restart), even beyond the
   * ceiling: it is cordoned whether counted or not.
   */
  public synchronized void adopt(String node, List<String> scopes) {
    if (heldScopes.putIfAbsent(node, List.copyOf(scopes)) == null) {
      scopes.forEach(s -> holders.computeIfAbsent(s, k -> new HashSet<>()).add(node));
    }
  }

  /** Frees the node's place: gpuward uncordoned it, or it is no longer cordoned by gpuward. */
  public synchronized boolean release(String node) {
    List<String> scopes = heldScopes.remove(node);
    if (scopes == null) {
      return false;
    }
    scopes.forEach(s -> holders.getOrDefault(s, new HashSet<>()).remove(node));
    return true;
  }

  public synchronized boolean holds(String node) {
    return heldScopes.containsKey(node);
  }

  /** Nodes held cordoned in {@code scope}. */
  public synchronized int held(String scope) {
    return holders.getOrDefault(scope, Set.of()).size();
  }

  private static String kind(String scope) {
    int i = scope.indexOf(':');
    return i < 0 ? scope : scope.substring(0, i);
  }
}
