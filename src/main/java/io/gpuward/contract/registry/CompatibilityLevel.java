package io.gpuward.contract.registry;

import io.gpuward.contract.SchemaRegistryException;
import java.util.Locale;

/**
 * Schema compatibility levels as the Confluent registry names them. BACKWARD: the new schema reads
 * data written with the old one; FORWARD: the old schema reads data written with the new one; FULL:
 * both. TRANSITIVE levels check every earlier version instead of only the latest.
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** The new schema must read data written with earlier ones. */
  public boolean backward() {
    return backward;
  }

  /** Earlier schemas must read data written with the new one. */
  public boolean forward() {
    return forward;
  }

  /** Every earlier version is checked, not only the latest. */
  public boolean transitive() {
    return transitive;
  }

  /**
   * Parses a level, case-insensitively.
   *
   * @throws SchemaRegistryException HTTP 422, error code 42203, for an unknown level
   */
  public static CompatibilityLevel parse(String level) {
    if (level != null) {
      try {
        return valueOf(level.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // fall through to the registry's error
      }
    }
    throw new SchemaRegistryException(
        422,
        RegistryErrors.INVALID_COMPATIBILITY_LEVEL,
        "Invalid compatibility level '"
            + level
            + "'. Valid values are none, backward, forward, full, backward_transitive,"
            + " forward_transitive, and full_transitive");
  }
}
