package io.gpuward.bench;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Watches the verdict and audit topics as any downstream reader would (read_committed, from their
 * current end) and notes when each node's first OPEN verdict and each verdict's successful CORDON
 * became visible ({@link System#nanoTime()}). One consumer reads both, so an audit record is never
 * seen before a verdict that was committed earlier.
 */
final class VerdictObserver implements AutoCloseable {

  /** An OPEN verdict as first seen. */
  /**
   * An OPEN verdict as seen: its id, class, when it became visible here, and its detection time
   * (event time of the evidence that opened it).
   */
  record Seen(String verdictId, String faultClass, long atNanos, long detectedAtMs) {}

  private final Topics topics;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<String, List<Seen>> openByNode = new ConcurrentHashMap<>();
  private final Map<String, Long> cordonByVerdict = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile Throwable failure;

  VerdictObserver(Map<String, Object> clientProps, Topics topics) {
    this.topics = topics;
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "gpuward-bench-observer");
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : List.of(topics.verdicts.name(), topics.audit.name())) {
      consumer.partitionsFor(t).forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
    }
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position); // resolve the end now, before anything is injected
    this.thread = new Thread(this::run, "gpuward-bench-observer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    var verdicts = topics.verdicts.valueSerde().deserializer();
    var audit = topics.audit.valueSerde().deserializer();
    try {
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(100));
        long now = System.nanoTime();
        for (ConsumerRecord<String, byte[]> r : records) {
          if (r.value() == null) {
            continue;
          }
          if (r.topic().equals(topics.verdicts.name())) {
            FaultVerdict v = verdicts.deserialize(r.topic(), r.value());
            if (v.getState() == VerdictState.OPEN) {
              openByNode
                  .computeIfAbsent(v.getNode(), n -> new CopyOnWriteArrayList<>())
                  .add(
                      new Seen(
                          v.getVerdictId(),
                          v.getFaultClass().name(),
                          now,
                          v.getDetectedAt().toEpochMilli()));
            }
          } else {
            RemediationRecord a = audit.deserialize(r.topic(), r.value());
            if (a.getAction() == RemediationAction.CORDON && a.getOutcome() == Outcome.SUCCEEDED) {
              cordonByVerdict.putIfAbsent(a.getVerdictId(), now);
            }
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * The first OPEN verdict seen for {@code node} that was detected at or after {@code notBeforeMs}
   * (the injected fault's event time), or null. Verdicts the node already had, e.g. from the
   * pre-loaded backlog the engine may still be working through, do not count: matching them made
   * the latency negative.
   */
  Seen open(String node, long notBeforeMs) {
    List<Seen> seen = openByNode.get(node);
    if (seen == null) {
      return null;
    }
    for (Seen s : seen) {
      if (s.detectedAtMs() >= notBeforeMs) {
        return s;
      }
    }
    return null;
  }

  /** When a successful CORDON of {@code verdictId} was seen, or null. */
  Long cordon(String verdictId) {
    return cordonByVerdict.get(verdictId);
  }

  Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
