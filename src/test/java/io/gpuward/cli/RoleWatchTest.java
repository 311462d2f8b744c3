package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.ops.Health;
import io.gpuward.testing.Eventually;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RoleWatchTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  @Test
  void shouldKeepOnlyTheFirstRoleThatStopped() {
    try (RoleWatch watch = new RoleWatch()) {
      watch.stopped("remediator", "stopped polling");
      watch.stopped("verdict engine", "stopped");
      assertThat(watch.stopped())
          .map(RoleWatch.Stopped::line)
          .contains("remediator stopped polling");
    }
  }

  @Test
  void shouldReportARoleWhoseCheckIsDown() {
    AtomicReference<Health> health = new AtomicReference<>(Health.UP);
    try (RoleWatch watch = new RoleWatch()) {
      watch.check("simulator", health::get);
      assertThat(watch.stopped()).isEmpty();
      health.set(Health.down("failed: boom"));
      assertThat(watch.stopped()).map(RoleWatch.Stopped::line).contains("simulator failed: boom");
    }
  }

  @Test
  void shouldReportAStreamsRoleThatStoppedWithItsFailure() {
    CountDownLatch stop = new CountDownLatch(1);
    try (RoleWatch watch = new RoleWatch()) {
      watch.awaitStop(
          "verdict engine",
          () -> {
            stop.await();
            return new IllegalStateException("Timestamp 1 of message is out of range");
          });
      assertThat(watch.stopped()).isEmpty();
      stop.countDown();
      Eventually.await(
          Duration.ofSeconds(5),
          () ->
              assertThat(watch.stopped())
                  .map(RoleWatch.Stopped::line)
                  .contains("verdict engine failed: Timestamp 1 of message is out of range"));
    }
  }

  @Test
  void shouldIgnoreRolesStoppedOnPurpose() {
    try (RoleWatch watch = new RoleWatch()) {
      watch.closing();
      watch.stopped("verdict engine", "stopped");
      assertThat(watch.stopped()).isEmpty();
    }
  }

  @Test
  void shouldGiveUpOnARoleTooFarBehindInWallTime() {
    try (RoleWatch watch = new RoleWatch()) {
      // 3 h of simulated time at 200x is 54 s of wall time: late, but it can catch up.
      watch.behind("verdict engine", Optional.of(Duration.ofHours(3)), 200, LIMIT);
      watch.behind("remediator", Optional.empty(), 200, LIMIT);
      assertThat(watch.stopped()).isEmpty();
      watch.behind("verdict engine", Optional.of(Duration.ofHours(4)), 200, LIMIT);
      assertThat(watch.stopped())
          .map(RoleWatch.Stopped::line)
          .contains(
              "verdict engine fell behind beyond recovery: 4h behind the simulated fleet (1m12s"
                  + " of wall time at 200x, limit 1m)");
    }
  }

  @Test
  void shouldFormatLagsForTheProgressLine() {
    assertThat(DemoLags.format(Optional.of(Duration.ofMillis(1234)))).isEqualTo("1.2s");
    assertThat(DemoLags.format(Optional.of(Duration.ofSeconds(200)))).isEqualTo("3m20s");
    assertThat(DemoLags.format(Optional.empty())).isEqualTo("?");
  }
}
