package io.gpuward.remediation;

import io.gpuward.avro.ControlCommand;
import io.gpuward.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What an operator command must look like before it pauses, vetoes or approves anything: an id, a
 * known kind, a scope of a known form that is also its record key, an operator, an issue time not
 * in the future and a bounded expiry. The control topic is writable by more than operators; a
 * command that fails here is dead-lettered, never applied. Pure.
 */
public final class ControlCommands {

  /**
   * @param maxExpiry furthest a command's expiresAt may lie after its issuedAt (a VETO until 2100
   *     would outlive everyone who remembers it)
   * @param maxSkew how far in the future of the remediator's clock issuedAt may lie (clocks differ)
   */
  public record Limits(Duration maxExpiry, Duration maxSkew) {
    public static final Duration DEFAULT_MAX_EXPIRY = Duration.ofDays(7);
    public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_EXPIRY, Duration.ofMinutes(5));

    public Limits {
      if (maxExpiry.isNegative() || maxExpiry.isZero() || maxSkew.isNegative()) {
        throw new IllegalArgumentException(
            "control limits must be positive: maxExpiry " + maxExpiry + ", maxSkew " + maxSkew);
      }
    }
  }

  private ControlCommands() {}

  /** Why the command read under {@code key} is refused at {@code now}, or empty. */
  public static Optional<String> check(String key, ControlCommand c, Instant now, Limits limits) {
    if (!RecordChecks.isToken(c.getCommandId())) {
      return Optional.of(
          "commandId " + RecordChecks.describe(c.getCommandId()) + " is not a valid id");
    }
    if (c.getKind() == null) {
      return Optional.of("no kind");
    }
    Optional<String> scope = scope(c.getScope());
    if (scope.isPresent()) {
      return scope;
    }
    if (!c.getScope().equals(key)) {
      return Optional.of(
          "key " + RecordChecks.describe(key) + " is not the command's scope " + c.getScope());
    }
    if (c.getOperator() == null
        || c.getOperator().isBlank()
        || c.getOperator().length() > RecordChecks.MAX_ID) {
      return Optional.of("operator " + RecordChecks.describe(c.getOperator()) + " is not valid");
    }
    if (c.getReason() != null && c.getReason().length() > RecordChecks.MAX_TEXT) {
      return Optional.of("reason is " + c.getReason().length() + " characters");
    }
    return times(c, now, limits);
  }

  /** Why {@code scope} is not one of the known forms, or empty. */
  public static Optional<String> scope(String scope) {
    if ("global".equals(scope)) {
      return Optional.empty();
    }
    int i = scope == null ? -1 : scope.indexOf(':');
    if (i < 0) {
      return Optional.of(
          "scope "
              + RecordChecks.describe(scope)
              + " is not global, nodegroup:<name>, zone:<name>, node:<name> or verdict:<id>");
    }
    String kind = scope.substring(0, i);
    String name = scope.substring(i + 1);
    boolean ok =
        switch (kind) {
          case "node" -> RecordChecks.isNodeName(name);
          case "nodegroup", "zone", "verdict" -> RecordChecks.isToken(name);
          default -> false;
        };
    return ok
        ? Optional.empty()
        : Optional.of(
            "scope "
                + RecordChecks.describe(scope)
                + " is not global, nodegroup:<name>, zone:<name>, node:<name> or verdict:<id>");
  }

  private static Optional<String> times(ControlCommand c, Instant now, Limits limits) {
    Instant issued = c.getIssuedAt();
    if (issued.isAfter(now.plus(limits.maxSkew()))) {
      return Optional.of("issuedAt " + issued + " is in the future (now " + now + ")");
    }
    Instant expires = c.getExpiresAt();
    if (expires == null) {
      return Optional.empty();
    }
    if (!expires.isAfter(issued)) {
      return Optional.of("expiresAt " + expires + " is not after issuedAt " + issued);
    }
    if (expires.isAfter(issued.plus(limits.maxExpiry()))) {
      return Optional.of(
          "expiresAt "
              + expires
              + " is more than "
              + Durations.format(limits.maxExpiry())
              + " after issuedAt "
              + issued);
    }
    return Optional.empty();
  }
}
