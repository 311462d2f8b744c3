package io.gpuward.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Decides a role's health at each {@code /healthz} request. Must be cheap and thread-safe. */
@FunctionalInterface
public interface HealthCheck {

  Health check();

  /** Always up (e.g. a role with nothing to watch yet). */
  HealthCheck ALWAYS_UP = () -> Health.UP;

  /**
   * Up when every named check is up; otherwise down with the reasons of the failing ones, each
   * prefixed with its name ({@code engine: state ERROR; remediator: ...}).
   */
  static HealthCheck all(Map<String, HealthCheck> named) {
    Map<String, HealthCheck> checks = Map.copyOf(named);
    List<String> names = checks.keySet().stream().sorted().toList();
    return () -> {
      List<String> reasons = new ArrayList<>();
      for (String name : names) {
        Health h;
        try {
          h = checks.get(name).check();
        } catch (RuntimeException e) {
          h = Health.down("check failed: " + e.getClass().getSimpleName());
        }
        if (h instanceof Health.Down d) {
          reasons.add(name + ": " + d.reason());
        }
      }
      return reasons.isEmpty() ? Health.UP : Health.down(String.join("; ", reasons));
    };
  }
}
