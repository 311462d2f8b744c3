package io.gpuward.exporter;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.contract.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes telemetry to the contract topics, keyed by node, through one idempotent producer.
 * Values are serialised with each topic's Confluent-framed Avro serde.
 */
public final class TelemetryPublisher implements TelemetrySink, AutoCloseable {
  /** The telemetry producers' codec unless {@code kafka.compression.type} says otherwise. */
  public static final String COMPRESSION = "gzip";

  private static final Logger log = LoggerFactory.getLogger(TelemetryPublisher.class);

  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Callback callback;

  public TelemetryPublisher(Map<String, Object> clientProps, Topics topics, String clientId) {
    this.topics = topics;
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // gzip is the one codec every stock Kafka client decodes without a plugin (kafkajs needs
    // plugins for snappy, lz4 and zstd, and one undecodable batch stalls a whole subscription).
    // An exporter sends a few records per scrape, where gzip costs about what lz4 does and
    // writes fewer bytes; kafka.compression.type overrides it where every consumer is JVM,
    // librdkafka or Go.
    p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.callback =
        (md, e) -> {
          if (e != null) {
            if (failed.incrementAndGet() % 1000 == 1) {
              log.warn("telemetry send failed ({} so far): {}", failed.get(), e.getMessage());
            }
          }
        };
  }

  /**
   * Binds the producer's client metrics (Micrometer {@code KafkaClientMetrics}) to {@code
   * registry}; close the result before the registry goes.
   */
  public AutoCloseable bindMetrics(MeterRegistry registry) {
    var binder = new KafkaClientMetrics(producer);
    binder.bindTo(registry);
    return binder;
  }

  private void send(String topic, String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key, value), callback);
    sent.incrementAndGet();
  }

  @Override
  public void gpuSample(GpuSample s) {
    send(
        topics.gpu.name(),
        s.getNode(),
        topics.gpu.valueSerde().serializer().serialize(topics.gpu.name(), s));
  }

  @Override
  public void xid(XidEvent e) {
    send(
        topics.xid.name(),
        e.getNode(),
        topics.xid.valueSerde().serializer().serialize(topics.xid.name(), e));
  }

  @Override
  public void nodeEvent(NodeEvent e) {
    send(
        topics.kubeEvents.name(),
        e.getNode(),
        topics.kubeEvents.valueSerde().serializer().serialize(topics.kubeEvents.name(), e));
  }

  @Override
  public void inventory(NodeInventory i) {
    send(
        topics.inventory.name(),
        i.getNode(),
        topics.inventory.valueSerde().serializer().serialize(topics.inventory.name(), i));
  }

  @Override
  public void inventoryRemoved(String node) {
    send(topics.inventory.name(), node, null);
  }

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
