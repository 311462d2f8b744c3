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
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
    String label = exactlyOnce ? "raw exactly-once" : "raw plain";
    try (var consumer =
            new KafkaConsumer<>(
                consumerProps(clientProps, id, exactlyOnce),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        var producer =
            new KafkaProducer<>(
                producerProps(clientProps, id, exactlyOnce),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
      if (exactlyOnce) {
        producer.initTransactions();
      }
      Start start = new Start();
      consumer.subscribe(List.of(inputTopic), start);
      Copy copy = new Copy(consumer, producer, outputTopic, exactlyOnce);
      long commitNanos = Duration.ofMillis(commitIntervalMs).toNanos();
      return copyAll(copy, start, endOffsets, commitNanos, label, progress);
    }
  }

  private static Map<String, Object> consumerProps(
      Map<String, Object> clientProps, String id, boolean exactlyOnce) {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, id);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    c.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, exactlyOnce ? "read_committed" : "read_uncommitted");
    return c;
  }

  private static Map<String, Object> producerProps(
      Map<String, Object> clientProps, String id, boolean exactlyOnce) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, id);
    if (exactlyOnce) {
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    }
    return p;
  }

  /** Copies until the consumer reaches {@code endOffsets}, committing every {@code commitNanos}. */
  private static Result copyAll(
      Copy copy,
      Start start,
      Map<TopicPartition, Long> endOffsets,
      long commitNanos,
      String label,
      PrintStream progress) {
    long lastCommit = System.nanoTime();
    long lastProgress = lastCommit;
    while (true) {
      copy.send(copy.consumer.poll(Duration.ofMillis(100)));
      long now = System.nanoTime();
      boolean done = start.at != 0 && caughtUp(copy.consumer, endOffsets);
      if (!copy.pending.isEmpty() && (done || now - lastCommit >= commitNanos)) {
        copy.commit();
        lastCommit = now;
      }
      if (done) {
        copy.finish();
        return start.result(copy.copied);
      }
      if (now - lastProgress >= Bench.PROGRESS_EVERY.toNanos() && start.at != 0) {
        lastProgress = now;
        progress.printf(
            Locale.ROOT,
            "  %s: %,d records, %,.0f records/s%n",
            label,
            copy.copied,
            copy.copied / ((now - start.at) / 1e9));
      }
    }
  }

  /** Marks the first assignment: time and CPU are measured from there. */
  private static final class Start implements ConsumerRebalanceListener {
    long at;
    long threadCpu;
    long processCpu;

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> parts) {}

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> parts) {
      if (at == 0 && !parts.isEmpty()) {
        at = System.nanoTime();
        threadCpu = CpuMeter.currentThreadCpuNanos();
        processCpu = CpuMeter.processCpuNanos();
      }
    }

    Result result(long copied) {
      double seconds = (System.nanoTime() - at) / 1e9;
      return new Result(
          copied,
          seconds,
          (CpuMeter.currentThreadCpuNanos() - threadCpu) / 1e9,
          (CpuMeter.processCpuNanos() - processCpu) / 1e9);
    }
  }

  /** One consume+produce pipe: sends what is polled, commits offsets plainly or in transactions. */
  private static final class Copy {
    final KafkaConsumer<byte[], byte[]> consumer;
    final KafkaProducer<byte[], byte[]> producer;
    final String outputTopic;
    final boolean exactlyOnce;
    final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    long copied;
    boolean inTransaction;

    Copy(
        KafkaConsumer<byte[], byte[]> consumer,
        KafkaProducer<byte[], byte[]> producer,
        String outputTopic,
        boolean exactlyOnce) {
      this.consumer = consumer;
      this.producer = producer;
      this.outputTopic = outputTopic;
      this.exactlyOnce = exactlyOnce;
    }

    void send(ConsumerRecords<byte[], byte[]> records) {
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
    }

    void commit() {
      if (exactlyOnce) {
        producer.sendOffsetsToTransaction(Map.copyOf(pending), consumer.groupMetadata());
        producer.commitTransaction();
        inTransaction = false;
      } else {
        consumer.commitAsync(Map.copyOf(pending), null);
      }
      pending.clear();
    }

    void finish() {
      if (!exactlyOnce) {
        producer.flush();
        consumer.commitSync();
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
