package io.gpuward.cli;

import io.gpuward.config.Durations;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How far each role is behind the simulated world, in simulated time: the engine and the remediator
 * by the event time of the oldest record they have not committed ({@link LagProbe}), the simulator
 * by its last tick.
 */
final class DemoLags {

  /**
   * One measurement.
   *
   * @param engine the engine behind on its input topics; empty when unknown
   * @param remediator the remediator behind on the verdicts; empty when unknown
   * @param simulator the simulator's last tick behind the simulated clock
   */
  record Now(Optional<Duration> engine, Optional<Duration> remediator, Duration simulator) {

    /** Tells {@code watch} about every role more than {@code maxWall} of wall time behind. */
    void report(RoleWatch watch, double speed, Duration maxWall) {
      watch.behind("simulator", Optional.of(simulator), speed, maxWall);
      watch.behind("verdict engine", engine, speed, maxWall);
      watch.behind("remediator", remediator, speed, maxWall);
    }

    /** For the progress line: {@code engine lag 1.2s, remediator lag 0.4s}. */
    String line() {
      return "engine lag " + format(engine) + ", remediator lag " + format(remediator);
    }
  }

  private final LagProbe probe;
  private final String engineGroup;
  private final List<String> engineInputs;
  private final String remediatorGroup;
  private final List<String> verdicts;
  private final Clock clock;
  private final Supplier<Instant> lastTick;

  DemoLags(
      LagProbe probe, GpuwardConfig cfg, Topics topics, Clock clock, Supplier<Instant> lastTick) {
    this.probe = probe;
    this.engineGroup = cfg.engineApplicationId();
    this.engineInputs =
        List.of(
            topics.gpu.name(),
            topics.xid.name(),
            topics.kubeEvents.name(),
            topics.inventory.name());
    this.remediatorGroup = cfg.remediationGroupId();
    this.verdicts = List.of(topics.verdicts.name());
    this.clock = clock;
    this.lastTick = lastTick;
  }

  Now measure() {
    Instant now = clock.instant();
    Duration sim = Duration.between(lastTick.get(), now);
    return new Now(
        probe.behind(engineGroup, engineInputs, now),
        probe.behind(remediatorGroup, verdicts, now),
        sim.isNegative() ? Duration.ZERO : sim);
  }

  /** {@code 1.2s} under a minute, {@code 3m20s} above; {@code ?} when unknown. */
  static String format(Optional<Duration> lag) {
    if (lag.isEmpty()) {
      return "?";
    }
    Duration d = lag.get();
    if (d.compareTo(Duration.ofMinutes(1)) < 0) {
      return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    return Durations.format(d);
  }
}
