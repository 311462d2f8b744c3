package io.gpuward.cli;

import io.gpuward.config.Durations;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimTimeline;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Option;

/** Scenario selection shared by the roles that simulate a fleet. */
final class ScenarioOptions {
  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      description = "Scenario YAML (default: the built-in scenario).")
  Path scenarioFile;

  @Option(
      names = "--duration",
      paramLabel = "D",
      description = "Simulated time to run, e.g. 90s, 5m (default: the scenario's duration).")
  String duration;

  @Option(
      names = "--speed",
      paramLabel = "X",
      defaultValue = "1",
      description = "Simulated seconds per wall-clock second (default: ${DEFAULT-VALUE}).")
  double speed;

  Scenario scenario(InstanceTypeCatalog types) {
    Scenario s =
        scenarioFile == null
            ? ScenarioLoader.loadDefault(types)
            : ScenarioLoader.load(scenarioFile, types);
    return duration == null ? s : s.withDuration(parseDuration());
  }

  /** Longest {@code --duration} of {@code simulate}, which may follow the wall clock for long. */
  static final Duration MAX_DURATION = Duration.ofDays(366);

  Duration parseDuration() {
    return parseDuration(duration, MAX_DURATION);
  }

  /**
   * {@code --duration}: more than zero (an empty run says nothing) and at most {@code max}.
   *
   * @throws IllegalArgumentException naming the flag
   */
  static Duration parseDuration(String text, Duration max) {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("--duration: '" + text + "' is too long", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--duration: " + e.getMessage(), e);
    }
    if (d.isZero()) {
      throw new IllegalArgumentException("--duration: must be more than 0, was " + text);
    }
    if (d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "--duration: " + text + " is more than " + Durations.format(max));
    }
    return d;
  }

  /**
   * Where the run starts: the scenario's {@code start:}, checked, or far enough in the past that
   * the run ends at or before the wall clock at {@code speed}.
   *
   * @throws IllegalArgumentException naming {@code start} when the declared start does not fit
   */
  Instant start(Scenario scenario, double speed) {
    return SimTimeline.start(scenario.start(), Instant.now(), scenario.duration(), speed);
  }

  double speed() {
    if (!(speed > 0) || speed > 1000) {
      throw new IllegalArgumentException("--speed must be > 0 and <= 1000, was " + speed);
    }
    return speed;
  }
}
