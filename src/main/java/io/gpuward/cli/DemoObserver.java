package io.gpuward.cli;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the output topics the way a user would (read_committed, from the beginning) and keeps what
 * it saw, for live progress, the summary and the jsonl files.
 */
final class DemoObserver implements AutoCloseable {
  private final Topics topics;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<FaultVerdict> verdicts = new ArrayList<>();
  private final List<FleetIncident> incidents = new ArrayList<>();
  private final List<RemediationRecord> audit = new ArrayList<>();
  private final List<NodeInventory> inventory = new ArrayList<>();
  private final List<ControlCommand> control = new ArrayList<>();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicLong lastRecordNanos = new AtomicLong(System.nanoTime());
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<CompletableFuture<Void>> caughtUp = new AtomicReference<>();
  private final Thread thread;

  DemoObserver(Map<String, Object> clientProps, Topics topics) {
    this.topics = topics;
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "gpuward-demo-observer");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(
        List.of(
            topics.verdicts.name(),
            topics.incidents.name(),
            topics.audit.name(),
            topics.inventory.name(),
            topics.control.name(),
            topics.dlq.name()));
    thread = new Thread(this::loop, "gpuward-demo-observer");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    Map<TopicPartition, Long> ends = null;
    while (running.get()) {
      var records = consumer.poll(Duration.ofMillis(100));
      keep(records);
      CompletableFuture<Void> request = caughtUp.get();
      if (request != null && !request.isDone()) {
        if (ends == null) {
          ends = consumer.endOffsets(consumer.assignment());
        }
        if (reached(ends)) {
          request.complete(null);
        }
      }
    }
    consumer.close(Duration.ofSeconds(2));
  }

  /** True when this consumer has read up to {@code ends} (read_committed: the stable offsets). */
  private boolean reached(Map<TopicPartition, Long> ends) {
    return !ends.isEmpty()
        && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private void keep(ConsumerRecords<String, byte[]> records) {
    for (var r : records) {
      if (r.value() == null) {
        continue;
      }
      lastRecordNanos.set(System.nanoTime());
      String t = r.topic();
      synchronized (this) {
        if (t.equals(topics.verdicts.name())) {
          verdicts.add(decode(topics.verdicts.valueSerde(), t, r.value()));
        } else if (t.equals(topics.incidents.name())) {
          incidents.add(decode(topics.incidents.valueSerde(), t, r.value()));
        } else if (t.equals(topics.audit.name())) {
          audit.add(decode(topics.audit.valueSerde(), t, r.value()));
        } else if (t.equals(topics.inventory.name())) {
          inventory.add(decode(topics.inventory.valueSerde(), t, r.value()));
        } else if (t.equals(topics.control.name())) {
          control.add(decode(topics.control.valueSerde(), t, r.value()));
        } else {
          deadLetters.incrementAndGet();
        }
      }
    }
  }

  /**
   * Waits until everything committed to the observed topics up to now has been read, so that what
   * is reported is what a user reading the topics afterwards sees. False on timeout.
   */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    CompletableFuture<Void> request = new CompletableFuture<>();
    caughtUp.set(request);
    try {
      request.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private static <V extends SpecificRecord> V decode(Serde<V> serde, String topic, byte[] bytes) {
    return serde.deserializer().deserialize(topic, bytes);
  }

  synchronized List<FaultVerdict> verdicts() {
    return List.copyOf(verdicts);
  }

  synchronized List<FleetIncident> incidents() {
    return List.copyOf(incidents);
  }

  synchronized List<RemediationRecord> audit() {
    return List.copyOf(audit);
  }

  /** The inventory records seen (tombstones left out): what a backtest seeds its world from. */
  synchronized List<NodeInventory> inventory() {
    return List.copyOf(inventory);
  }

  synchronized List<ControlCommand> control() {
    return List.copyOf(control);
  }

  long deadLetters() {
    return deadLetters.get();
  }

  /** How long since the last output record arrived. */
  Duration quietFor() {
    return Duration.ofNanos(System.nanoTime() - lastRecordNanos.get());
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
