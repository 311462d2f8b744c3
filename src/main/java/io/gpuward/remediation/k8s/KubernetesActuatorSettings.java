package io.gpuward.remediation.k8s;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link KubernetesClusterActuator}; validated on construction, a bad value fails fast
 * naming the field.
 *
 * @param initialBackoff first wait after an eviction was refused (PDB 429) or failed (5xx)
 * @param maxBackoff cap of the exponential eviction backoff (doubling from {@code initialBackoff})
 * @param podGonePollInterval how often to check that evicted pods have left the node
 * @param conflictRetries read-modify-write attempts on a node patch before a 409 is reported as
 *     transient
 * @param maxEvictionRounds upper bound on eviction rounds in one drain, whatever the clock says
 * @param asgKey node label or annotation holding the Auto Scaling group name (annotation first)
 */
public record KubernetesActuatorSettings(
    Duration initialBackoff,
    Duration maxBackoff,
    Duration podGonePollInterval,
    int conflictRetries,
    int maxEvictionRounds,
    String asgKey) {

  /**
   * Backoff 1 s doubling to 10 s, pod-gone polls every 2 s, 3 attempts on a conflict, at most 500
   * eviction rounds, ASG name under {@code gpuward.io/asg}.
   */
  public static KubernetesActuatorSettings defaults() {
    return new KubernetesActuatorSettings(
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        Duration.ofSeconds(2),
        3,
        500,
        "gpuward.io/asg");
  }

  public KubernetesActuatorSettings {
    positive("initialBackoff", initialBackoff);
    positive("maxBackoff", maxBackoff);
    positive("podGonePollInterval", podGonePollInterval);
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff " + maxBackoff + " is shorter than initialBackoff " + initialBackoff);
    }
    if (conflictRetries < 1) {
      throw new IllegalArgumentException("conflictRetries must be >= 1, got " + conflictRetries);
    }
    if (maxEvictionRounds < 1) {
      throw new IllegalArgumentException(
          "maxEvictionRounds must be >= 1, got " + maxEvictionRounds);
    }
    if (asgKey == null || asgKey.isBlank()) {
      throw new IllegalArgumentException("asgKey must not be blank");
    }
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
