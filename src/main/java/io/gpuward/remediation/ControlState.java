package io.gpuward.remediation;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Operator control: the latest command per scope, as the compacted {@code gpuward.control.v1} holds
 * it. Scopes are {@code global}, {@code nodegroup:<name>}, {@code zone:<name>}, {@code node:<name>}
 * and {@code verdict:<id>}. PAUSE stops new actions in its scope until a RESUME (or its expiry);
 * VETO refuses actions for a node or verdict; APPROVE lets a verdict through an incident hold.
 * Thread-safe.
 */
public final class ControlState {
  private final Map<String, ControlCommand> latest = new ConcurrentHashMap<>();

  public void apply(ControlCommand c) {
    latest.put(c.getScope(), c);
  }

  /** Forgets a scope (a tombstone on the compacted topic). */
  public void remove(String scope) {
    latest.remove(scope);
  }

  /** The PAUSE in force for a node, if any (most specific scope first). */
  public Optional<ControlCommand> pausedBy(
      String node, String nodegroup, String zone, Instant now) {
    for (String scope : scopes(node, nodegroup, zone)) {
      ControlCommand c = active(scope, now);
      if (c != null && c.getKind() == ControlKind.PAUSE) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** The VETO in force for a verdict or its node, if any. */
  public Optional<ControlCommand> vetoedBy(String node, String verdictId, Instant now) {
    for (String scope : List.of("verdict:" + verdictId, "node:" + node)) {
      ControlCommand c = active(scope, now);
      if (c != null && c.getKind() == ControlKind.VETO) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * When the VETO or PAUSE that stops acting on a verdict now runs out, if one does and it has an
   * expiry: the verdict is planned again then.
   */
  public Optional<Instant> blockingExpiry(
      String node, String nodegroup, String zone, String verdictId, Instant now) {
    return vetoedBy(node, verdictId, now)
        .or(() -> pausedBy(node, nodegroup, zone, now))
        .map(ControlCommand::getExpiresAt);
  }

  /** Whether an operator approved acting on this verdict despite an incident hold. */
  public boolean approved(String verdictId, Instant now) {
    ControlCommand c = active("verdict:" + verdictId, now);
    return c != null && c.getKind() == ControlKind.APPROVE;
  }

  private ControlCommand active(String scope, Instant now) {
    ControlCommand c = latest.get(scope);
    if (c == null || (c.getExpiresAt() != null && !now.isBefore(c.getExpiresAt()))) {
      return null;
    }
    return c;
  }

  private static List<String> scopes(String node, String nodegroup, String zone) {
    return List.of(
        "node:" + node,
        "nodegroup:" + (nodegroup == null ? "" : nodegroup),
        "zone:" + (zone == null ? "" : zone),
        "global");
  }
}
