package io.gpuward.engine;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.contract.Topics;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.StartupTimeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts and stops the verdict engine; the topology itself is {@link VerdictTopology#build}. */
public final class EngineService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EngineService.class);

  private final RunningStreams app;
  private final KafkaStreamsMetrics binder;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EngineService(RunningStreams app, KafkaStreamsMetrics binder) {
    this.app = app;
    this.binder = binder;
  }

  static final int MAX_POLL_RECORDS = 5000;
  static final int MAX_PARTITION_FETCH_BYTES = 4 * 1024 * 1024;
  static final int FETCH_MAX_BYTES = 50 * 1024 * 1024;

  /** Streams properties of the engine (exactly-once v2, event time, DLQ for poison records). */
  public static Properties properties(
      GpuwardConfig cfg, Topics topics, MeterRegistry meters, Clock clock) {
    Properties p = new Properties();
    p.putAll(cfg.kafkaClientProps());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, cfg.engineApplicationId());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, cfg.engineCommitIntervalMs());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, cfg.engineThreads());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, cfg.engineStandbyReplicas());
    p.put(StreamsConfig.STATE_DIR_CONFIG, cfg.engineStateDir());
    p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    // Bigger polls and fetches for the input topics: fewer poll rounds per commit (measured with
    // gpuward bench: +8% samples per stream-thread CPU-second, same fault -> verdict p99). Each
    // can be overridden with -D kafka.main.consumer.<setting>.
    p.putIfAbsent(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), MAX_POLL_RECORDS);
    p.putIfAbsent(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        MAX_PARTITION_FETCH_BYTES);
    p.putIfAbsent(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), FETCH_MAX_BYTES);
    // Wait for records already on the broker before choosing the next one by timestamp (0, the
    // default, rather than -1): after a restart with a backlog, processing one topic's buffered
    // records ahead of another's reorders them by up to the whole backlog, which the rules' grace
    // cannot absorb (a GPU-sample backlog ahead of the XID that explains it opened a spurious
    // verdict). A kafka.max.task.idle.ms setting still overrides this.
    p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
    staticMembership(cfg, p);
    // The incidents global store: its processing errors go through the same handler.
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterHandler.class.getName());
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    p.put(DeadLetterHandler.DLQ_TOPIC, topics.dlq.name());
    p.put(DeadLetterHandler.SERIALIZER, topics.dlq.valueSerde().serializer());
    p.put(DeadLetterHandler.METERS, meters);
    p.put(DeadLetterHandler.CLOCK, clock);
    p.put(DeadLetterHandler.APPLICATION, cfg.engineApplicationId());
    return p;
  }

  /**
   * With an instance id (the pod name), the engine is a static member of its group: a restarted
   * instance gets its tasks back as soon as it rejoins, instead of waiting for the dead member's
   * session to expire (45 s by default). The session timeout is then how long a crashed instance
   * that does not come back holds its partitions, so it is shortened to 20 s.
   */
  private static void staticMembership(GpuwardConfig cfg, Properties p) {
    cfg.instanceId()
        .ifPresent(
            id -> {
              p.putIfAbsent(
                  StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), id);
              p.putIfAbsent(
                  StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                  STATIC_SESSION_TIMEOUT_MS);
            });
  }

  static final int STATIC_SESSION_TIMEOUT_MS = 20_000;

  /** Builds the topology, starts it, and waits until it runs (or fails). */
  public static EngineService start(
      GpuwardConfig cfg,
      Topics topics,
      RuleCatalog rules,
      InstanceTypeCatalog types,
      MeterRegistry meters,
      Clock clock,
      Duration startTimeout) {
    Topology topology =
        VerdictTopology.build(
            topics,
            rules,
            types,
            cfg.engineApplicationId(),
            meters,
            clock,
            EventTimeBounds.of(cfg));
    log.debug("verdict topology:\n{}", topology.describe());
    KafkaStreams streams = new KafkaStreams(topology, properties(cfg, topics, meters, clock));
    StartupTimeline.mark("verdict-engine-created");
    KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
    binder.bindTo(meters);
    try {
      return new EngineService(
          RunningStreams.start("verdict engine", streams, startTimeout, meters), binder);
    } catch (RuntimeException e) {
      binder.close();
      throw e;
    }
  }

  public KafkaStreams.State state() {
    return app.state();
  }

  /**
   * Changelog records this instance's active stores still have to restore (0 when every one is
   * current); -1 while it is not running.
   */
  public long restoreLag() {
    if (!app.state().isRunningOrRebalancing()) {
      return -1;
    }
    long lag = 0;
    for (var byPartition : app.streams().allLocalStorePartitionLags().values()) {
      for (var l : byPartition.values()) {
        lag += l.offsetLag();
      }
    }
    return lag;
  }

  /** The running Kafka Streams instance, for tests that read its task assignment. */
  KafkaStreams streams() {
    return app.streams();
  }

  /**
   * As near a crash as one JVM allows: stops without waiting and without leaving the group, so the
   * group keeps this member's partitions until its session times out, as after a kill -9. Tests and
   * the benchmark only; the state directory is left as it is.
   */
  public void halt() {
    app.streams().close(Duration.ZERO);
    binder.close();
  }

  /** Blocks until the engine stops (closed, or failed). Returns the failure, if any. */
  public Throwable awaitStop() throws InterruptedException {
    return app.awaitStop();
  }

  /**
   * Stops the engine and leaves the consumer group, so a replacement instance gets the partitions
   * at once instead of after the session timeout.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    app.close();
    binder.close();
  }
}
