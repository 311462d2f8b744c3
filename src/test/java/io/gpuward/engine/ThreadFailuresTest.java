package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.sim.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailuresTest {
  static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");

  static StreamsException commitFailed() {
    return new StreamsException(
        "Error encountered trying to commit a transaction",
        new InvalidTxnStateException("The producer attempted a transactional operation"));
  }

  @Test
  void shouldReplaceTheThreadWhenTheBrokerLostItsTransaction() {
    var failures = new ThreadFailures(Clock.fixed(T0, ZoneOffset.UTC));
    assertThat(failures.respond(commitFailed()))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  @Test
  void shouldStopTheClientOnAnErrorANewThreadWouldMeetAgain() {
    var failures = new ThreadFailures(Clock.fixed(T0, ZoneOffset.UTC));
    assertThat(failures.respond(new StreamsException(new SerializationException("bad"))))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(failures.respond(new IllegalStateException("bug")))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
  }

  @Test
  void shouldStopTheClientWhenTransientDeathsLoopAndReplaceAgainOnceTheyAge() {
    ManualClock clock = new ManualClock(T0);
    var failures = new ThreadFailures(clock);
    for (int i = 0; i < ThreadFailures.MAX_REPLACEMENTS; i++) {
      assertThat(failures.respond(commitFailed()))
          .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }
    assertThat(failures.respond(commitFailed()))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    clock.advance(ThreadFailures.WINDOW.plus(Duration.ofSeconds(1)));
    assertThat(failures.respond(commitFailed()))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }
}
