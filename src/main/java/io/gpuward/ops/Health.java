package io.gpuward.ops;

/** A role's health as {@code /healthz} reports it: up, or down with a short reason. */
public sealed interface Health {

  /** Healthy: {@code /healthz} answers 200. */
  record Up() implements Health {}

  /** Unhealthy: {@code /healthz} answers 503 with the reason. */
  record Down(String reason) implements Health {
    public Down {
      reason = reason == null || reason.isBlank() ? "unhealthy" : reason;
    }
  }

  Health UP = new Up();

  static Health down(String reason) {
    return new Down(reason);
  }

  default boolean isUp() {
    return this instanceof Up;
  }
}
