package io.gpuward.watch;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the watcher's records, keyed by node, through one idempotent producer: inventory (and
 * tombstones) and node events, each with its topic's Confluent-framed Avro serde.
 */
public final class KafkaWatchSink implements WatchSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaWatchSink.class);

  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicLong failed = new AtomicLong();

  public KafkaWatchSink(Map<String, Object> clientProps, Topics topics, String clientId) {
    this.topics = topics;
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public void inventory(NodeInventory i) {
    String t = topics.inventory.name();
    send(t, i.getNode(), topics.inventory.valueSerde().serializer().serialize(t, i));
  }

  @Override
  public void inventoryRemoved(String node) {
    send(topics.inventory.name(), node, null);
  }

  @Override
  public void nodeEvent(NodeEvent e) {
    String t = topics.kubeEvents.name();
    send(t, e.getNode(), topics.kubeEvents.valueSerde().serializer().serialize(t, e));
  }

  private void send(String topic, String key, byte[] value) {
    producer.send(
        new ProducerRecord<>(topic, key, value),
        (md, e) -> {
          if (e != null && failed.incrementAndGet() % 100 == 1) {
            log.warn(
                "topic={} node={} send failed ({} so far): {}",
                topic,
                key,
                failed.get(),
                e.getMessage());
          }
        });
  }

  /** Sends that failed after the producer's own retries. */
  public long failed() {
    return failed.get();
  }

  /** Exposes the producer for its client metrics. */
  KafkaProducer<String, byte[]> producer() {
    return producer;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
