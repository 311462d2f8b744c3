package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-less readers of a start: the audit topic into the ledger, and the verdict topic into
 * the latest version of each open verdict, each read up to the end offsets it had at start.
 */
final class RestoreReaders {
  private static final Logger log = LoggerFactory.getLogger(RestoreReaders.class);

  private final Map<String, Object> clientProps;
  private final Topics topics;

  RestoreReaders(Map<String, Object> clientProps, Topics topics) {
    this.clientProps = clientProps;
    this.topics = topics;
  }

  /**
   * Folds the audit topic into the ledger. Only the remediator writes it; a record it cannot read
   * is logged and skipped (it is read again at every start, so it is not dead-lettered).
   */
  void rebuildLedger(Ledger ledger) {
    Deserializer<RemediationRecord> values = topics.audit.valueSerde().deserializer();
    KafkaConsumer<byte[], byte[]> reader = reader();
    try {
      List<TopicPartition> parts = partitionsOf(reader, List.of(topics.audit.name()));
      Map<TopicPartition, Long> end = reader.endOffsets(parts);
      int n = 0;
      while (parts.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          n += fold(ledger, values, r);
        }
      }
      log.info(
          "remediation ledger rebuilt from {} audit records ({} operations)", n, ledger.size());
    } finally {
      // Without a group there is nothing to leave or commit; a graceful close waits (~0.4 s
      // measured) for the broker to end the fetch session, on the path to the first action.
      reader.close(Duration.ZERO);
    }
  }

  /** Folds one audit record in; 1 when it was read, 0 when skipped. */
  private static int fold(
      Ledger ledger, Deserializer<RemediationRecord> values, ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return 0;
    }
    try {
      ledger.record(values.deserialize(r.topic(), r.value()));
      return 1;
    } catch (RuntimeException e) {
      log.warn(
          "unreadable audit record skipped topic={} partition={} offset={}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          Intake.messages(e));
      return 0;
    }
  }

  /**
   * Reads the verdict topic up to its current end ({@code read_committed}): the latest version of
   * each verdict, open or cleared. Records that fail their checks are skipped here: the verdict
   * consumer dead-letters them.
   */
  Map<String, FaultVerdict> readOpenVerdicts(
      Function<ConsumerRecord<byte[], byte[]>, Intake<FaultVerdict>> read) {
    Map<String, FaultVerdict> latest = new LinkedHashMap<>();
    KafkaConsumer<byte[], byte[]> reader = reader();
    try {
      List<TopicPartition> parts = partitionsOf(reader, List.of(topics.verdicts.name()));
      Map<TopicPartition, Long> end = reader.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          if (read.apply(r) instanceof Intake.Accepted<FaultVerdict> a) {
            FaultVerdict v = a.value();
            // A cleared verdict is kept too: its node may still wait on validation.
            latest.put(v.getVerdictId(), v);
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("open verdicts not restored: {}", e.toString());
      return Map.of();
    } finally {
      reader.close(Duration.ZERO); // see rebuildLedger
    }
    return latest;
  }

  /** A reader that reads a topic from its beginning without a group. */
  private KafkaConsumer<byte[], byte[]> reader() {
    Map<String, Object> c = new HashMap<>(clientProps);
    // It reads up to known end offsets: a fetch that finds nothing new need not wait for more.
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Every partition of {@code topicNames}, assigned to {@code reader} from its beginning. */
  static List<TopicPartition> partitionsOf(
      KafkaConsumer<byte[], byte[]> reader, List<String> topicNames) {
    List<TopicPartition> parts = new ArrayList<>();
    for (String topic : topicNames) {
      reader
          .partitionsFor(topic)
          .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
    }
    reader.assign(parts);
    reader.seekToBeginning(parts);
    return parts;
  }
}
