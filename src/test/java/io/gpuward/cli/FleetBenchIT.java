package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.bench.FleetReport;
import io.gpuward.bench.FleetScore;
import io.gpuward.sim.FleetFault;
import io.gpuward.sim.FleetScenarios;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A tiny generated fleet (20 nodes, 1 simulated hour) through the demo's pipeline, scored against
 * its truth: the scoring runs end to end, hardware faults are detected, and no application XID
 * leads to a cordon, drain, reset, reboot or replacement.
 */
class FleetBenchIT {
  private static final Set<String> HARDWARE =
      Set.of(
          "GPU_LOST",
          "GPU_MEMORY_DEGRADED",
          "GPU_XID_FATAL",
          "NVLINK_DEGRADED",
          "GPU_THERMAL",
          "NODE_NOT_READY_GPU");

  @Test
  void shouldDetectHardwareFaultsAndLeaveApplicationXidsAlone() throws Exception {
    FleetScenarios.FleetRun generated = withApplicationAndHardwareFaults();
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    FleetBench.Run run =
        FleetBench.run(
            generated, 200, 3, null, new PrintStream(console, true, StandardCharsets.UTF_8));

    FleetScore.Result score = run.score();
    String text =
        console.toString(StandardCharsets.UTF_8)
            + FleetReport.text(
                new FleetReport.RunInfo(
                    20,
                    160,
                    1,
                    generated.scenario().seed(),
                    200,
                    run.wallSeconds(),
                    run.complete()),
                score);
    System.out.println(text);
    assertThat(run.complete()).as(text).isTrue();
    assertThat(score.faults()).isEqualTo(generated.truth().size());
    int hardwareDetected =
        score.classes().stream()
            .filter(c -> HARDWARE.contains(c.faultClass()))
            .mapToInt(FleetScore.ClassRow::detected)
            .sum();
    assertThat(hardwareDetected).as(text + score).isPositive();
    assertThat(score.wrongRemediations()).as(text + score).isZero();
  }

  /** The first seed whose tiny fleet has both an application XID and a hardware fault. */
  private static FleetScenarios.FleetRun withApplicationAndHardwareFaults() {
    return LongStream.range(1, 1000)
        .mapToObj(
            s -> FleetScenarios.generate(FleetScenarios.Settings.of(20, Duration.ofHours(1), s)))
        .filter(r -> r.truth().stream().anyMatch(f -> !f.remediate()))
        .filter(r -> r.truth().stream().map(FleetFault::expectedClass).anyMatch(HARDWARE::contains))
        .findFirst()
        .orElseThrow();
  }
}
