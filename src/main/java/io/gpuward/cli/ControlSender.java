package io.gpuward.cli;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends operator commands to the control topic and waits for the remediator's answer: the audit
 * record that applied the command ({@code operationId ctl-<commandId>}), or the dead letter that
 * refused it (matched by the command's own partition and offset). The watch starts at the end
 * offsets taken before sending, read_committed as the remediator writes both in transactions, so an
 * answer is never missed and nothing older is mistaken for one.
 */
final class ControlSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlSender.class);

  /** Where a sent command ended up. */
  sealed interface Outcome {
    ControlCommand command();

    RecordMetadata sent();
  }

  /** The remediator applied and audited it. */
  record Applied(ControlCommand command, RecordMetadata sent, RemediationRecord audit)
      implements Outcome {}

  /** The remediator dead-lettered it, for {@code reason}. */
  record Refused(ControlCommand command, RecordMetadata sent, String reason) implements Outcome {}

  /** On the topic, but no answer in time (or not waited for). */
  record Pending(ControlCommand command, RecordMetadata sent) implements Outcome {}

  static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

  private final Topics topics;
  private final KafkaProducer<String, ControlCommand> producer;
  private final KafkaConsumer<byte[], byte[]> watch;
  private final Deserializer<RemediationRecord> auditValues;
  private final Deserializer<DeadLetter> dlqValues;

  ControlSender(Map<String, Object> clientProps, Topics topics) {
    this.topics = topics;
    this.producer =
        new KafkaProducer<>(
            producerProps(clientProps),
            new StringSerializer(),
            topics.control.valueSerde().serializer());
    this.watch =
        new KafkaConsumer<>(
            consumerProps(clientProps), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.auditValues = topics.audit.valueSerde().deserializer();
    this.dlqValues = topics.dlq.valueSerde().deserializer();
  }

  private static Map<String, Object> producerProps(Map<String, Object> clientProps) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "gpuward-ctl");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, SEND_TIMEOUT.toMillis());
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() / 2);
    return p;
  }

  private static Map<String, Object> consumerProps(Map<String, Object> clientProps) {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "gpuward-ctl-watch");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned partitions, no group to grant or clean up
    return c;
  }

  /**
   * Takes the end offsets of the audit and dead-letter topics: every answer to a command sent after
   * this call lies past them.
   */
  void startWatching() {
    List<TopicPartition> parts = new ArrayList<>();
    for (String topic : List.of(topics.audit.name(), topics.dlq.name())) {
      List<PartitionInfo> infos = watch.partitionsFor(topic, SEND_TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      infos.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
    }
    watch.assign(parts);
    watch.seekToEnd(parts);
    parts.forEach(tp -> watch.position(tp, SEND_TIMEOUT)); // fixes the end offsets now
  }

  /** Sends {@code c} keyed by its scope, as the compacted control topic keeps it. */
  RecordMetadata send(ControlCommand c) throws InterruptedException {
    try {
      return producer
          .send(new ProducerRecord<>(topics.control.name(), c.getScope(), c))
          .get(SEND_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "could not send to " + topics.control.name() + ": " + Errors.describe(e.getCause()),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "could not send to " + topics.control.name() + " within " + SEND_TIMEOUT, e);
    }
  }

  /**
   * Waits up to {@code wait} for the remediator's answer to each sent command; those without one
   * come back {@link Pending}. In the order given.
   */
  List<Outcome> await(Map<ControlCommand, RecordMetadata> sent, Duration wait) {
    Map<String, Outcome> byId = new LinkedHashMap<>();
    sent.forEach((c, m) -> byId.put(c.getCommandId(), new Pending(c, m)));
    long deadline = System.nanoTime() + wait.toNanos();
    while (byId.values().stream().anyMatch(o -> o instanceof Pending)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      for (ConsumerRecord<byte[], byte[]> r :
          watch.poll(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())))) {
        answer(r, byId);
      }
    }
    return List.copyOf(byId.values());
  }

  private void answer(ConsumerRecord<byte[], byte[]> r, Map<String, Outcome> byId) {
    try {
      if (r.topic().equals(topics.audit.name())) {
        RemediationRecord a = auditValues.deserialize(r.topic(), r.value());
        Outcome o = a == null ? null : byId.get(a.getVerdictId());
        if (o instanceof Pending p && a.getOperationId().equals("ctl-" + a.getVerdictId())) {
          byId.put(a.getVerdictId(), new Applied(p.command(), p.sent(), a));
        }
      } else {
        DeadLetter d = dlqValues.deserialize(r.topic(), r.value());
        for (Outcome o : List.copyOf(byId.values())) {
          if (o instanceof Pending p && d != null && refuses(d, p.sent())) {
            byId.put(p.command().getCommandId(), new Refused(p.command(), p.sent(), d.getReason()));
          }
        }
      }
    } catch (SerializationException e) {
      log.debug(
          "unreadable record skipped topic={} partition={} offset={}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
    }
  }

  private static boolean refuses(DeadLetter d, RecordMetadata sent) {
    return d.getOriginalTopic().equals(sent.topic())
        && d.getOriginalPartition() == sent.partition()
        && d.getOriginalOffset() == sent.offset();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    watch.close(Duration.ofSeconds(5));
  }
}
