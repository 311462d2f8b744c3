package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the verdict and audit topics ({@code read_committed}, from the beginning) on a thread of
 * its own, for {@link RemediatorChaosIT} to judge what the remediator did while it runs.
 */
final class ChaosRecords implements AutoCloseable {
  private final Topics topics;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<FaultVerdict> verdicts = new ArrayList<>();
  private final List<RemediationRecord> audit = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  ChaosRecords(String bootstrap, Topics topics) {
    this.topics = topics;
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : List.of(topics.verdicts.name(), topics.audit.name())) {
      consumer.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    this.thread = new Thread(this::loop, "chaos-records");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (running) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            continue;
          }
          if (r.topic().equals(topics.verdicts.name())) {
            FaultVerdict v =
                topics.verdicts.valueSerde().deserializer().deserialize(r.topic(), r.value());
            synchronized (this) {
              verdicts.add(v);
            }
          } else {
            RemediationRecord a =
                topics.audit.valueSerde().deserializer().deserialize(r.topic(), r.value());
            synchronized (this) {
              audit.add(a);
            }
          }
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  synchronized List<FaultVerdict> verdicts() {
    return List.copyOf(verdicts);
  }

  synchronized List<RemediationRecord> audit() {
    return List.copyOf(audit);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
