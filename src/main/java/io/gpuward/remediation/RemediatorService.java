package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.Topics;
import io.gpuward.ops.StartupTimeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remediator's Kafka loop: restores the ledger, the open verdicts and the control state, then
 * consumes verdicts and hands each to {@link Remediation} on its node's lane. Its jobs are cut into
 * {@link AuditTransactions} (the group commit), {@link RestoreReaders} (ledger and open verdicts),
 * {@link StateReader} (control and inventory) and {@link RemediatorMeters}.
 *
 * <p>The audit records and the consumed verdict offsets are written in Kafka transactions. Before
 * any action is taken, the transaction holding its STARTED record (the intent) is committed,
 * together with the offsets of every verdict handled completely so far; the outcome follows in a
 * later transaction. A verdict's own offset is committed only after it was handled, so a remediator
 * that dies between intent and outcome reads the verdict again on restart and finds the STARTED
 * step in the ledger, which it reconciles against live state instead of repeating it. The ledger
 * reader is {@code read_committed}: records of a transaction that never committed were never
 * promised.
 *
 * <p>Every consumer reads bytes and decodes one record at a time ({@link Intake}): a record that
 * cannot be decoded or fails its checks ({@link RecordChecks}, {@link ControlCommands}) goes to the
 * dead-letter topic in the same transaction as the offsets that move past it, so it neither stops
 * the loop nor comes back. {@link #start()} returns, and lets lanes act, only once the state reader
 * has read both topics up to the end offsets they had at start: a standing PAUSE or VETO is in
 * force before the first action.
 */
public final class RemediatorService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RemediatorService.class);

  /** Nodes remediated concurrently (each node's verdicts stay in order). */
  static final int LANES = 8;

  /** How long a crashed static member that does not come back holds the verdict partitions. */
  static final int STATIC_SESSION_TIMEOUT_MS = 20_000;

  private final Map<String, Object> clientProps;
  private final Topics topics;
  private final Remediation remediation;
  private final String groupId;
  private final Optional<String> instanceId;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean firstAssignment = new AtomicBoolean(true);
  private final NodeLanes lanes = new NodeLanes(LANES);
  private final Serializer<RemediationRecord> auditValues;
  // One deserializer per topic for the service's life: it keeps what the registry told it.
  private final Deserializer<FaultVerdict> verdictValues;
  private final AuditTransactions tx;
  private final DeadLetterRecords deadLetters;
  private final RestoreReaders restoreReaders;
  private final StateReader state;
  private final RemediatorMeters meters;
  private final CommittedEnds committedEnds;
  private final VerdictReadBarrier barrier;
  private volatile boolean caughtUp;
  private KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;

  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      Function<Consumer<RemediationRecord>, Remediation> remediationFactory,
      String groupId) {
    this(clientProps, topics, remediationFactory, groupId, new SimpleMeterRegistry());
  }

  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      Function<Consumer<RemediationRecord>, Remediation> remediationFactory,
      String groupId,
      MeterRegistry meters) {
    this(clientProps, topics, remediationFactory, groupId, meters, ControlCommands.Limits.DEFAULTS);
  }

  /**
   * @param controlLimits what an operator command may ask for (how far ahead it may expire)
   */
  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      Function<Consumer<RemediationRecord>, Remediation> remediationFactory,
      String groupId,
      MeterRegistry meters,
      ControlCommands.Limits controlLimits) {
    this(clientProps, topics, remediationFactory, groupId, meters, controlLimits, Optional.empty());
  }

  /**
   * @param instanceId stable id of this instance (the pod name): the verdict consumer is then a
   *     static member of its group ({@link #verdictConsumerProps})
   */
  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      Function<Consumer<RemediationRecord>, Remediation> remediationFactory,
      String groupId,
      MeterRegistry meters,
      ControlCommands.Limits controlLimits,
      Optional<String> instanceId) {
    this(clientProps, topics, remediationFactory, groupId, meters, controlLimits, instanceId, true);
  }

  /**
   * @param writesDeadLetters false for a shadow remediator: the live one, reading the same topics,
   *     dead-letters the records both refuse, and the shadow only counts them
   */
  public RemediatorService(
      Map<String, Object> clientProps,
      Topics topics,
      Function<Consumer<RemediationRecord>, Remediation> remediationFactory,
      String groupId,
      MeterRegistry meters,
      ControlCommands.Limits controlLimits,
      Optional<String> instanceId,
      boolean writesDeadLetters) {
    this.instanceId = instanceId;
    this.clientProps = Map.copyOf(clientProps);
    this.topics = topics;
    this.groupId = groupId;
    this.auditValues = topics.audit.valueSerde().serializer();
    this.verdictValues = topics.verdicts.valueSerde().deserializer();
    String stateGroupId = groupId + "-state";
    StateRefusals refusals = new StateRefusals();
    this.tx = new AuditTransactions(auditProducer(), stateGroupId, refusals::metadata);
    this.remediation = remediationFactory.apply(this::append);
    this.committedEnds = new CommittedEnds(this.clientProps, groupId + "-read-barrier");
    this.barrier = new VerdictReadBarrier(committedEnds);
    remediation.readBarrier(barrier);
    remediation.onIntent(this::makeDurable);
    this.deadLetters =
        new DeadLetterRecords(topics, groupId, remediation.clock(), meters, writesDeadLetters);
    this.restoreReaders = new RestoreReaders(this.clientProps, topics);
    this.state =
        new StateReader(
            this.clientProps,
            topics,
            stateGroupId,
            remediation,
            controlLimits,
            tx,
            refusals,
            deadLetters,
            running,
            this::submit,
            barrier);
    this.meters = new RemediatorMeters(meters, remediation);
    this.meters.bind(tx.producer());
  }

  private KafkaProducer<byte[], byte[]> auditProducer() {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-audit");
    // One transactional id per remediator group: a restarted remediator fences the one it replaces.
    p.putIfAbsent(ProducerConfig.TRANSACTIONAL_ID_CONFIG, groupId + "-audit");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Disruptive steps also wait until the verdict engine of group {@code engineGroup} ({@code
   * engine.application.id}) correlated what was on its inputs when they were due, and until the
   * incidents that caused were read ({@link EngineProgressBarrier}): a storm is held however far
   * the engine runs behind. Call before {@link #start}. Without it (a remediator fed verdicts by
   * hand, with no engine) only the verdict topic's own versions are waited for.
   */
  public RemediatorService followEngine(String engineGroup) {
    EngineProgressBarrier.GroupOffsets offsets = () -> committedEnds.groupCommitted(engineGroup);
    Set<String> inputs =
        Set.of(
            topics.gpu.name(),
            topics.xid.name(),
            topics.kubeEvents.name(),
            topics.inventory.name());
    Predicate<String> reads =
        t -> inputs.contains(t) || (t.startsWith(engineGroup + "-") && t.endsWith("-repartition"));
    remediation.readBarrier(
        new OrderedBarriers(
            List.of(
                new EngineProgressBarrier(engineGroup, reads, offsets, committedEnds),
                new EngineProgressBarrier(engineGroup, reads, offsets, committedEnds),
                barrier)));
    return this;
  }

  /** Verdict polls so far: a health check watches it move. */
  public long polls() {
    return meters.polls();
  }

  /**
   * False once the thread that follows the control and inventory topics died while the remediator
   * runs: no PAUSE or VETO reaches it any more, so a health check fails on it.
   */
  public boolean stateReaderAlive() {
    return state.alive();
  }

  /** Wakes the state reader's poll as if from outside; for tests of a dead reader. */
  void wakeStateReader() {
    state.wakeup();
  }

  /** Commits the transaction holding a step's intent before the step is taken. */
  private void makeDurable(Step step) {
    if (!tx.commitIntent()) {
      throw new IllegalStateException("remediator halted: " + step.action() + " not taken");
    }
  }

  /** Adds an audit record to the open transaction. */
  private void append(RemediationRecord r) {
    byte[] value = auditValues.serialize(topics.audit.name(), r);
    tx.send(
        new ProducerRecord<>(
            topics.audit.name(), r.getNode().getBytes(StandardCharsets.UTF_8), value));
  }

  /**
   * Stops dead, like a killed process: nothing more is written or committed, the open transaction
   * is left for the broker to abort, threads are abandoned. For crash tests.
   */
  void halt() {
    tx.halt();
    running.set(false);
    if (consumer != null) {
      consumer.wakeup();
    }
    state.wakeup();
  }

  boolean halted() {
    return tx.halted();
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
    remediation.onReplan(this::submit);
    tx.initTransactions(); // fences an earlier instance and aborts its open transaction
    StartupTimeline.mark("transactions-initialised");
    List<FaultVerdict> resume = restore();
    consumer =
        new KafkaConsumer<>(
            verdictConsumerProps(clientProps, groupId, instanceId),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    meters.bind(consumer);
    consumer.subscribe(List.of(topics.verdicts.name()), new Rebalance());
    thread = new Thread(this::loop, "gpuward-remediator");
    thread.start();
    // Ladders waiting for verification (or a STARTED step) before the restart carry on.
    resume.forEach(this::submit);
  }

  /** Commits what was handled before partitions go; notes the group generation after. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> parts) {
      tx.revoked(parts);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> parts) {
      // Not "no group metadata yet": the loop sets it after every poll, also after a first poll
      // that returned before the group join completed, and the step was never logged.
      if (firstAssignment.compareAndSet(true, false)) {
        StartupTimeline.mark("verdict-partitions-assigned");
      }
      tx.groupMetadata(consumer.groupMetadata());
    }
  }

  /**
   * Restores the ledger, the open verdicts, and control and inventory: three topics read in
   * parallel. Returns the open verdicts to plan again, once control and inventory were read up to
   * the end offsets they had at start.
   */
  private List<FaultVerdict> restore() {
    state.start();
    CompletableFuture<Map<String, FaultVerdict>> openVerdicts =
        CompletableFuture.supplyAsync(
            () -> restoreReaders.readOpenVerdicts(this::readVerdict),
            task -> {
              Thread t = new Thread(task, "gpuward-remediator-verdict-restore");
              t.setDaemon(true);
              t.start();
            });
    restoreReaders.rebuildLedger(remediation.ledger());
    StartupTimeline.mark("ledger-rebuilt");
    List<FaultVerdict> resume = restoreOpenVerdicts(openVerdicts.join());
    StartupTimeline.mark("verdicts-restored");
    state.verdictsRestored();
    state.awaitRestored();
    StartupTimeline.mark("control-restored");
    remediation.restoreBudgets();
    return resume;
  }

  /**
   * Restores the latest version of every verdict still open, so that a restart knows which nodes
   * other verdicts keep cordoned and resumes the ladders it had started. Verdicts are emitted on
   * change only, so this is small. Returns the open verdicts the remediator had acted on.
   */
  private List<FaultVerdict> restoreOpenVerdicts(Map<String, FaultVerdict> latest) {
    List<FaultVerdict> resume = new ArrayList<>();
    for (FaultVerdict v : latest.values()) {
      if (remediation.restoreOpen(v)) { // after the ledger: it asks whether a step was taken
        resume.add(v);
      }
    }
    log.info("{} verdicts restored, {} to resume", latest.size(), resume.size());
    return resume;
  }

  /**
   * With an instance id, the verdict consumer is a static member of its group: restarted after a
   * crash, it gets its partitions back as soon as it rejoins instead of after the dead member's
   * session expired (45 s by default), which held every verdict back that long. The session timeout
   * is then how long a crashed instance that never comes back holds its partitions: 20 s, as the
   * engine's.
   */
  static Map<String, Object> verdictConsumerProps(
      Map<String, Object> clientProps, String groupId, Optional<String> instanceId) {
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

  private Intake<FaultVerdict> readVerdict(ConsumerRecord<byte[], byte[]> r) {
    return Intake.read(
        r,
        verdictValues,
        false,
        (key, v) -> RecordChecks.verdict(key, v, remediation.clock().instant()));
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
    meters.lag(lag);
    return lag;
  }

  private void loop() {
    try {
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(200));
        tx.groupMetadata(consumer.groupMetadata());
        meters.polled();
        long behind = checkLag();
        caughtUp = records.isEmpty() && behind == 0 && !consumer.assignment().isEmpty();
        meters.refreshBudget();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          take(r);
        }
        notePositions();
        tx.commit();
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      log.error("remediator fenced by a newer instance of group {}; stopping", groupId, e);
      running.set(false);
    } finally {
      closeLoop();
    }
  }

  /** Tells the read barrier how far each partition was read: every record below was noted. */
  private void notePositions() {
    for (TopicPartition tp : consumer.assignment()) {
      barrier.position(tp, consumer.position(tp));
    }
  }

  /** Hands one verdict record to its node's lane, or dead-letters it. */
  private void take(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    tx.verdictOffsets().started(tp, r.offset());
    Intake<FaultVerdict> in = readVerdict(r);
    if (in instanceof Intake.Accepted<FaultVerdict> a) {
      remediation.noteLatest(a.value());
      barrier.read(a.value().getNode(), tp);
      lanes.submit(a.value().getNode(), () -> handle(r, a.value(), tp));
      return;
    }
    deadLetters
        .of(r, (Intake.Refused<?>) in)
        .ifPresent(dl -> tx.holdDeadLetter(tp, r.offset(), dl));
    tx.verdictOffsets().finished(tp, r.offset());
  }

  private void closeLoop() {
    if (!tx.halted()) {
      remediation.close(); // no timer hands work to the lanes once they are closing
      lanes.close();
      try {
        tx.commit();
      } catch (RuntimeException e) {
        log.warn("last commit failed; the uncommitted verdicts are read again on restart", e);
      }
    }
    consumer.close(Duration.ofSeconds(5)); // leaves the group, so a restart is assigned at once
  }

  /** Hands a verdict planned again off the consumer (timer, budget freed, command) to its lane. */
  private void submit(FaultVerdict v) {
    lanes.submit(v.getNode(), () -> replan(v));
  }

  private void replan(FaultVerdict v) {
    try {
      remediation.onVerdict(v);
    } catch (RuntimeException e) {
      if (!running.get()) {
        log.info(
            "node={} verdictId={} left to the next instance: shutting down",
            v.getNode(),
            v.getVerdictId());
        return;
      }
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
      tx.verdictOffsets().finished(tp, r.offset());
    }
    // The outcome and the verdict's offset become visible now, not at the loop's next poll.
    try {
      tx.commit();
    } catch (RuntimeException e) {
      log.warn(
          "commit after verdict topic={} partition={} offset={} failed: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.toString());
    }
  }

  /** True when every consumed verdict has been handled. */
  public boolean idle() {
    return tx.verdictOffsets().idle();
  }

  /**
   * True when the remediator has nothing to do until time passes: its partitions are assigned, its
   * last poll found no verdict unread, every verdict read was handled and no lane has work
   * (including verdicts planned again by a timer or a command).
   */
  public boolean caughtUp() {
    return caughtUp && !tx.halted() && tx.verdictOffsets().idle() && lanes.idle();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (tx.halted()) {
      // Only so that the next test round starts clean: the dead instance's threads are ended and
      // its open transaction is left for the next instance to abort.
      join();
      remediation.close();
      lanes.close();
      tx.close(Duration.ZERO);
      committedEnds.close();
      meters.close();
      return;
    }
    running.set(false);
    if (consumer != null) {
      consumer.wakeup();
    }
    state.wakeup();
    join();
    remediation.close();
    // The audit producer closes first: a step cut short by the stop must not be reported as
    // failed; it stays STARTED in the ledger for the next instance to reconcile.
    tx.close(Duration.ofSeconds(5));
    lanes.stop(Duration.ofSeconds(5));
    committedEnds.close();
    meters.close();
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
}
