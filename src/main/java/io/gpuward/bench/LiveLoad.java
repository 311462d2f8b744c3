package io.gpuward.bench;

import io.gpuward.avro.GpuSample;
import io.gpuward.contract.Topic;
import io.gpuward.exporter.TelemetryPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
  private final List<Frame> frames;
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
    this.frames = frames(topic, samples);
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

  /** A sample to replay: its node (the key, one string per node) and its encoded frame. */
  private record Frame(String node, TimedFrame value) {}

  private static List<Frame> frames(Topic<GpuSample> topic, List<GpuSample> samples) {
    var serializer = topic.valueSerde().serializer();
    Map<String, String> nodes = new HashMap<>();
    List<Frame> out = new ArrayList<>(samples.size());
    for (GpuSample s : samples) {
      GpuSample copy = GpuSample.newBuilder(s).build();
      TimedFrame f =
          TimedFrame.of(
              t -> {
                copy.put(EVENT_TIME, Instant.ofEpochMilli(t)); // generated records have no setters
                return serializer.serialize(topic.name(), copy);
              },
              s.getEventTime().toEpochMilli());
      out.add(new Frame(nodes.computeIfAbsent(s.getNode(), n -> n), f));
    }
    return out;
  }

  private void run() {
    int next = 0;
    try {
      while (running.get()) {
        long due = (long) ((System.nanoTime() - startedAt) / 1e9 * rate);
        long n = Math.min(MAX_BATCH, due - sent.get());
        if (n <= 0) {
          LockSupport.parkNanos(1_000_000);
          continue;
        }
        long now = System.currentTimeMillis();
        for (long i = 0; i < n; i++) {
          Frame f = frames.get(next);
          next = next + 1 == frames.size() ? 0 : next + 1;
          producer.send(new ProducerRecord<>(topic.name(), f.node(), f.value().at(now)));
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
