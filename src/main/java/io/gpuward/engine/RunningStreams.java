package io.gpuward.engine;

import io.gpuward.ops.StartupTimeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka Streams application running in this process (the verdict engine, the telemetry rollup):
 * started and waited for until RUNNING, its failure kept, closed leaving the group.
 */
public final class RunningStreams implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunningStreams.class);

  private final String name;
  private final KafkaStreams streams;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Throwable failure;

  private RunningStreams(String name, KafkaStreams streams) {
    this.name = name;
    this.streams = streams;
  }

  /**
   * Starts {@code streams} and waits up to {@code startTimeout} until it runs. A failure of a
   * stream thread is a bug, not bad data (bad data goes to the DLQ): it shuts the application down.
   * Throws if it failed to start.
   */
  public static RunningStreams start(String name, KafkaStreams streams, Duration startTimeout) {
    return start(name, streams, startTimeout, new SimpleMeterRegistry());
  }

  /**
   * As {@link #start(String, KafkaStreams, Duration)}; the time each store takes to restore is
   * logged and recorded in {@code meters}, and the first RUNNING is a step of the startup timeline.
   */
  public static RunningStreams start(
      String name, KafkaStreams streams, Duration startTimeout, MeterRegistry meters) {
    RunningStreams app = new RunningStreams(name, streams);
    CountDownLatch running = new CountDownLatch(1);
    String step = name.replace(' ', '-');
    streams.setGlobalStateRestoreListener(new RestoreTimeline(step, meters));
    streams.setStateListener(
        (now, before) -> {
          log.info("{} state {} -> {}", name, before, now);
          if (now == KafkaStreams.State.RUNNING && running.getCount() > 0) {
            StartupTimeline.mark(step + "-running");
            running.countDown();
          }
          if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
            running.countDown();
            app.stopped.countDown();
          }
        });
    ThreadFailures failures = new ThreadFailures(Clock.systemUTC());
    streams.setUncaughtExceptionHandler(
        e -> {
          StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse r = failures.respond(e);
          if (r == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD) {
            log.warn(
                "{} stream thread died of a transient error; replacing it: {}", name, e.toString());
            return r;
          }
          log.error("{} failed; shutting down", name, e);
          app.failure = e;
          return r;
        });
    streams.start();
    try {
      if (!running.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "{} not RUNNING after {}; continuing to wait in the background", name, startTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (streams.state() == KafkaStreams.State.ERROR || app.failure != null) {
      app.close();
      throw new IllegalStateException(name + " failed to start", app.failure);
    }
    return app;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The running application, for tests that read its task assignment. */
  KafkaStreams streams() {
    return streams;
  }

  /** Blocks until the application stops (closed, or failed). Returns the failure, if any. */
  public Throwable awaitStop() throws InterruptedException {
    stopped.await();
    return failure;
  }

  /**
   * Stops the application and leaves the consumer group, so a replacement instance gets the
   * partitions at once instead of after the session timeout.
   */
  @Override
  public void close() {
    streams.close(
        CloseOptions.timeout(Duration.ofSeconds(15))
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    stopped.countDown();
  }
}
