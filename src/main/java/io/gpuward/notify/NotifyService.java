package io.gpuward.notify;

import io.gpuward.contract.Topic;
import io.gpuward.contract.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the audit and incident topics (read_committed) and delivers each record's page to the
 * webhook before its offset is committed: at least once, in order per partition. While the webhook
 * fails, the partitions are paused and the consumer keeps polling, so the group keeps it, and the
 * attempt is retried with a backoff up to {@code maxBackoff}; nothing is skipped but an event the
 * webhook refuses for good (a 4xx) or a record that cannot be read, both logged and counted. Ids
 * delivered already are not sent again (the receiver dedupes across restarts by the event id).
 */
public final class NotifyService implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotifyService.class);
  private static final int REMEMBERED = 65_536;

  /** Retry pacing. */
  public record Backoff(Duration first, Duration max) {
    public static final Backoff DEFAULTS =
        new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, Deserializer<? extends SpecificRecord>> readers = new HashMap<>();
  private final Webhook webhook;
  private final Backoff backoff;
  private final MeterRegistry meters;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Set<String> delivered =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED;
            }
          });

  public NotifyService(
      Map<String, Object> clientProps,
      Topics topics,
      String groupId,
      Webhook webhook,
      Backoff backoff,
      MeterRegistry meters) {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    reader(topics.audit);
    reader(topics.incidents);
    this.webhook = webhook;
    this.backoff = backoff;
    this.meters = meters;
  }

  private void reader(Topic<? extends SpecificRecord> t) {
    readers.put(t.name(), t.valueSerde().deserializer());
  }

  @Override
  public void run() {
    consumer.subscribe(List.copyOf(readers.keySet()));
    Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
    try {
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (!handle(r)) {
            break; // stopping before r was delivered: it stays uncommitted
          }
          handled.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        if (!handled.isEmpty() && running.get()) {
          consumer.commitSync(handled);
          handled.clear();
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      commitOnStop(handled);
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Pages {@code r}'s event if it has one; false when the service stopped before delivering it. */
  private boolean handle(ConsumerRecord<String, byte[]> r) throws InterruptedException {
    Optional<CloudEvent> page = read(r).flatMap(Pages::of);
    return page.isEmpty() || deliver(page.get());
  }

  /**
   * Commits what was paged before a stop, so the next notifier (a rollout, a restart) does not page
   * it again. The stop's wakeup may still be pending, and fires once: then the commit is tried
   * again. Best effort: a failure leaves those pages to be sent again, which receivers dedupe.
   */
  private void commitOnStop(Map<TopicPartition, OffsetAndMetadata> handled) {
    for (int attempt = 0; attempt < 2 && !handled.isEmpty(); attempt++) {
      try {
        consumer.commitSync(handled, Duration.ofSeconds(5));
        handled.clear();
      } catch (WakeupException e) {
        // the stop's wakeup, now spent
      } catch (KafkaException e) {
        log.warn(
            "offsets of {} paged record(s) not committed on stop: {}",
            handled.size(),
            e.toString());
        return;
      }
    }
  }

  private Optional<SpecificRecord> read(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(readers.get(r.topic()).deserialize(r.topic(), r.value()));
    } catch (RuntimeException e) {
      meters.counter(NotifyMetrics.REJECTED, "type", "unreadable").increment();
      log.error(
          "unreadable record skipped topic={} partition={} offset={}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.toString());
      return Optional.empty();
    }
  }

  /**
   * Delivers {@code e}, retrying until the webhook takes or refuses it (true), or the service stops
   * (false).
   */
  private boolean deliver(CloudEvent e) throws InterruptedException {
    if (delivered.contains(e.id())) {
      meters.counter(NotifyMetrics.REPEATS, "type", e.type()).increment();
      return true;
    }
    Duration wait = backoff.first();
    while (running.get()) {
      Webhook.Result result = webhook.post(e);
      if (result instanceof Webhook.Result.Delivered) {
        delivered.add(e.id());
        meters.counter(NotifyMetrics.DELIVERED, "type", e.type()).increment();
        log.info("paged type={} id={} subject={}", e.type(), e.id(), e.subject());
        return true;
      }
      if (result instanceof Webhook.Result.Rejected x) {
        meters.counter(NotifyMetrics.REJECTED, "type", e.type()).increment();
        log.error(
            "webhook {} refused type={} id={}: HTTP {} {}",
            webhook.url(),
            e.type(),
            e.id(),
            x.status(),
            x.body());
        return true;
      }
      meters.counter(NotifyMetrics.RETRIES, "type", e.type()).increment();
      log.warn("webhook {} failed id={} ({}); again in {}", webhook.url(), e.id(), result, wait);
      idle(wait);
      Duration next = wait.multipliedBy(2);
      wait = next.compareTo(backoff.max()) > 0 ? backoff.max() : next;
    }
    return false;
  }

  /** Waits by polling with every partition paused: the group keeps this member meanwhile. */
  private void idle(Duration wait) {
    var assigned = consumer.assignment();
    consumer.pause(assigned);
    try {
      long end = System.nanoTime() + wait.toNanos();
      while (running.get() && System.nanoTime() < end) {
        consumer.poll(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
      }
    } finally {
      consumer.resume(consumer.assignment());
    }
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
  }
}
