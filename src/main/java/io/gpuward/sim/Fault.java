package io.gpuward.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * One scheduled fault of a scenario.
 *
 * @param index position in the scenario's {@code faults} list (for messages and ids)
 * @param at offset from the scenario start
 * @param target the node or node group it hits
 * @param injection what happens
 */
public record Fault(int index, Duration at, Target target, Injection injection) {
  public Fault {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(injection, "injection");
    if (at.isNegative()) {
      throw new IllegalArgumentException("at must not be negative: " + at);
    }
  }
}
