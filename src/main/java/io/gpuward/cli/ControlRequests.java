package io.gpuward.cli;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.config.Durations;
import io.gpuward.remediation.ControlCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the command {@code gpuward ctl} sends and checks it with the remediator's own rules
 * ({@link ControlCommands#check}), so that what the remediator would dead-letter is refused at the
 * command line instead, before anything is sent. Pure.
 */
final class ControlRequests {

  /** Who issued a command, and where that name came from (said in the output). */
  record Operator(String name, String source) {}

  private static final Pattern JAAS_USERNAME = Pattern.compile("\\busername\\s*=\\s*\"([^\"]*)\"");

  private ControlRequests() {}

  /**
   * The operator: {@code --operator}, else the SASL username of the Kafka client config (the name
   * the broker knows the sender by), else the OS user.
   */
  static Operator operator(String flag, Map<String, Object> clientProps, String osUser) {
    if (flag != null && !flag.isBlank()) {
      return new Operator(flag.trim(), "--operator");
    }
    Object jaas = clientProps.get("sasl.jaas.config");
    if (jaas != null) {
      Matcher m = JAAS_USERNAME.matcher(jaas.toString());
      if (m.find() && !m.group(1).isBlank()) {
        return new Operator(m.group(1), "SASL username");
      }
    }
    if (osUser == null || osUser.isBlank()) {
      throw new IllegalArgumentException(
          "no operator: give --operator NAME (no SASL username and no OS user to fall back on)");
    }
    return new Operator(osUser, "OS user");
  }

  /** Longest {@code --wait}: ctl is a command line, not a watcher. */
  static final Duration MAX_WAIT = Duration.ofHours(1);

  /** {@code --wait}: 0 (do not wait) up to {@link #MAX_WAIT}. */
  static Duration waitFor(String text) {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("--wait: '" + text + "' is too long", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--wait: " + e.getMessage(), e);
    }
    if (d.compareTo(MAX_WAIT) > 0) {
      throw new IllegalArgumentException("--wait: at most 1h, was " + text);
    }
    return d;
  }

  /** {@code --expires}: a positive duration such as 30m or 2h, or null when not given. */
  static Duration expiry(String text) {
    if (text == null) {
      return null;
    }
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("--expires: '" + text + "' is too long", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--expires: " + e.getMessage(), e);
    }
    if (d.isZero()) {
      throw new IllegalArgumentException("--expires: must be more than 0, was " + text);
    }
    return d;
  }

  /** Refuses an expiry the remediator would refuse: further than its limit after issue. */
  static void checkExpiry(Duration expires, ControlCommands.Limits limits) {
    if (expires != null && expires.compareTo(limits.maxExpiry()) > 0) {
      throw new IllegalArgumentException(
          "--expires: "
              + Durations.format(expires)
              + " is more than the remediator allows ("
              + Durations.format(limits.maxExpiry())
              + ", remediation.control.max.expiry.ms)");
    }
  }

  /**
   * A fresh command (new UUID, issued {@code now}), checked as the remediator checks it.
   *
   * @throws IllegalArgumentException with the remediator's reason when it would be refused
   */
  static ControlCommand build(
      ControlKind kind,
      String scope,
      Operator operator,
      String reason,
      Duration expires,
      Instant now,
      ControlCommands.Limits limits) {
    Optional<String> badScope = ControlCommands.scope(scope);
    if (badScope.isPresent()) {
      throw new IllegalArgumentException(badScope.get());
    }
    checkExpiry(expires, limits);
    Instant issued = Instant.ofEpochMilli(now.toEpochMilli());
    ControlCommand c =
        ControlCommand.newBuilder()
            .setCommandId(UUID.randomUUID().toString())
            .setScope(scope)
            .setKind(kind)
            .setOperator(operator.name())
            .setReason(reason == null || reason.isBlank() ? null : reason)
            .setIssuedAt(issued)
            .setExpiresAt(expires == null ? null : issued.plus(expires))
            .build();
    Optional<String> refused = ControlCommands.check(scope, c, now, limits);
    if (refused.isPresent()) {
      throw new IllegalArgumentException(refused.get());
    }
    return c;
  }
}
