package io.gpuward.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.registry.CompatibilityLevel;
import io.gpuward.contract.registry.RegistryMode;
import io.gpuward.contract.registry.SchemaStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaStore} in a compacted single-partition Kafka topic, JSON values keyed by {@link
 * SchemaStore#keyOf}: one record per registration (key {@code schema:<version>:<subject>},
 * rewritten with {@code "deleted": true} on a soft delete, a tombstone on a permanent one), per
 * config and mode setting ({@code config[:<subject>]}, {@code mode[:<subject>]}, a tombstone when
 * removed) and the id watermark ({@code ids}). Unique keys keep every registration through
 * compaction; topics written before soft deletes existed load unchanged. Appends wait for the
 * broker's acknowledgement (acks=all, idempotent).
 */
final class KafkaSchemaStore implements SchemaStore {
  private static final Logger log = LoggerFactory.getLogger(KafkaSchemaStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final String topic;
  private final KafkaProducer<String, String> producer;

  private KafkaSchemaStore(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                0,
                ProducerConfig.CLIENT_ID_CONFIG,
                "gpuward-schema-store"),
            new StringSerializer(),
            new StringSerializer());
  }

  /** Opens the store on {@code topic}, creating it (compacted, 1 partition) when missing. */
  static KafkaSchemaStore open(String bootstrapServers, String topic) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      short rf = (short) Math.min(3, brokerCount(admin));
      NewTopic t =
          new NewTopic(topic, 1, rf)
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      TopicAdmin.ensureNewTopics(admin, List.of(t), TIMEOUT);
    }
    return new KafkaSchemaStore(bootstrapServers, topic);
  }

  @Override
  public List<Entry> load() {
    TopicPartition tp = new TopicPartition(topic, 0);
    List<Entry> entries = new ArrayList<>();
    long end;
    KafkaConsumer<String, String> consumer = loader();
    try {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(tp, TIMEOUT) < end) {
        if (System.nanoTime() > deadline) {
          throw new KafkaException(
              "schema store: topic " + topic + " not read to offset " + end + " in " + TIMEOUT);
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            entries.add(decode(r.value(), r.offset()));
          } else {
            removal(r.key()).ifPresent(entries::add);
          }
        }
      }
    } finally {
      // No group, nothing to commit: the default close waits ~0.5 s for nothing.
      consumer.close(CloseOptions.timeout(Duration.ZERO));
    }
    log.info("schema store: read {} entries from {} up to offset {}", entries.size(), topic, end);
    return entries;
  }

  private KafkaConsumer<String, String> loader() {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
            50,
            ConsumerConfig.CLIENT_ID_CONFIG,
            "gpuward-schema-store-loader"),
        new StringDeserializer(),
        new StringDeserializer());
  }

  @Override
  public void append(Entry entry) {
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, key(entry), encode(entry));
    try {
      producer.send(record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new KafkaException("cannot write to " + topic + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException("no acknowledgement from " + topic + " within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted writing to " + topic, e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  private static int brokerCount(Admin admin) {
    try {
      return admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("schema store: cannot describe the Kafka cluster: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted describing the Kafka cluster", e);
    }
  }

  static String key(Entry entry) {
    return SchemaStore.keyOf(entry);
  }

  /** The JSON value of {@code entry}, or null (a tombstone) for a removal. */
  static String encode(Entry entry) {
    ObjectNode o = JSON.createObjectNode();
    if (entry instanceof SchemaEntry s) {
      o.put("type", "schema")
          .put("subject", s.subject())
          .put("version", s.version())
          .put("id", s.id())
          .put("schema", s.schema());
      if (s.deleted()) {
        // Only soft-deleted entries carry the field: a live registration is written exactly as
        // before soft deletes existed, and a reader that ignores it sees the version live.
        o.put("deleted", true);
      }
    } else if (entry instanceof ConfigEntry c && c.level() != null) {
      o.put("type", "config").put("subject", c.subject()).put("compatibility", c.level().name());
    } else if (entry instanceof ModeEntry m && m.mode() != null) {
      o.put("type", "mode").put("subject", m.subject()).put("mode", m.mode().name());
    } else if (entry instanceof IdWatermark w) {
      o.put("type", "ids").put("maxId", w.maxId());
    } else {
      return null;
    }
    return o.toString();
  }

  /** The removal a tombstone of {@code key} stands for; empty for a key this store never writes. */
  static Optional<Entry> removal(String key) {
    if (key == null) {
      return Optional.empty();
    }
    String[] parts = key.split(":", 3);
    String subject = parts.length > 1 ? key.substring(parts[0].length() + 1) : null;
    switch (parts[0]) {
      case "schema" -> {
        if (parts.length == 3 && parts[1].matches("[0-9]{1,10}")) {
          return Optional.of(new SchemaRemoved(parts[2], Integer.parseInt(parts[1])));
        }
        return Optional.empty();
      }
      case "config" -> {
        return Optional.of(new ConfigEntry(subject, null));
      }
      case "mode" -> {
        return Optional.of(new ModeEntry(subject, null));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  static Entry decode(String value, long offset) {
    try {
      JsonNode o = JSON.readTree(value);
      String subject = o.hasNonNull("subject") ? o.get("subject").asText() : null;
      String type = o.path("type").asText();
      switch (type) {
        case "schema" -> {
          return new SchemaEntry(
              subject,
              o.get("version").asInt(),
              o.get("id").asInt(),
              o.get("schema").asText(),
              o.path("deleted").asBoolean(false));
        }
        case "config" -> {
          return new ConfigEntry(
              subject, CompatibilityLevel.parse(o.get("compatibility").asText()));
        }
        case "mode" -> {
          return new ModeEntry(subject, RegistryMode.parse(o.get("mode").asText()));
        }
        case "ids" -> {
          return new IdWatermark(o.get("maxId").asInt());
        }
        default -> throw new IllegalStateException("unknown entry type '" + type + "'");
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "schema store: unreadable entry at offset " + offset + ": " + e.getMessage(), e);
    }
  }
}
