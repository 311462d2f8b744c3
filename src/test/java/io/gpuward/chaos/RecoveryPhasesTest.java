package io.gpuward.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryPhasesTest {

  private static final List<String> STEPS = List.of("jvm-start", "main", "running");

  @Test
  void shouldSplitARecoveryIntoThePhasesBetweenTheLoggedSteps() {
    List<String> log =
        List.of(
            "00:00:01.000 INFO  [main] StartupTimeline - startup step=jvm-start at=1300 jvmMs=0",
            "00:00:01.500 INFO  [main] StartupTimeline - startup step=main at=2000 jvmMs=700",
            "something else",
            "00:00:05.000 INFO  [t] StartupTimeline - startup step=running at=6000 jvmMs=4700");

    RecoveryPhases r = RecoveryPhases.of(1000, STEPS, log, 6500, "verdict");

    assertThat(r.phases())
        .containsExactly(
            entry("kill -> jvm-start", 300L),
            entry("jvm-start -> main", 700L),
            entry("main -> running", 4000L),
            entry("running -> verdict seen", 500L));
  }

  @Test
  void shouldGiveAMissingStepsTimeToTheNextPhase() {
    List<String> log =
        List.of("x StartupTimeline - startup step=jvm-start at=1300 jvmMs=0", "no steps here");

    RecoveryPhases r = RecoveryPhases.of(1000, STEPS, log, 3300, "verdict");

    assertThat(r.phases().values()).containsExactly(300L, 0L, 0L, 2000L);
  }

  @Test
  void shouldKeepTheFirstTimeOfAStepLoggedTwice() {
    List<String> log =
        List.of(
            "startup step=jvm-start at=1100 jvmMs=0",
            "startup step=main at=1200 jvmMs=100",
            "startup step=main at=1900 jvmMs=800");

    RecoveryPhases r = RecoveryPhases.of(1000, STEPS, log, 2000, "verdict");

    assertThat(r.phases()).containsEntry("jvm-start -> main", 100L);
  }

  @Test
  void shouldTabulateP50AndMaxPerPhase() {
    RecoveryPhases a = RecoveryPhases.of(0, STEPS, List.of("startup step=main at=1000"), 3000, "v");
    RecoveryPhases b = RecoveryPhases.of(0, STEPS, List.of("startup step=main at=2000"), 6000, "v");

    List<String> table = RecoveryPhases.table(List.of(a, b));

    assertThat(table).hasSize(4);
    assertThat(table.get(1)).contains("jvm-start -> main").contains("p50   1.0 s, max   2.0 s");
    assertThat(table.get(3)).contains("running -> v seen").contains("p50   2.0 s, max   4.0 s");
  }
}
