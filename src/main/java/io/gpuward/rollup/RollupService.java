package io.gpuward.rollup;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.contract.Topics;
import io.gpuward.engine.RunningStreams;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/**
 * Starts and stops the telemetry rollup ({@link RollupTopology}) as its own Streams application,
 * {@code <engine.application.id>-rollup}, next to the verdict engine.
 */
public final class RollupService implements AutoCloseable {
  /** Suffix of the rollup's application id after the engine's. */
  public static final String APPLICATION_SUFFIX = "-rollup";

  private final RunningStreams app;

  private RollupService(RunningStreams app) {
    this.app = app;
  }

  /** The rollup's application id for this configuration. */
  public static String applicationId(GpuwardConfig cfg) {
    return cfg.engineApplicationId() + APPLICATION_SUFFIX;
  }

  /**
   * Streams properties: exactly-once v2 like the engine. Poison records are logged and skipped: the
   * verdict engine reads the same topic and already sends them to the DLQ, once.
   */
  public static Properties properties(GpuwardConfig cfg) {
    Properties p = new Properties();
    p.putAll(cfg.kafkaClientProps());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(cfg));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, cfg.engineCommitIntervalMs());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    // No global stores; set so Kafka Streams 4.3 does not warn about the GlobalThread at start.
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.put(StreamsConfig.STATE_DIR_CONFIG, cfg.engineStateDir());
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueProcessingExceptionHandler.class.getName());
    return p;
  }

  /**
   * Builds the rollup, starts it and waits until it runs (or fails). It believes event times within
   * the configured bounds of this host's clock, like the engine.
   */
  public static RollupService start(
      GpuwardConfig cfg, Topics topics, RollupSettings settings, Duration startTimeout) {
    return start(cfg, topics, settings, startTimeout, new SimpleMeterRegistry());
  }

  /** As {@link #start(GpuwardConfig, Topics, RollupSettings, Duration)}, timing restores. */
  public static RollupService start(
      GpuwardConfig cfg,
      Topics topics,
      RollupSettings settings,
      Duration startTimeout,
      MeterRegistry meters) {
    Topology topology =
        RollupTopology.build(topics, settings, Clock.systemUTC(), EventTimeBounds.of(cfg));
    KafkaStreams streams = new KafkaStreams(topology, properties(cfg));
    return new RollupService(
        RunningStreams.start("telemetry rollup", streams, startTimeout, meters));
  }

  /** Blocks until the rollup stops (closed, or failed). Returns the failure, if any. */
  public Throwable awaitStop() throws InterruptedException {
    return app.awaitStop();
  }

  @Override
  public void close() {
    app.close();
  }
}
