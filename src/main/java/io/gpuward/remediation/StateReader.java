package io.gpuward.remediation;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.NodeInventory;
import io.gpuward.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted control and inventory topics and the fleet incidents from their beginning,
 * on a thread of its own. Records below the state group's committed offsets were handled by an
 * earlier instance: commands and scope sizes there are restored silently, and what was refused
 * there stays refused without a second dead letter ({@link RefusedOffsets}, committed as offset
 * metadata). Newer commands are applied and audited; once caught up, they may let open verdicts
 * through.
 */
final class StateReader {
  private static final Logger log = LoggerFactory.getLogger(StateReader.class);

  private final Map<String, Object> clientProps;
  private final Topics topics;
  private final String groupId;
  private final Remediation remediation;
  private final ControlCommands.Limits controlLimits;
  private final AuditTransactions tx;
  private final DeadLetterRecords deadLetters;
  private final AtomicBoolean running;
  private final Consumer<FaultVerdict> replan;
  private final Deserializer<ControlCommand> controlValues;
  private final Deserializer<NodeInventory> inventoryValues;
  private final Deserializer<FleetIncident> incidentValues;
  private final VerdictReadBarrier barrier;
  private final StateRefusals refused;
  private final CountDownLatch restored = new CountDownLatch(1);
  // New control commands are applied only after the open verdicts are restored, as in sequence.
  private final CountDownLatch verdictsRestored = new CountDownLatch(1);
  private volatile KafkaConsumer<byte[], byte[]> reader;
  private volatile Thread thread;

  /**
   * @param groupId where its progress is committed
   * @param replan where an open verdict a new command may let through goes
   */
  StateReader(
      Map<String, Object> clientProps,
      Topics topics,
      String groupId,
      Remediation remediation,
      ControlCommands.Limits controlLimits,
      AuditTransactions tx,
      StateRefusals refused,
      DeadLetterRecords deadLetters,
      AtomicBoolean running,
      Consumer<FaultVerdict> replan,
      VerdictReadBarrier barrier) {
    this.clientProps = clientProps;
    this.topics = topics;
    this.groupId = groupId;
    this.remediation = remediation;
    this.controlLimits = controlLimits;
    this.tx = tx;
    this.refused = refused;
    this.deadLetters = deadLetters;
    this.running = running;
    this.replan = replan;
    this.controlValues = topics.control.valueSerde().deserializer();
    this.inventoryValues = topics.inventory.valueSerde().deserializer();
    this.incidentValues = topics.incidents.valueSerde().deserializer();
    this.barrier = barrier;
  }

  /** Assigns every partition from its beginning, reads the committed progress, and starts. */
  void start() {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    KafkaConsumer<byte[], byte[]> r =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts =
        RestoreReaders.partitionsOf(
            r, List.of(topics.control.name(), topics.inventory.name(), topics.incidents.name()));
    Set<TopicPartition> incidentParts =
        parts.stream()
            .filter(tp -> tp.topic().equals(topics.incidents.name()))
            .collect(Collectors.toSet());
    barrier.alwaysWaitFor(incidentParts);
    Map<TopicPartition, Long> restoreUntil = r.endOffsets(parts);
    Map<TopicPartition, OffsetAndMetadata> committed = r.committed(Set.copyOf(parts));
    committed.forEach(
        (tp, handled) -> {
          if (handled != null) {
            refused.restore(tp, handled.metadata());
          }
        });
    reader = r;
    StateProgress progress = new StateProgress(restoreUntil, committed, incidentParts);
    Thread t = new Thread(() -> follow(r, progress), "gpuward-remediator-state");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** The open verdicts are restored: new commands may be applied and plan them again. */
  void verdictsRestored() {
    verdictsRestored.countDown();
  }

  /** False once its thread died while the remediator runs. */
  boolean alive() {
    Thread t = thread;
    return t == null || t.isAlive() || !running.get();
  }

  /** Ends a poll under way (to stop, or as if from outside in a test). */
  void wakeup() {
    KafkaConsumer<byte[], byte[]> r = reader;
    if (r != null) {
      r.wakeup();
    }
  }

  /** Waits until it caught up with the end offsets it had at start. */
  void awaitRestored() {
    try {
      while (!restored.await(200, TimeUnit.MILLISECONDS)) {
        if (!thread.isAlive()) {
          throw new IllegalStateException(
              "control and inventory not restored: the state reader stopped; no action taken");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restoring control state", e);
    }
  }

  /**
   * Where the state reader stands. Per partition: {@code restoreUntil}, the end offset at start;
   * {@code committed}, what an earlier instance handled (absent on a first start: then commands up
   * to the end are restored silently, and every record is checked once); {@code readWhole}, the
   * partitions read record by record again at every start (incidents: one scope key holds several
   * storms, so the newest record per key is not the state).
   */
  private record StateProgress(
      Map<TopicPartition, Long> restoreUntil,
      Map<TopicPartition, OffsetAndMetadata> committed,
      Set<TopicPartition> readWhole) {

    /** Per partition an earlier instance handled, where that ends (within the restore). */
    Map<TopicPartition, Long> handledUntil() {
      Map<TopicPartition, Long> out = new HashMap<>();
      committed.forEach(
          (tp, c) -> {
            if (c != null && c.offset() > 0 && !readWhole.contains(tp)) {
              out.put(tp, Math.min(c.offset(), restoreUntil.get(tp)));
            }
          });
      return out;
    }

    boolean handledBefore(TopicPartition tp, long offset) {
      OffsetAndMetadata c = committed.get(tp);
      return c != null && offset < c.offset();
    }

    boolean restoring(TopicPartition tp, long offset) {
      return offset < restoreUntil.get(tp);
    }

    /** Whether a command at {@code offset} is new to the remediator: audited, not restored. */
    boolean announce(TopicPartition tp, long offset) {
      OffsetAndMetadata c = committed.get(tp);
      return c == null ? !restoring(tp, offset) : offset >= c.offset();
    }

    boolean caughtUp(KafkaConsumer<byte[], byte[]> reader) {
      return restoreUntil.entrySet().stream()
          .allMatch(e -> reader.position(e.getKey()) >= e.getValue());
    }
  }

  private void follow(KafkaConsumer<byte[], byte[]> r, StateProgress progress) {
    try (r) {
      restoreHandled(r, progress);
      if (!awaitVerdictsRestored()) {
        return;
      }
      while (running.get()) {
        pollOnce(r, progress);
      }
    } catch (WakeupException | InterruptException e) {
      if (running.get()) {
        log.error("remediator state reader woken while running; it stopped", e);
      }
    } catch (RuntimeException e) {
      log.error("remediator state reader stopped", e);
    }
  }

  private void pollOnce(KafkaConsumer<byte[], byte[]> r, StateProgress progress) {
    // Every incident before these positions was applied (by the polls before this one): a
    // disruptive step waiting for their ends knows the holds. Reported before the restore is
    // declared done, so the first verdicts find them set; positions move past markers too.
    progress.readWhole().forEach(tp -> barrier.position(tp, r.position(tp)));
    // Before the poll: caught up, it would only wait for records that are not there.
    if (restored.getCount() > 0 && progress.caughtUp(r)) {
      log.info("control and inventory restored up to {}", progress.restoreUntil());
      restored.countDown();
    }
    var records = r.poll(Duration.ofMillis(200));
    for (ConsumerRecord<byte[], byte[]> rec : records) {
      TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
      tx.stateOffsets().started(tp, rec.offset());
      read(rec, tp, progress);
      tx.stateOffsets().finished(tp, rec.offset());
    }
    if (!records.isEmpty()) {
      tx.commit();
    }
    progress.readWhole().forEach(tp -> barrier.position(tp, r.position(tp)));
  }

  private void read(ConsumerRecord<byte[], byte[]> r, TopicPartition tp, StateProgress p) {
    Intake<?> in = intake(r);
    if (in instanceof Intake.Refused<?> no) {
      refusedOf(tp).add(r.offset());
      if (!p.handledBefore(tp, r.offset())) {
        deadLetters.of(r, no).ifPresent(tx::send);
      }
      return;
    }
    long offset = r.offset();
    apply(r.topic(), (Intake.Accepted<?>) in, p.announce(tp, offset), p.restoring(tp, offset));
  }

  private Intake<?> intake(ConsumerRecord<byte[], byte[]> r) {
    if (r.topic().equals(topics.incidents.name())) {
      return Intake.read(r, incidentValues, true, RecordChecks::incident);
    }
    return r.topic().equals(topics.inventory.name())
        ? Intake.read(r, inventoryValues, true, RecordChecks::inventory)
        : Intake.read(
            r,
            controlValues,
            true,
            (key, cmd) ->
                ControlCommands.check(key, cmd, remediation.clock().instant(), controlLimits));
  }

  private void apply(String topic, Intake.Accepted<?> a, boolean announce, boolean restoring) {
    if (topic.equals(topics.inventory.name())) {
      applyInventory(a.key(), (NodeInventory) a.value());
    } else if (topic.equals(topics.incidents.name())) {
      if (a.value() != null) {
        remediation.incidents().apply((FleetIncident) a.value());
      }
    } else if (a.value() == null) {
      remediation.controls().remove(a.key()); // a tombstone: the scope's command is withdrawn
    } else {
      applyControl((ControlCommand) a.value(), announce, restoring);
    }
  }

  private void applyInventory(String key, NodeInventory inv) {
    if (inv == null) {
      remediation.fleet().remove(key);
    } else {
      remediation.fleet().apply(inv);
    }
  }

  /**
   * Applies a command; audits it when it is new to the remediator. While restoring, no verdict is
   * planned again: every command up to the end is applied first, and the service resumes the open
   * verdicts afterwards.
   */
  private void applyControl(ControlCommand command, boolean announce, boolean restoring) {
    if (!announce) {
      remediation.restoreControl(command);
      return;
    }
    List<FaultVerdict> again = remediation.onControl(command);
    if (!restoring) {
      again.forEach(replan);
    }
  }

  /** Waits for the open verdicts to be restored; false when the remediator stopped meanwhile. */
  private boolean awaitVerdictsRestored() {
    try {
      while (!verdictsRestored.await(200, TimeUnit.MILLISECONDS)) {
        if (!running.get()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("remediator state reader interrupted before the verdicts were restored");
      return false;
    }
  }

  /**
   * Restores what earlier instances handled, below the state group's committed offsets: per key the
   * newest record not refused before. Older versions of a key decide nothing, so they are not
   * decoded; records refused before ({@link RefusedOffsets}) are skipped, not decoded again (each
   * unknown schema id among them cost a registry round trip). The result is what reading every
   * record in order gives: the last record accepted per key wins. Leaves these partitions at their
   * committed offsets, from where {@link #read} handles the records new to the remediator.
   */
  private void restoreHandled(KafkaConsumer<byte[], byte[]> r, StateProgress progress) {
    Map<TopicPartition, Long> until = progress.handledUntil();
    if (until.isEmpty()) {
      return;
    }
    Set<TopicPartition> others = new HashSet<>(r.assignment());
    others.removeAll(until.keySet());
    r.pause(others);
    Map<TopicPartition, Map<String, List<ConsumerRecord<byte[], byte[]>>>> byKey =
        readHandled(r, until);
    r.resume(others);
    until.forEach(r::seek);
    int records = 0;
    int decoded = 0;
    for (var partition : byKey.entrySet()) {
      for (List<ConsumerRecord<byte[], byte[]>> versions : partition.getValue().values()) {
        records += versions.size();
        decoded += restoreNewest(partition.getKey(), versions);
      }
    }
    log.info(
        "control and inventory handled before restored: {} keys, {} records read, {} decoded",
        byKey.values().stream().mapToInt(Map::size).sum(),
        records,
        decoded);
  }

  /**
   * The records below {@code until} by partition and key; per key only since its last tombstone.
   */
  private Map<TopicPartition, Map<String, List<ConsumerRecord<byte[], byte[]>>>> readHandled(
      KafkaConsumer<byte[], byte[]> r, Map<TopicPartition, Long> until) {
    Map<TopicPartition, Map<String, List<ConsumerRecord<byte[], byte[]>>>> byKey = new HashMap<>();
    while (running.get()
        && until.entrySet().stream().anyMatch(e -> r.position(e.getKey()) < e.getValue())) {
      for (ConsumerRecord<byte[], byte[]> rec : r.poll(Duration.ofMillis(200))) {
        TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
        if (rec.offset() >= until.get(tp) || rec.key() == null) {
          continue; // read again from the committed offset; no key: refused before, silently
        }
        String key = new String(rec.key(), StandardCharsets.UTF_8);
        List<ConsumerRecord<byte[], byte[]>> versions =
            byKey
                .computeIfAbsent(tp, k -> new HashMap<>())
                .computeIfAbsent(key, k -> new ArrayList<>());
        if (rec.value() == null) {
          versions.clear(); // a tombstone is accepted as it is: nothing older counts
        }
        versions.add(rec);
      }
    }
    return byKey;
  }

  /**
   * Applies, silently, the newest of a key's {@code versions} that is accepted, skipping those
   * refused before. Returns how many were decoded.
   */
  private int restoreNewest(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> versions) {
    RefusedOffsets refusedHere = refusedOf(tp);
    int decoded = 0;
    for (int i = versions.size() - 1; i >= 0; i--) {
      ConsumerRecord<byte[], byte[]> r = versions.get(i);
      if (refusedHere.contains(r.offset())) {
        continue;
      }
      decoded++;
      if (intake(r) instanceof Intake.Accepted<?> a) {
        apply(r.topic(), a, false, true);
        return decoded;
      }
      refusedHere.add(r.offset()); // dead-lettered when first handled; remembered from now on
    }
    return decoded;
  }

  private RefusedOffsets refusedOf(TopicPartition tp) {
    return refused.of(tp);
  }
}
