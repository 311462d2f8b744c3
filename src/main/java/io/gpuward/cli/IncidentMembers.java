package io.gpuward.cli;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.VerdictState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verdicts a fleet incident holds now, read back as a platform team would: the incident's
 * latest emission from the incidents topic, then each member node's latest verdicts from the
 * verdicts topic (from a while before the incident opened), keeping those still open, held, and
 * held by this incident. {@code gpuward ctl approve --incident} sends one APPROVE per verdict.
 */
final class IncidentMembers {
  private static final Logger log = LoggerFactory.getLogger(IncidentMembers.class);

  /**
   * How long before the incident opened its members' verdicts are read from. A member's held
   * emission is never older than the incident; the margin covers event-time skew between nodes.
   */
  static final Duration LOOKBACK = Duration.ofHours(1);

  static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  private IncidentMembers() {}

  /** The latest emission of {@code incidentId}, or empty when the topic does not hold it. */
  static Optional<FleetIncident> incident(
      Map<String, Object> clientProps,
      String topic,
      Deserializer<FleetIncident> values,
      String incidentId) {
    Map<String, FleetIncident> latest = new HashMap<>();
    readToEnd(
        clientProps,
        topic,
        null,
        r -> {
          FleetIncident i = decode(values, r);
          if (i != null && i.getIncidentId().equals(incidentId)) {
            latest.put(incidentId, i);
          }
        });
    return Optional.ofNullable(latest.get(incidentId));
  }

  /** The open verdicts {@code incident} holds now, by verdict id. */
  static List<FaultVerdict> heldVerdicts(
      Map<String, Object> clientProps,
      String topic,
      Deserializer<FaultVerdict> values,
      FleetIncident incident) {
    Set<String> nodes = Set.copyOf(incident.getNodes());
    Map<String, FaultVerdict> latest = new LinkedHashMap<>();
    readToEnd(
        clientProps,
        topic,
        incident.getDetectedAt().minus(LOOKBACK),
        r -> {
          FaultVerdict v = decode(values, r);
          if (v != null && nodes.contains(v.getNode())) {
            latest.put(v.getVerdictId(), v);
          }
        });
    return held(latest.values(), incident);
  }

  /** Of the verdicts' latest emissions, those {@code incident} holds. Pure. */
  static List<FaultVerdict> held(Collection<FaultVerdict> latest, FleetIncident incident) {
    if (incident.getState() == IncidentState.CLEARED) {
      return List.of();
    }
    List<FaultVerdict> out = new ArrayList<>();
    for (FaultVerdict v : latest) {
      if (v.getState() != VerdictState.CLEARED
          && v.getHeld()
          && incident.getIncidentId().equals(v.getIncidentId())) {
        out.add(v);
      }
    }
    return out;
  }

  /** Reads {@code topic} from {@code from} (null: the beginning) to its end offsets now. */
  private static void readToEnd(
      Map<String, Object> clientProps,
      String topic,
      Instant from,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "gpuward-ctl-incident");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = partitions(consumer, topic);
      consumer.assign(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, READ_TIMEOUT);
      seek(consumer, parts, from);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " within " + READ_TIMEOUT);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, READ_TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  private static void seek(KafkaConsumer<?, ?> consumer, List<TopicPartition> parts, Instant from) {
    if (from == null) {
      consumer.seekToBeginning(parts);
      return;
    }
    Map<TopicPartition, Long> at = new HashMap<>();
    parts.forEach(tp -> at.put(tp, Math.max(0, from.toEpochMilli())));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at, READ_TIMEOUT);
    for (TopicPartition tp : parts) {
      OffsetAndTimestamp o = found.get(tp);
      if (o == null) {
        consumer.seekToEnd(List.of(tp)); // nothing that recent on this partition
      } else {
        consumer.seek(tp, o.offset());
      }
    }
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private static <V> V decode(Deserializer<V> values, ConsumerRecord<byte[], byte[]> r) {
    try {
      return values.deserialize(r.topic(), r.value());
    } catch (SerializationException e) {
      log.debug(
          "unreadable record skipped topic={} partition={} offset={}: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return null;
    }
  }
}
