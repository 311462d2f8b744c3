package io.gpuward.chaos;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the verdict, audit and dead-letter topics from their beginning, {@code read_committed}
 * (what a downstream reader sees: records of aborted transactions never show), noting when each
 * record was first seen. Keeps reading across a broker restart.
 */
public final class ChaosWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChaosWatch.class);

  /** A record and the wall time it was first seen, epoch ms. */
  public record Seen<V>(V value, long seenAt) {}

  private final Topics topics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<Seen<FaultVerdict>> verdicts = new CopyOnWriteArrayList<>();
  private final List<Seen<RemediationRecord>> audit = new CopyOnWriteArrayList<>();
  private final List<Seen<DeadLetter>> deadLetters = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  public ChaosWatch(String bootstrap, Topics topics) {
    this.topics = topics;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : List.of(topics.verdicts.name(), topics.audit.name(), topics.dlq.name())) {
      consumer.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    thread = new Thread(this::loop, "chaos-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running.get()) {
      try {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          take(r, System.currentTimeMillis());
        }
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        return;
      } catch (KafkaException e) {
        log.warn("watch poll failed (broker away?), polling on: {}", e.toString());
      }
    }
  }

  /**
   * The verdict topic also holds the garbage the harness sent there: what does not decode is not
   * the engine's, and forged verdicts are told apart by their rule id.
   */
  private void take(ConsumerRecord<byte[], byte[]> r, long now) {
    if (r.value() == null) {
      return;
    }
    try {
      decode(r, now);
    } catch (RuntimeException e) {
      log.debug(
          "undecodable record {}-{}@{} (garbage): {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.toString());
    }
  }

  private void decode(ConsumerRecord<byte[], byte[]> r, long now) {
    if (r.topic().equals(topics.verdicts.name())) {
      verdicts.add(
          new Seen<>(
              topics.verdicts.valueSerde().deserializer().deserialize(r.topic(), r.value()), now));
    } else if (r.topic().equals(topics.audit.name())) {
      audit.add(
          new Seen<>(
              topics.audit.valueSerde().deserializer().deserialize(r.topic(), r.value()), now));
    } else {
      deadLetters.add(
          new Seen<>(
              topics.dlq.valueSerde().deserializer().deserialize(r.topic(), r.value()), now));
    }
  }

  public List<Seen<FaultVerdict>> verdicts() {
    return List.copyOf(verdicts);
  }

  public List<Seen<RemediationRecord>> audit() {
    return List.copyOf(audit);
  }

  public List<Seen<DeadLetter>> deadLetters() {
    return List.copyOf(deadLetters);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    thread.join(10_000);
    consumer.close(Duration.ofSeconds(2));
  }
}
