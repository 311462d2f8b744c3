package io.gpuward.engine;

import io.gpuward.ops.StartupTimeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs and times every store restore of one Kafka Streams application: how many records, from which
 * changelog partition, in how long. After a crash under exactly-once the whole local state is
 * restored, which is most of a restart's time; this shows how much of it each store costs.
 */
final class RestoreTimeline implements StateRestoreListener {
  private static final Logger log = LoggerFactory.getLogger(RestoreTimeline.class);

  private final String application;
  private final MeterRegistry meters;
  private final AtomicBoolean first = new AtomicBoolean(true);
  private final Map<TopicPartition, Long> startedAt = new ConcurrentHashMap<>();

  RestoreTimeline(String application, MeterRegistry meters) {
    this.application = application;
    this.meters = meters;
  }

  @Override
  public void onRestoreStart(TopicPartition tp, String store, long startOffset, long endOffset) {
    startedAt.put(tp, System.nanoTime());
    if (first.compareAndSet(true, false)) {
      StartupTimeline.mark(application + "-restore-started");
    }
    log.info(
        "{} restoring store={} changelog={} offsets {}..{} ({} records at most)",
        application,
        store,
        tp,
        startOffset,
        endOffset,
        endOffset - startOffset);
  }

  @Override
  public void onBatchRestored(TopicPartition tp, String store, long batchEndOffset, long n) {
    // Per-batch progress is not needed: the start and end lines bound each restore.
  }

  @Override
  public void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
    Long t0 = startedAt.remove(tp);
    Duration took = Duration.ofNanos(t0 == null ? 0 : System.nanoTime() - t0);
    Timer.builder(EngineMetrics.RESTORE)
        .tag("application", application)
        .tag("store", store)
        .register(meters)
        .record(took);
    log.info(
        "{} restored store={} changelog={} records={} in {} ms",
        application,
        store,
        tp,
        totalRestored,
        took.toMillis());
  }

  @Override
  public void onRestoreSuspended(TopicPartition tp, String store, long totalRestored) {
    startedAt.remove(tp);
    log.info(
        "{} restore suspended store={} changelog={} records={}",
        application,
        store,
        tp,
        totalRestored);
  }
}
