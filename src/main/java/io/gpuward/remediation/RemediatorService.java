package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
  private final KafkaProducer<String, RemediationRecord> producer;
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
  private final List<ProducerRecord<String, RemediationRecord>> pending = new ArrayList<>();
  private long txNumber = 1;
  private long committedTx;
  private boolean committing;
  private RuntimeException commitFailure;
  // The transaction that holds the calling lane's last record (its intent).
  private final ThreadLocal<Long> appendedTo = new ThreadLocal<>();
  private volatile boolean halted;
  private volatile boolean caughtUp;
  private volatile org.apache.kafka.clients.consumer.ConsumerGroupMetadata groupMetadata;
  private KafkaConsumer<String, FaultVerdict> consumer;
  private Thread thread;
  private Thread stateThread;
  private volatile KafkaConsumer<String, byte[]> stateReader;
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
    this.meters = meters;
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
    this.producer =
        new KafkaProducer<>(p, new StringSerializer(), topics.audit.valueSerde().serializer());
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
    synchronized (txLock) {
      if (halted) {
        throw new IllegalStateException("remediator halted");
      }
      if (commitFailure != null) {
        throw new IllegalStateException("audit transaction failed earlier", commitFailure);
      }
      var record =
          new ProducerRecord<String, RemediationRecord>(topics.audit.name(), r.getNode(), r);
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

  /** Rebuilds the ledger and control state, then starts consuming on threads of its own. */
  public void start() {
    remediation.onReplan(v -> lanes.submit(v.getNode(), () -> replan(v)));
    producer.initTransactions(); // fences an earlier instance and aborts its open transaction
    rebuildLedger();
    List<FaultVerdict> resume = restoreOpenVerdicts();
    startStateReader();
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer =
        new KafkaConsumer<>(
            c, new StringDeserializer(), topics.verdicts.valueSerde().deserializer());
    bind(new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer));
    consumer.subscribe(
        List.of(topics.verdicts.name()),
        new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(java.util.Collection<TopicPartition> parts) {
            commit();
            offsets.revoked(parts);
          }

          @Override
          public void onPartitionsAssigned(java.util.Collection<TopicPartition> parts) {
            groupMetadata = consumer.groupMetadata();
          }
        });
    thread = new Thread(this::loop, "gpuward-remediator");
    thread.start();
    // Ladders waiting for verification (or a STARTED step) before the restart carry on.
    resume.forEach(v -> lanes.submit(v.getNode(), () -> replan(v)));
  }

  /**
   * Reads the verdict topic up to its current end ({@code read_committed}) and restores the latest
   * version of every verdict still open, so that a restart knows which nodes other verdicts keep
   * cordoned and resumes the ladders it had started. Verdicts are emitted on change only, so this
   * is small. Returns the open verdicts the remediator had acted on.
   */
  private List<FaultVerdict> restoreOpenVerdicts() {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, FaultVerdict> latest = new java.util.LinkedHashMap<>();
    try (var reader =
        new KafkaConsumer<>(
            c, new StringDeserializer(), topics.verdicts.valueSerde().deserializer())) {
      List<TopicPartition> parts =
          reader.partitionsFor(topics.verdicts.name()).stream()
              .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
              .toList();
      reader.assign(parts);
      reader.seekToBeginning(parts);
      Map<TopicPartition, Long> end = reader.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, FaultVerdict> r : reader.poll(Duration.ofMillis(200))) {
          FaultVerdict v = r.value();
          if (v == null) {
            continue;
          }
          if (v.getState() == io.gpuward.avro.VerdictState.CLEARED) {
            latest.remove(v.getVerdictId());
          } else {
            latest.put(v.getVerdictId(), v);
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("open verdicts not restored: {}", e.toString());
      return List.of();
    }
    List<FaultVerdict> resume = new java.util.ArrayList<>();
    for (FaultVerdict v : latest.values()) {
      if (remediation.restoreOpen(v)) {
        resume.add(v);
      }
    }
    log.info("{} open verdicts restored, {} to resume", latest.size(), resume.size());
    return resume;
  }

  private void rebuildLedger() {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (var reader =
        new KafkaConsumer<>(
            c, new StringDeserializer(), topics.audit.valueSerde().deserializer())) {
      List<TopicPartition> parts =
          reader.partitionsFor(topics.audit.name()).stream()
              .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
              .toList();
      reader.assign(parts);
      reader.seekToBeginning(parts);
      Map<TopicPartition, Long> end = reader.endOffsets(parts);
      int n = 0;
      while (parts.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, RemediationRecord> r : reader.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            remediation.ledger().record(r.value());
            n++;
          }
        }
      }
      log.info(
          "remediation ledger rebuilt from {} audit records ({} operations)",
          n,
          remediation.ledger().size());
    }
  }

  /**
   * Follows the compacted control and inventory topics from their beginning: commands and scope
   * sizes already there are restored silently, new commands are applied, audited and may let open
   * verdicts through.
   */
  private void startStateReader() {
    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<String, byte[]> reader =
        new KafkaConsumer<>(
            c,
            new StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    List<TopicPartition> parts = new java.util.ArrayList<>();
    for (String topic : List.of(topics.control.name(), topics.inventory.name())) {
      reader
          .partitionsFor(topic)
          .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
    }
    reader.assign(parts);
    reader.seekToBeginning(parts);
    stateReader = reader;
    Map<TopicPartition, Long> restoreUntil = reader.endOffsets(parts);
    stateThread =
        new Thread(
            () -> {
              try (reader) {
                while (running.get()) {
                  for (var r : reader.poll(Duration.ofMillis(200))) {
                    boolean restoring =
                        r.offset() < restoreUntil.get(new TopicPartition(r.topic(), r.partition()));
                    applyState(r.topic(), r.key(), r.value(), restoring);
                  }
                }
              } catch (org.apache.kafka.common.errors.WakeupException
                  | org.apache.kafka.common.errors.InterruptException e) {
                // closing
              } catch (RuntimeException e) {
                log.error("remediator state reader stopped", e);
              }
            },
            "gpuward-remediator-state");
    stateThread.setDaemon(true);
    stateThread.start();
  }

  private void applyState(String topic, String key, byte[] value, boolean restoring) {
    try {
      if (topic.equals(topics.inventory.name())) {
        if (value == null) {
          remediation.fleet().remove(key);
        } else {
          remediation
              .fleet()
              .apply(topics.inventory.valueSerde().deserializer().deserialize(topic, value));
        }
        return;
      }
      if (value == null) {
        remediation.controls().remove(key);
        return;
      }
      var command = topics.control.valueSerde().deserializer().deserialize(topic, value);
      if (restoring) {
        remediation.restoreControl(command);
      } else {
        for (FaultVerdict v : remediation.onControl(command)) {
          lanes.submit(v.getNode(), () -> replan(v));
        }
      }
    } catch (RuntimeException e) {
      log.warn("ignored unreadable {} record key={}: {}", topic, key, e.getMessage());
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
        for (ConsumerRecord<String, FaultVerdict> r : records) {
          if (r.value() == null) {
            continue;
          }
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          offsets.started(tp, r.offset());
          remediation.noteLatest(r.value());
          lanes.submit(r.value().getNode(), () -> handle(r, tp));
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

  private void handle(ConsumerRecord<String, FaultVerdict> r, TopicPartition tp) {
    try {
      remediation.onVerdict(r.value());
    } catch (RuntimeException e) {
      log.error(
          "remediation failed for verdict topic={} partition={} offset={} node={}",
          r.topic(),
          r.partition(),
          r.offset(),
          r.key(),
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
    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> done;
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
      if (!inTransaction && done.isEmpty()) {
        return true; // nothing was appended or handled since the last commit
      }
      begin();
      committing = true;
      mine = txNumber++;
    }
    RuntimeException failure = null;
    try {
      if (!done.isEmpty()) {
        producer.sendOffsetsToTransaction(done, groupMetadata);
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
