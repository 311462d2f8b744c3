package io.gpuward.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Phase 2, the baseline: plain Kafka consume + produce of the same records on one thread. It reads
 * every record of the input topic and writes the same key and value bytes to the same partition of
 * a scratch topic, with the client settings the engine uses (1000 records per poll, linger 5 ms).
 *
 * <p>Exactly-once mode does what a Streams task does around its processing: read_committed, one
 * transaction per commit interval carrying the consumed offsets ({@code sendOffsetsToTransaction}
 * with the group's metadata). The plain mode uses an idempotent producer and async offset commits
 * at the same interval.
 */
final class RawPipe {

  /**
   * What the pipe did.
   *
   * @param records records copied
   * @param seconds wall time from partition assignment to the last commit
   * @param threadCpuSeconds CPU time of the pipe's thread meanwhile
   * @param processCpuSeconds CPU time of the whole JVM meanwhile (broker included)
   */
  record Result(long records, double seconds, double threadCpuSeconds, double processCpuSeconds) {
    double rate() {
      return records / seconds;
    }

    /** Records per CPU-second of the pipe's one thread. */
    double cpuRate() {
      return records / threadCpuSeconds;
    }
  }

  private RawPipe() {}

  static Result run(
      Map<String, Object> clientProps,
      String inputTopic,
      String outputTopic,
      Map<TopicPartition, Long> endOffsets,
      boolean exactlyOnce,
      long commitIntervalMs,
      PrintStream progress) {
    String id = "gpuward-bench-raw-" + (exactlyOnce ? "eos-" : "plain-") + UUID.randomUUID();
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, id);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    c.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, exactlyOnce ? "read_committed" : "read_uncommitted");
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, id);
    if (exactlyOnce) {
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    }
    String label = exactlyOnce ? "raw exactly-once" : "raw plain";
    try (var consumer =
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var producer =
            new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      if (exactlyOnce) {
        producer.initTransactions();
      }
      long[] assignedAt = {0};
      long[] cpuAt = {0, 0};
      consumer.subscribe(
          List.of(inputTopic),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> parts) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> parts) {
              if (assignedAt[0] == 0 && !parts.isEmpty()) {
                assignedAt[0] = System.nanoTime();
                cpuAt[0] = CpuMeter.currentThreadCpuNanos();
                cpuAt[1] = CpuMeter.processCpuNanos();
              }
            }
          });
      Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
      long copied = 0;
      boolean inTransaction = false;
      long lastCommit = System.nanoTime();
      long lastProgress = lastCommit;
      long commitNanos = Duration.ofMillis(commitIntervalMs).toNanos();
      while (true) {
        var records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty() && exactlyOnce && !inTransaction) {
          producer.beginTransaction();
          inTransaction = true;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          producer.send(new ProducerRecord<>(outputTopic, r.partition(), r.key(), r.value()));
          pending.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          copied++;
        }
        long now = System.nanoTime();
        boolean done = assignedAt[0] != 0 && caughtUp(consumer, endOffsets);
        if (!pending.isEmpty() && (done || now - lastCommit >= commitNanos)) {
          if (exactlyOnce) {
            producer.sendOffsetsToTransaction(Map.copyOf(pending), consumer.groupMetadata());
            producer.commitTransaction();
            inTransaction = false;
          } else {
            consumer.commitAsync(Map.copyOf(pending), null);
          }
          pending.clear();
          lastCommit = now;
        }
        if (done) {
          if (!exactlyOnce) {
            producer.flush();
            consumer.commitSync();
          }
          double seconds = (System.nanoTime() - assignedAt[0]) / 1e9;
          return new Result(
              copied,
              seconds,
              (CpuMeter.currentThreadCpuNanos() - cpuAt[0]) / 1e9,
              (CpuMeter.processCpuNanos() - cpuAt[1]) / 1e9);
        }
        if (now - lastProgress >= Bench.PROGRESS_EVERY.toNanos() && assignedAt[0] != 0) {
          lastProgress = now;
          progress.printf(
              Locale.ROOT,
              "  %s: %,d records, %,.0f records/s%n",
              label,
              copied,
              copied / ((now - assignedAt[0]) / 1e9));
        }
      }
    }
  }

  private static boolean caughtUp(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> endOffsets) {
    if (!consumer.assignment().containsAll(endOffsets.keySet())) {
      return false;
    }
    for (var e : endOffsets.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
