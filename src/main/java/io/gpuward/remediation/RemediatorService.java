package io.gpuward.remediation;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.DeadLetters;
import io.gpuward.contract.Topics;
import io.gpuward.ops.StartupTimeline;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remediator's Kafka loop: rebuilds the ledger from the audit topic, then consumes verdicts and
 * hands each to {@link Remediation}.
 *
 * <p>The audit records and the consumed verdict offsets are written in Kafka transactions (one
 * transactional producer; offsets through {@code sendOffsetsToTransaction}). Before any action is
 * taken, the transaction holding its STARTED record (the intent) is committed, together with the
 * offsets of every verdict handled completely so far; the outcome follows in a later transaction. A
 * verdict's own offset is committed only after it was handled, so a remediator that dies between
 * intent and outcome reads the verdict again on restart and finds the STARTED step in the ledger,
 * which it reconciles against live state instead of repeating it. The ledger reader is {@code
 * read_committed}: records of a transaction that never committed were never promised.
 *
 * <p>Every consumer reads bytes and decodes one record at a time ({@link Intake}): a record that
 * cannot be decoded or fails its checks ({@link RecordChecks}, {@link ControlCommands}) goes to the
 * dead-letter topic in the same transaction as the offsets that move past it, so it neither stops
 * the loop nor comes back. The control and inventory topics are followed by a state reader whose
 * progress is committed too (group {@code <group>-state}), so what it dead-lettered once is not
 * dead-lettered again after a restart. {@link #start()} returns, and lets lanes act, only once the
 * state reader has read both topics up to the end offsets they had at start: a standing PAUSE or
 * VETO is in force before the first action.
 */
public final class RemediatorService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RemediatorService.class);

  /** Nodes remediated concurrently (each node's verdicts stay in order). */
  static final int LANES = 8;

  private final Map<String, Object> clientProps;
  private final Topics topics;
  private final Remediation remediation;
  private final String groupId;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final KafkaProducer<byte[], byte[]> producer;
  private final Serializer<RemediationRecord> auditValues;
  private final Serializer<DeadLetter> deadLetterValues;
  // One deserializer per topic for the service's life: it keeps what the registry told it.
  private final Deserializer<FaultVerdict> verdictValues;
  private final Deserializer<ControlCommand> controlValues;
  private final Deserializer<NodeInventory> inventoryValues;
  private final ControlCommands.Limits controlLimits;
  private final java.util.Optional<String> instanceId;
  private final String stateGroupId;
  private final OffsetTracker stateOffsets = new OffsetTracker();
  // Per state partition, what was refused: committed as offset metadata, skipped on restart.
  private final Map<TopicPartition, RefusedOffsets> stateRefused = new ConcurrentHashMap<>();

  /** Dead letters of verdict records by partition and offset, until their offset commits. */
  private final Map<TopicPartition, TreeMap<Long, ProducerRecord<byte[], byte[]>>> heldDeadLetters =
      new HashMap<>();

  private final CountDownLatch stateRestored = new CountDownLatch(1);
  // New control commands are applied only after the open verdicts are restored, as in sequence.
  private final CountDownLatch verdictsRestored = new CountDownLatch(1);
  private final AtomicBoolean firstAssignment = new AtomicBoolean(true);
  private final NodeLanes lanes = new NodeLanes(LANES);
  private final io.micrometer.core.instrument.MeterRegistry meters;
  private final java.util.concurrent.atomic.AtomicLong lagValue =
      new java.util.concurrent.atomic.AtomicLong();
  private final OffsetTracker offsets = new OffsetTracker();
  private final Object txLock = new Object();
  private boolean inTransaction;
  // Group commit (all guarded by txLock). Transactions are numbered: records go into the one
  // numbered `txNumber`. While one thread commits transaction n outside the lock, records of other
  // lanes wait in `pending` for transaction n + 1, and commit requests ride on it: lanes share
  // commits instead of queueing one commitTransaction each behind the lock.
  private final List<ProducerRecord<byte[], byte[]>> pending = new ArrayList<>();
  private long txNumber = 1;
  private long committedTx;
  private boolean committing;
  private RuntimeException commitFailure;
  // The transaction that holds the calling lane's last record (its intent).
  private final ThreadLocal<Long> appendedTo = new ThreadLocal<>();
  private volatile boolean halted;
  private volatile boolean caughtUp;
  private volatile org.apache.kafka.clients.consumer.ConsumerGroupMetadata groupMetadata;
  private KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;
  private Thread stateThread;
  private volatile KafkaConsumer<byte[], byte[]> stateReader;
  private final java.util.concurrent.atomic.AtomicLong polls =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.List<AutoCloseable> binders = new java.util.ArrayList<>();
  private final io.micrometer.core.instrument.MultiGauge budgetInUse;

  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      java.util.function.Function<java.util.function.Consumer<RemediationRecord>, Remediation>
          remediationFactory,
      String groupId) {
    this(
        clientProps,
        topics,
        remediationFactory,
        groupId,
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      java.util.function.Function<java.util.function.Consumer<RemediationRecord>, Remediation>
          remediationFactory,
      String groupId,
      io.micrometer.core.instrument.MeterRegistry meters) {
    this(clientProps, topics, remediationFactory, groupId, meters, ControlCommands.Limits.DEFAULTS);
  }

  /**
   * @param controlLimits what an operator command may ask for (how far ahead it may expire)
   */
  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      java.util.function.Function<java.util.function.Consumer<RemediationRecord>, Remediation>
          remediationFactory,
      String groupId,
      io.micrometer.core.instrument.MeterRegistry meters,
      ControlCommands.Limits controlLimits) {
    this(
        clientProps,
        topics,
        remediationFactory,
        groupId,
        meters,
        controlLimits,
        java.util.Optional.empty());
  }

  /**
   * @param instanceId stable id of this instance (the pod name): the verdict consumer is then a
   *     static member of its group ({@link #verdictConsumerProps})
   */
  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      java.util.function.Function<java.util.function.Consumer<RemediationRecord>, Remediation>
          remediationFactory,
      String groupId,
      io.micrometer.core.instrument.MeterRegistry meters,
      ControlCommands.Limits controlLimits,
      java.util.Optional<String> instanceId) {
    this.instanceId = instanceId;
    this.meters = meters;
    this.controlLimits = controlLimits;
    this.stateGroupId = groupId + "-state";
    this.auditValues = topics.audit.valueSerde().serializer();
    this.deadLetterValues = topics.dlq.valueSerde().serializer();
    this.verdictValues = topics.verdicts.valueSerde().deserializer();
    this.controlValues = topics.control.valueSerde().deserializer();
    this.inventoryValues = topics.inventory.valueSerde().deserializer();
    this.clientProps = Map.copyOf(clientProps);
    this.topics = topics;
    this.groupId = groupId;
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-audit");
    // One transactional id per remediator group: a restarted remediator fences the one it replaces.
    p.putIfAbsent(ProducerConfig.TRANSACTIONAL_ID_CONFIG, groupId + "-audit");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.remediation = remediationFactory.apply(this::append);
    remediation.onIntent(
        step -> {
          if (!commitThrough(appendedTo.get() == null ? currentTx() : appendedTo.get())) {
            throw new IllegalStateException("remediator halted: " + step.action() + " not taken");
          }
        });
    bind(new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer));
    meters.gauge(RemediationMetrics.LAG, lagValue); // registered once; checkLag() sets it
    io.micrometer.core.instrument.Gauge.builder(
            RemediationMetrics.OBSERVE_ONLY, remediation, x -> x.isObserveOnly() ? 1 : 0)
        .register(meters);
    io.micrometer.core.instrument.FunctionCounter.builder(
            RemediationMetrics.POLLS, polls, java.util.concurrent.atomic.AtomicLong::get)
        .register(meters);
    this.budgetInUse =
        io.micrometer.core.instrument.MultiGauge.builder(RemediationMetrics.BUDGET_IN_USE)
            .register(meters);
    refreshBudgetGauge();
  }

  private void bind(io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics binder) {
    binder.bindTo(meters);
    binders.add(binder);
  }

  /** Verdict polls so far: a health check watches it move. */
  public long polls() {
    return polls.get();
  }

  /**
   * False once the thread that follows the control and inventory topics died while the remediator
   * runs: no PAUSE or VETO reaches it any more, so a health check fails on it.
   */
  public boolean stateReaderAlive() {
    Thread t = stateThread;
    return t == null || t.isAlive() || !running.get();
  }

  /** Wakes the state reader's poll as if from outside; for tests of a dead reader. */
  void wakeStateReader() {
    stateReader.wakeup();
  }

  private void refreshBudgetGauge() {
    java.util.List<io.micrometer.core.instrument.MultiGauge.Row<?>> rows =
        new java.util.ArrayList<>();
    Map<String, Integer> inUse = new HashMap<>(remediation.budgets().inUse());
    inUse.putIfAbsent("global", 0);
    inUse.forEach(
        (scope, n) ->
            rows.add(
                io.micrometer.core.instrument.MultiGauge.Row.of(
                    io.micrometer.core.instrument.Tags.of("scope", scope), n)));
    budgetInUse.register(rows, true);
  }

  /** Adds an audit record to the open transaction. */
  private void append(RemediationRecord r) {
    byte[] value = auditValues.serialize(topics.audit.name(), r);
    enqueue(
        new ProducerRecord<>(
            topics.audit.name(), r.getNode().getBytes(StandardCharsets.UTF_8), value));
  }

  /**
   * Adds a dead letter for a record read from {@code r}'s topic to the open transaction, which also
   * carries the offset that moves past it. Logged with its coordinates and counted.
   */
  private void deadLetter(ConsumerRecord<byte[], byte[]> r, Intake.Refused<?> refused) {
    enqueue(deadLetterRecord(r, refused));
  }

  /** The dead letter of {@code r}, logged with its coordinates and counted. */
  private ProducerRecord<byte[], byte[]> deadLetterRecord(
      ConsumerRecord<byte[], byte[]> r, Intake.Refused<?> refused) {
    log.warn(
        "dead-lettered record topic={} partition={} offset={} kind={}: {}",
        r.topic(),
        r.partition(),
        r.offset(),
        refused.kind(),
        refused.reason());
    meters
        .counter(RemediationMetrics.DEAD_LETTERS, "topic", r.topic(), "kind", refused.kind().name())
        .increment();
    DeadLetter dl =
        DeadLetters.of(
            r.topic(),
            r.partition(),
            r.offset(),
            r.timestamp(),
            r.key(),
            r.value(),
            refused.kind(),
            refused.reason(),
            refused.error(),
            groupId,
            remediation.clock().instant());
    return new ProducerRecord<>(
        topics.dlq.name(), r.key(), deadLetterValues.serialize(topics.dlq.name(), dl));
  }

  /**
   * Holds the dead letter of a verdict record until the transaction that commits an offset past it.
   * Verdicts finish out of order on their lanes, so the committed offset can stay below a refused
   * record for a while; a dead letter committed earlier than its offset would be written again by
   * the next instance after a crash.
   */
  private void holdDeadLetter(
      TopicPartition tp, ConsumerRecord<byte[], byte[]> r, Intake.Refused<?> refused) {
    ProducerRecord<byte[], byte[]> record = deadLetterRecord(r, refused);
    synchronized (txLock) {
      heldDeadLetters.computeIfAbsent(tp, k -> new TreeMap<>()).put(r.offset(), record);
    }
  }

  /** Takes the held dead letters below the offsets about to be committed. Under txLock. */
  private List<ProducerRecord<byte[], byte[]>> releaseDeadLetters(
      Map<TopicPartition, OffsetAndMetadata> committing) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
    committing.forEach(
        (tp, next) -> {
          TreeMap<Long, ProducerRecord<byte[], byte[]>> held = heldDeadLetters.get(tp);
          if (held != null) {
            Map<Long, ProducerRecord<byte[], byte[]>> below = held.headMap(next.offset());
            out.addAll(below.values());
            below.clear();
          }
        });
    return out;
  }

  private void enqueue(ProducerRecord<byte[], byte[]> record) {
    synchronized (txLock) {
      if (halted) {
        throw new IllegalStateException("remediator halted");
      }
      if (commitFailure != null) {
        throw new IllegalStateException("audit transaction failed earlier", commitFailure);
      }
      if (committing) {
        pending.add(record); // sent first thing in the next transaction, in order
      } else {
        begin();
        producer.send(record);
      }
      appendedTo.set(txNumber);
    }
  }

  private void begin() {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
    }
  }

  /**
   * Stops dead, like a killed process: nothing more is written or committed, the open transaction
   * is left for the broker to abort, threads are abandoned. For crash tests.
   */
  void halt() {
    synchronized (txLock) {
      halted = true;
      txLock.notifyAll(); // lanes waiting for a group commit give up at once
    }
    running.set(false);
    if (consumer != null) {
      consumer.wakeup();
    }
    if (stateReader != null) {
      stateReader.wakeup();
    }
  }

  boolean halted() {
    return halted;
  }

  public Remediation remediation() {
    return remediation;
  }

  /**
   * Rebuilds the ledger, the open verdicts and the control state, then starts consuming on threads
   * of its own. Returns once the control and inventory topics were read up to the end offsets they
   * had at start: no lane acts before a standing PAUSE or VETO is in force.
   *
   * @throws IllegalStateException when the state reader stops before it got there
   */
  public void start() {
    remediation.onReplan(v -> lanes.submit(v.getNode(), () -> replan(v)));
    producer.initTransactions(); // fences an earlier instance and aborts its open transaction
    StartupTimeline.mark("transactions-initialised");
    List<FaultVerdict> resume = restore();
    consumer = new KafkaConsumer<>(verdictConsumerProps(), bytes(), bytes());
    bind(new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer));
    consumer.subscribe(
        List.of(topics.verdicts.name()),
        new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(java.util.Collection<TopicPartition> parts) {
            commit();
            offsets.revoked(parts);
            synchronized (txLock) {
              parts.forEach(heldDeadLetters::remove); // the next owner reads them again
            }
          }

          @Override
          public void onPartitionsAssigned(java.util.Collection<TopicPartition> parts) {
            // Not groupMetadata == null: the loop sets it after every poll, also after a first
            // poll that returned before the group join completed, and the step was never logged.
            if (firstAssignment.compareAndSet(true, false)) {
              StartupTimeline.mark("verdict-partitions-assigned");
            }
            groupMetadata = consumer.groupMetadata();
          }
        });
    thread = new Thread(this::loop, "gpuward-remediator");
    thread.start();
    // Ladders waiting for verification (or a STARTED step) before the restart carry on.
    resume.forEach(v -> lanes.submit(v.getNode(), () -> replan(v)));
  }

  /**
   * Restores the ledger, the open verdicts, and control and inventory: three topics read in
   * parallel. Returns the open verdicts to plan again, once control and inventory were read up to
   * the end offsets they had at start.
   */
  private List<FaultVerdict> restore() {
    startStateReader();
    CompletableFuture<Map<String, FaultVerdict>> openVerdicts =
        CompletableFuture.supplyAsync(
            this::readOpenVerdicts,
            task -> {
              Thread t = new Thread(task, "gpuward-remediator-verdict-restore");
              t.setDaemon(true);
              t.start();
            });
    rebuildLedger();
    StartupTimeline.mark("ledger-rebuilt");
    List<FaultVerdict> resume = restoreOpenVerdicts(openVerdicts);
    StartupTimeline.mark("verdicts-restored");
    verdictsRestored.countDown();
    awaitStateRestored();
    StartupTimeline.mark("control-restored");
    return resume;
  }

  /** How long a crashed static member that does not come back holds the verdict partitions. */
  static final int STATIC_SESSION_TIMEOUT_MS = 20_000;

  private Map<String, Object> verdictConsumerProps() {
    return verdictConsumerProps(clientProps, groupId, instanceId);
  }

  /**
   * With an instance id, the verdict consumer is a static member of its group: restarted after a
   * crash, it gets its partitions back as soon as it rejoins instead of after the dead member's
   * session expired (45 s by default), which held every verdict back that long. The session timeout
   * is then how long a crashed instance that never comes back holds its partitions: 20 s, as the
   * engine's.
   */
  static Map<String, Object> verdictConsumerProps(
      Map<String, Object> clientProps, String groupId, java.util.Optional<String> instanceId) {
    Map<String, Object> c = new HashMap<>(clientProps);
    instanceId.ifPresent(
        id -> {
          c.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id);
          c.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, STATIC_SESSION_TIMEOUT_MS);
        });
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return c;
  }

  /** Properties of a reader that reads a topic from its beginning without a group. */
  private Map<String, Object> readerProps() {
    Map<String, Object> c = new HashMap<>(clientProps);
    // It reads up to known end offsets: a fetch that finds nothing new need not wait for more.
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return c;
  }

  private static ByteArrayDeserializer bytes() {
    return new ByteArrayDeserializer();
  }

  /** Waits until the state reader caught up with the end offsets it had at start. */
  private void awaitStateRestored() {
    try {
      while (!stateRestored.await(200, TimeUnit.MILLISECONDS)) {
        if (!stateThread.isAlive()) {
          throw new IllegalStateException(
              "control and inventory not restored: the state reader stopped; no action taken");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restoring control state", e);
    }
  }

  /** Every partition of {@code topic}, assigned to {@code reader} from its beginning. */
  private static List<TopicPartition> partitionsOf(
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

  /**
   * Reads the verdict topic up to its current end ({@code read_committed}) and restores the latest
   * version of every verdict still open, so that a restart knows which nodes other verdicts keep
   * cordoned and resumes the ladders it had started. Verdicts are emitted on change only, so this
   * is small. Records that fail their checks are skipped here: the verdict consumer dead-letters
   * them. Returns the open verdicts the remediator had acted on.
   *
   * @param read the latest version of each open verdict, read while the ledger was rebuilt
   */
  private List<FaultVerdict> restoreOpenVerdicts(
      CompletableFuture<Map<String, FaultVerdict>> read) {
    Map<String, FaultVerdict> latest = read.join();
    List<FaultVerdict> resume = new ArrayList<>();
    for (FaultVerdict v : latest.values()) {
      if (remediation.restoreOpen(v)) { // after the ledger: it asks whether a step was taken
        resume.add(v);
      }
    }
    log.info("{} open verdicts restored, {} to resume", latest.size(), resume.size());
    return resume;
  }

  /** Reads the verdict topic up to its current end: the latest version of each open verdict. */
  private Map<String, FaultVerdict> readOpenVerdicts() {
    Map<String, FaultVerdict> latest = new java.util.LinkedHashMap<>();
    KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(readerProps(), bytes(), bytes());
    try {
      List<TopicPartition> parts = partitionsOf(reader, List.of(topics.verdicts.name()));
      Map<TopicPartition, Long> end = reader.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          if (readVerdict(r) instanceof Intake.Accepted<FaultVerdict> a) {
            FaultVerdict v = a.value();
            if (v.getState() == VerdictState.CLEARED) {
              latest.remove(v.getVerdictId());
            } else {
              latest.put(v.getVerdictId(), v);
            }
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

  private Intake<FaultVerdict> readVerdict(ConsumerRecord<byte[], byte[]> r) {
    return Intake.read(
        r,
        verdictValues,
        false,
        (key, v) -> RecordChecks.verdict(key, v, remediation.clock().instant()));
  }

  /**
   * Folds the audit topic into the ledger. Only the remediator writes it; a record it cannot read
   * is logged and skipped (it is read again at every start, so it is not dead-lettered).
   */
  private void rebuildLedger() {
    Deserializer<RemediationRecord> values = topics.audit.valueSerde().deserializer();
    KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(readerProps(), bytes(), bytes());
    try {
      List<TopicPartition> parts = partitionsOf(reader, List.of(topics.audit.name()));
      Map<TopicPartition, Long> end = reader.endOffsets(parts);
      int n = 0;
      while (parts.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            continue;
          }
          try {
            remediation.ledger().record(values.deserialize(r.topic(), r.value()));
            n++;
          } catch (RuntimeException e) {
            log.warn(
                "unreadable audit record skipped topic={} partition={} offset={}: {}",
                r.topic(),
                r.partition(),
                r.offset(),
                Intake.messages(e));
          }
        }
      }
      log.info(
          "remediation ledger rebuilt from {} audit records ({} operations)",
          n,
          remediation.ledger().size());
    } finally {
      // Without a group there is nothing to leave or commit; a graceful close waits (~0.4 s
      // measured) for the broker to end the fetch session, on the path to the first action.
      reader.close(Duration.ZERO);
    }
  }

  /**
   * Follows the compacted control and inventory topics from their beginning. Records below the
   * state group's committed offsets were handled by an earlier instance: commands and scope sizes
   * there are restored silently, and what was refused there stays refused without a second dead
   * letter. Newer commands are applied and audited; once caught up, they may let open verdicts
   * through.
   */
  private void startStateReader() {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, stateGroupId); // where its progress is committed
    KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(c, bytes(), bytes());
    List<TopicPartition> parts =
        partitionsOf(reader, List.of(topics.control.name(), topics.inventory.name()));
    Map<TopicPartition, Long> restoreUntil = reader.endOffsets(parts);
    Map<TopicPartition, OffsetAndMetadata> committed = reader.committed(Set.copyOf(parts));
    committed.forEach(
        (tp, handled) -> {
          if (handled != null) {
            stateRefused.put(tp, RefusedOffsets.parse(handled.metadata()));
          }
        });
    stateReader = reader;
    StateProgress progress = new StateProgress(restoreUntil, committed);
    stateThread = new Thread(() -> followState(reader, progress), "gpuward-remediator-state");
    stateThread.setDaemon(true);
    stateThread.start();
  }

  /**
   * Where the state reader stands. Per partition: {@code restoreUntil}, the end offset at start;
   * {@code committed}, what an earlier instance handled (absent on a first start: then commands up
   * to the end are restored silently, and every record is checked once).
   */
  private record StateProgress(
      Map<TopicPartition, Long> restoreUntil, Map<TopicPartition, OffsetAndMetadata> committed) {

    /** Per partition an earlier instance handled, where that ends (within the restore). */
    Map<TopicPartition, Long> handledUntil() {
      Map<TopicPartition, Long> out = new HashMap<>();
      committed.forEach(
          (tp, c) -> {
            if (c != null && c.offset() > 0) {
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

  private void followState(KafkaConsumer<byte[], byte[]> reader, StateProgress progress) {
    try (reader) {
      restoreHandled(reader, progress);
      if (!awaitVerdictsRestored()) {
        return;
      }
      while (running.get()) {
        // Before the poll: caught up, it would only wait for records that are not there.
        if (stateRestored.getCount() > 0 && progress.caughtUp(reader)) {
          log.info("control and inventory restored up to {}", progress.restoreUntil());
          stateRestored.countDown();
        }
        var records = reader.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          stateOffsets.started(tp, r.offset());
          readState(r, tp, progress);
          stateOffsets.finished(tp, r.offset());
        }
        if (!records.isEmpty()) {
          commit();
        }
      }
    } catch (WakeupException | InterruptException e) {
      if (running.get()) {
        log.error("remediator state reader woken while running; it stopped", e);
      }
    } catch (RuntimeException e) {
      log.error("remediator state reader stopped", e);
    }
  }

  private void readState(ConsumerRecord<byte[], byte[]> r, TopicPartition tp, StateProgress p) {
    Intake<?> in = stateIntake(r);
    if (in instanceof Intake.Refused<?> refused) {
      refusedOf(tp).add(r.offset());
      if (!p.handledBefore(tp, r.offset())) {
        deadLetter(r, refused);
      }
      return;
    }
    long offset = r.offset();
    applyState(r.topic(), (Intake.Accepted<?>) in, p.announce(tp, offset), p.restoring(tp, offset));
  }

  private Intake<?> stateIntake(ConsumerRecord<byte[], byte[]> r) {
    return r.topic().equals(topics.inventory.name())
        ? Intake.read(r, inventoryValues, true, RecordChecks::inventory)
        : Intake.read(
            r,
            controlValues,
            true,
            (key, cmd) ->
                ControlCommands.check(key, cmd, remediation.clock().instant(), controlLimits));
  }

  private void applyState(String topic, Intake.Accepted<?> a, boolean announce, boolean restoring) {
    if (topic.equals(topics.inventory.name())) {
      applyInventory(a.key(), (NodeInventory) a.value());
    } else if (a.value() == null) {
      remediation.controls().remove(a.key()); // a tombstone: the scope's command is withdrawn
    } else {
      applyControl((ControlCommand) a.value(), announce, restoring);
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
   * committed offsets, from where {@link #readState} handles the records new to the remediator.
   */
  private void restoreHandled(KafkaConsumer<byte[], byte[]> reader, StateProgress progress) {
    Map<TopicPartition, Long> until = progress.handledUntil();
    if (until.isEmpty()) {
      return;
    }
    Set<TopicPartition> others = new java.util.HashSet<>(reader.assignment());
    others.removeAll(until.keySet());
    reader.pause(others);
    Map<TopicPartition, Map<String, List<ConsumerRecord<byte[], byte[]>>>> byKey =
        readHandled(reader, until);
    reader.resume(others);
    until.forEach(reader::seek);
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
      KafkaConsumer<byte[], byte[]> reader, Map<TopicPartition, Long> until) {
    Map<TopicPartition, Map<String, List<ConsumerRecord<byte[], byte[]>>>> byKey = new HashMap<>();
    while (running.get()
        && until.entrySet().stream().anyMatch(e -> reader.position(e.getKey()) < e.getValue())) {
      for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (r.offset() >= until.get(tp) || r.key() == null) {
          continue; // read again from the committed offset; no key: refused before, silently
        }
        String key = new String(r.key(), StandardCharsets.UTF_8);
        List<ConsumerRecord<byte[], byte[]>> versions =
            byKey
                .computeIfAbsent(tp, k -> new HashMap<>())
                .computeIfAbsent(key, k -> new ArrayList<>());
        if (r.value() == null) {
          versions.clear(); // a tombstone is accepted as it is: nothing older counts
        }
        versions.add(r);
      }
    }
    return byKey;
  }

  /**
   * Applies, silently, the newest of a key's {@code versions} that is accepted, skipping those
   * refused before. Returns how many were decoded.
   */
  private int restoreNewest(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> versions) {
    RefusedOffsets refused = refusedOf(tp);
    int decoded = 0;
    for (int i = versions.size() - 1; i >= 0; i--) {
      ConsumerRecord<byte[], byte[]> r = versions.get(i);
      if (refused.contains(r.offset())) {
        continue;
      }
      decoded++;
      if (stateIntake(r) instanceof Intake.Accepted<?> a) {
        applyState(r.topic(), a, false, true);
        return decoded;
      }
      refused.add(r.offset()); // dead-lettered when first handled; remembered from now on
    }
    return decoded;
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
   * planned again: every command up to the end is applied first, and {@link #start()} resumes the
   * open verdicts afterwards.
   */
  private void applyControl(ControlCommand command, boolean announce, boolean restoring) {
    if (!announce) {
      remediation.restoreControl(command);
      return;
    }
    List<FaultVerdict> again = remediation.onControl(command);
    if (!restoring) {
      again.forEach(v -> lanes.submit(v.getNode(), () -> replan(v)));
    }
  }

  /**
   * Goes observe-only while the verdicts not yet read exceed the policy's threshold. Returns the
   * verdicts not yet read.
   */
  private long checkLag() {
    long lag = 0;
    for (TopicPartition tp : consumer.assignment()) {
      lag += consumer.currentLag(tp).orElse(0L);
    }
    long limit = remediation.planner().policy().observeOnlyLag();
    if (lag > limit) {
      remediation.observeOnly("consumer " + lag + " verdicts behind (limit " + limit + ")");
    } else if (remediation.isObserveOnly()) {
      remediation.observeOnly(null);
    }
    lagValue.set(lag);
    return lag;
  }

  private void loop() {
    try {
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(200));
        groupMetadata = consumer.groupMetadata();
        polls.incrementAndGet();
        long behind = checkLag();
        caughtUp = records.isEmpty() && behind == 0 && !consumer.assignment().isEmpty();
        refreshBudgetGauge();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          take(r);
        }
        commit();
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (org.apache.kafka.common.errors.ProducerFencedException
        | org.apache.kafka.common.errors.InvalidProducerEpochException e) {
      log.error("remediator fenced by a newer instance of group {}; stopping", groupId, e);
      running.set(false);
    } finally {
      closeLoop();
    }
  }

  /** Hands one verdict record to its node's lane, or dead-letters it. */
  private void take(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    offsets.started(tp, r.offset());
    Intake<FaultVerdict> in = readVerdict(r);
    if (in instanceof Intake.Accepted<FaultVerdict> a) {
      remediation.noteLatest(a.value());
      lanes.submit(a.value().getNode(), () -> handle(r, a.value(), tp));
      return;
    }
    holdDeadLetter(tp, r, (Intake.Refused<?>) in);
    offsets.finished(tp, r.offset());
  }

  private void closeLoop() {
    if (!halted) {
      remediation.close(); // no timer hands work to the lanes once they are closing
      lanes.close();
      try {
        commit();
      } catch (RuntimeException e) {
        log.warn("last commit failed; the uncommitted verdicts are read again on restart", e);
      }
    }
    consumer.close(Duration.ofSeconds(5)); // leaves the group, so a restart is assigned at once
  }

  /** A verdict planned again off the consumer (timer, budget freed, operator command). */
  private void replan(FaultVerdict v) {
    try {
      remediation.onVerdict(v);
    } catch (RuntimeException e) {
      log.error(
          "remediation failed for verdict node={} verdictId={}", v.getNode(), v.getVerdictId(), e);
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r, FaultVerdict v, TopicPartition tp) {
    try {
      remediation.onVerdict(v);
    } catch (RuntimeException e) {
      log.error(
          "remediation failed for verdict topic={} partition={} offset={} node={}",
          r.topic(),
          r.partition(),
          r.offset(),
          v.getNode(),
          e);
    } finally {
      offsets.finished(tp, r.offset());
    }
    // The outcome and the verdict's offset become visible now, not at the loop's next poll.
    try {
      commit();
    } catch (RuntimeException e) {
      log.warn(
          "commit after verdict topic={} partition={} offset={} failed: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.toString());
    }
  }

  /** The number of the transaction records go into now. */
  private long currentTx() {
    synchronized (txLock) {
      return txNumber;
    }
  }

  /**
   * Makes durable everything appended before the call: the audit records written so far and the
   * offsets of the verdicts handled completely. Called by the loop after each poll and by a lane
   * after each verdict.
   */
  private boolean commit() {
    return commitThrough(currentTx());
  }

  /**
   * Returns once transaction {@code tx} (and every one before it) committed: true, or false when
   * the remediator was halted before it did; throws when that commit failed. A lane about to act
   * asks for the transaction holding its intent: it acts exactly when its intent is durable, also
   * when a commit under way finishes after a halt (like a crash right after that commit).
   *
   * <p>Group commit: one caller at a time runs {@code commitTransaction} outside the lock; callers
   * arriving meanwhile wait for it and then share one next transaction for all of them.
   */
  private boolean commitThrough(long tx) {
    long mine;
    Map<TopicPartition, OffsetAndMetadata> done;
    Map<TopicPartition, OffsetAndMetadata> stateDone;
    synchronized (txLock) {
      while (true) {
        if (commitFailure != null) {
          throw commitFailure; // e.g. fenced by a newer instance: nothing more is committed
        }
        if (committedTx >= tx) {
          return true;
        }
        if (halted) {
          return false;
        }
        if (!committing) {
          break;
        }
        try {
          txLock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while committing the audit transaction");
        }
      }
      done = offsets.committable();
      stateDone = stateOffsets.committable();
      if (!inTransaction && done.isEmpty() && stateDone.isEmpty()) {
        return true; // nothing was appended or handled since the last commit
      }
      begin();
      releaseDeadLetters(done).forEach(producer::send);
      committing = true;
      mine = txNumber++;
    }
    RuntimeException failure = null;
    try {
      if (!done.isEmpty()) {
        producer.sendOffsetsToTransaction(done, groupMetadata);
      }
      if (!stateDone.isEmpty()) {
        // The state reader is in no group generation: its offsets go to a group of their own.
        producer.sendOffsetsToTransaction(
            withRefusals(stateDone), new ConsumerGroupMetadata(stateGroupId));
      }
      producer.commitTransaction();
    } catch (RuntimeException e) {
      failure = e;
    }
    synchronized (txLock) {
      committing = false;
      if (failure == null) {
        committedTx = mine;
        inTransaction = false;
        offsets.committedAll(done);
        stateOffsets.committedAll(stateDone);
        if (!pending.isEmpty() && !halted) {
          begin();
          pending.forEach(producer::send);
        }
      } else {
        commitFailure = failure;
      }
      pending.clear();
      txLock.notifyAll();
    }
    if (failure != null) {
      throw failure;
    }
    return true;
  }

  /** {@code offsets} carrying, as metadata, the offsets refused in their partitions so far. */
  private Map<TopicPartition, OffsetAndMetadata> withRefusals(
      Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    offsets.forEach(
        (tp, o) -> out.put(tp, new OffsetAndMetadata(o.offset(), refusedOf(tp).encode())));
    return out;
  }

  private RefusedOffsets refusedOf(TopicPartition tp) {
    return stateRefused.computeIfAbsent(tp, k -> new RefusedOffsets());
  }

  /** True when every consumed verdict has been handled. */
  public boolean idle() {
    return offsets.idle();
  }

  /**
   * True when the remediator has nothing to do until time passes: its partitions are assigned, its
   * last poll found no verdict unread, every verdict read was handled and no lane has work
   * (including verdicts planned again by a timer or a command).
   */
  public boolean caughtUp() {
    return caughtUp && !halted && offsets.idle() && lanes.idle();
  }

  @Override
  public void close() {
    if (halted) {
      // Only so that the next test round starts clean: the dead instance's threads are ended and
      // its open transaction is left for the next instance to abort.
      join();
      remediation.close();
      lanes.close();
      producer.close(Duration.ZERO);
      closeBinders();
      return;
    }
    running.set(false);
    if (consumer != null) {
      consumer.wakeup();
    }
    if (stateReader != null) {
      stateReader.wakeup();
    }
    join();
    remediation.close();
    producer.close(Duration.ofSeconds(5));
    closeBinders();
  }

  private void join() {
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeBinders() {
    for (AutoCloseable b : binders) {
      try {
        b.close();
      } catch (Exception e) {
        log.debug("closing a Kafka metrics binder", e);
      }
    }
  }
}
