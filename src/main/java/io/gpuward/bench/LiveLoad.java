package io.gpuward.bench;

import io.gpuward.avro.GpuSample;
import io.gpuward.contract.Topic;
import io.gpuward.exporter.TelemetryPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Background telemetry for the latency phase: one simulated tick of the fleet's GPU samples,
 * replayed round-robin at a fixed rate with event time = now, evenly over time (not in per-tick
 * bursts), through an idempotent producer configured like the exporter's.
 */
final class LiveLoad implements AutoCloseable {
  private static final int MAX_BATCH = 2_000;
  private static final int EVENT_TIME = GpuSample.SCHEMA$.getField("eventTime").pos();

  private final Topic<GpuSample> topic;
  private final List<GpuSample> samples;
  private final double rate;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong sent = new AtomicLong();
  private final Thread thread;
  private volatile long startedAt;
  private volatile Throwable failure;

  LiveLoad(
      Map<String, Object> clientProps,
      Topic<GpuSample> topic,
      List<GpuSample> samples,
      double rate) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples to replay");
    }
    this.topic = topic;
    this.samples = samples;
    this.rate = rate;
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // the same codec as the exporters whose load it stands in for
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, TelemetryPublisher.COMPRESSION);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "gpuward-bench-live");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.thread = new Thread(this::run, "gpuward-bench-live");
    this.thread.setDaemon(true);
  }

  void start() {
    startedAt = System.nanoTime();
    thread.start();
  }

  private void run() {
    var serializer = topic.valueSerde().serializer();
    int next = 0;
    try {
      while (running.get()) {
        long due = (long) ((System.nanoTime() - startedAt) / 1e9 * rate);
        long n = Math.min(MAX_BATCH, due - sent.get());
        if (n <= 0) {
          LockSupport.parkNanos(1_000_000);
          continue;
        }
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        for (long i = 0; i < n; i++) {
          GpuSample s = samples.get(next);
          next = next + 1 == samples.size() ? 0 : next + 1;
          s.put(EVENT_TIME, now); // generated records have no setters
          producer.send(
              new ProducerRecord<>(
                  topic.name(), s.getNode(), serializer.serialize(topic.name(), s)));
        }
        sent.addAndGet(n);
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** Samples per second actually sent since the start. */
  double achievedRate() {
    return sent.get() / ((System.nanoTime() - startedAt) / 1e9);
  }

  long sent() {
    return sent.get();
  }

  Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
  }
}
