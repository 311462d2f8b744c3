package io.gpuward.ops;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/** Health rules of the roles that are not just "a counter keeps moving" ({@link ProgressCheck}). */
public final class RoleHealth {
  private RoleHealth() {}

  /**
   * Up while a role's background reader runs; down, naming it, once it died (e.g. the remediator's
   * control reader: with it dead no PAUSE or VETO arrives, so the role must not look healthy).
   */
  public static HealthCheck alive(String what, BooleanSupplier alive) {
    return () -> alive.getAsBoolean() ? Health.UP : Health.down(what + " stopped");
  }

  /**
   * The engine is up while Kafka Streams is RUNNING or REBALANCING; down while it has not started
   * yet ({@code state} gives null), is still CREATED, or is PENDING_SHUTDOWN, NOT_RUNNING, ERROR.
   */
  public static HealthCheck streams(Supplier<KafkaStreams.State> state) {
    return () -> {
      KafkaStreams.State s = state.get();
      if (s == null) {
        return Health.down("engine starting");
      }
      return switch (s) {
        case RUNNING, REBALANCING -> Health.UP;
        default -> Health.down("engine state " + s);
      };
    };
  }
}
