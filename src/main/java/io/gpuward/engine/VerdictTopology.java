package io.gpuward.engine;

import static io.gpuward.engine.EngineNames.CORRELATION_INPUTS;
import static io.gpuward.engine.EngineNames.CORRELATION_KEYS;
import static io.gpuward.engine.EngineNames.CORRELATION_MEMBERS_STORE;
import static io.gpuward.engine.EngineNames.CORRELATION_REPARTITION;
import static io.gpuward.engine.EngineNames.CORRELATION_STORE;
import static io.gpuward.engine.EngineNames.COUNTER_CARRY_STORE;
import static io.gpuward.engine.EngineNames.DLQ_SINK_PREFIX;
import static io.gpuward.engine.EngineNames.EVENTS_AS_INPUT;
import static io.gpuward.engine.EngineNames.EVENTS_BRANCH;
import static io.gpuward.engine.EngineNames.EVENTS_CHECK;
import static io.gpuward.engine.EngineNames.EVENTS_SOURCE;
import static io.gpuward.engine.EngineNames.FLEET_CORRELATOR;
import static io.gpuward.engine.EngineNames.GPU_BRANCH;
import static io.gpuward.engine.EngineNames.GPU_CHECK;
import static io.gpuward.engine.EngineNames.GPU_FAULT_XIDS;
import static io.gpuward.engine.EngineNames.GPU_SOURCE;
import static io.gpuward.engine.EngineNames.GPU_WINDOW;
import static io.gpuward.engine.EngineNames.GPU_WINDOW_SIGNALS;
import static io.gpuward.engine.EngineNames.GPU_WINDOW_STORE;
import static io.gpuward.engine.EngineNames.HEALTH_SINK;
import static io.gpuward.engine.EngineNames.INCIDENTS_SINK;
import static io.gpuward.engine.EngineNames.INCIDENTS_SOURCE;
import static io.gpuward.engine.EngineNames.INCIDENTS_STORE;
import static io.gpuward.engine.EngineNames.INVENTORY_AS_INPUT;
import static io.gpuward.engine.EngineNames.INVENTORY_AS_MEMBERSHIP;
import static io.gpuward.engine.EngineNames.INVENTORY_BRANCH;
import static io.gpuward.engine.EngineNames.INVENTORY_CHECK;
import static io.gpuward.engine.EngineNames.INVENTORY_SIGNALS;
import static io.gpuward.engine.EngineNames.INVENTORY_SOURCE;
import static io.gpuward.engine.EngineNames.INVENTORY_STORE;
import static io.gpuward.engine.EngineNames.INVENTORY_TABLE;
import static io.gpuward.engine.EngineNames.INVENTORY_TO_STREAM;
import static io.gpuward.engine.EngineNames.NODE_INPUTS;
import static io.gpuward.engine.EngineNames.NODE_STATE;
import static io.gpuward.engine.EngineNames.NODE_STATE_STORE;
import static io.gpuward.engine.EngineNames.NOT_READY_EVENTS;
import static io.gpuward.engine.EngineNames.NOT_READY_JOIN;
import static io.gpuward.engine.EngineNames.NOT_READY_JOIN_STORE;
import static io.gpuward.engine.EngineNames.OUTPUT_BRANCH;
import static io.gpuward.engine.EngineNames.OUTPUT_HEALTH;
import static io.gpuward.engine.EngineNames.OUTPUT_VERDICTS;
import static io.gpuward.engine.EngineNames.PRESENCE_STORE;
import static io.gpuward.engine.EngineNames.RECOVERED_STORE;
import static io.gpuward.engine.EngineNames.SIGNALS_MERGE_1;
import static io.gpuward.engine.EngineNames.SIGNALS_MERGE_2;
import static io.gpuward.engine.EngineNames.SIGNALS_MERGE_3;
import static io.gpuward.engine.EngineNames.SIGNALS_MERGE_4;
import static io.gpuward.engine.EngineNames.UNKNOWN_NODES_STORE;
import static io.gpuward.engine.EngineNames.VERDICTS_SINK;
import static io.gpuward.engine.EngineNames.VERDICT_DECIDER;
import static io.gpuward.engine.EngineNames.VERDICT_STORE;
import static io.gpuward.engine.EngineNames.XID_BRANCH;
import static io.gpuward.engine.EngineNames.XID_CHECK;
import static io.gpuward.engine.EngineNames.XID_SIGNALS;
import static io.gpuward.engine.EngineNames.XID_SOURCE;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.contract.Topic;
import io.gpuward.contract.Topics;
import io.gpuward.engine.domain.CorrelationEvent;
import io.gpuward.engine.domain.FleetCorrelator;
import io.gpuward.engine.domain.ImageInstanceRule;
import io.gpuward.engine.domain.InputChecks;
import io.gpuward.engine.domain.NodeRules;
import io.gpuward.engine.domain.NotReadyGpuJoiner;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.engine.domain.SampleRules;
import io.gpuward.engine.domain.Signal;
import io.gpuward.engine.domain.VerdictDecider;
import io.gpuward.engine.domain.XidRule;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The verdict engine's topology, built by a pure function from topics (with their serdes), rules
 * and metrics. All inputs are keyed by node and co-partitioned, so nothing is repartitioned:
 * per-GPU state lives inside node-keyed aggregates.
 *
 * <pre>
 * xid ─check─► XidRule ───────────────────────────────────────┐
 * gpu ─check─► window per node (GPUs by UUID) ─► SampleRules, GpuPresenceRule ─┤
 * kube events + inventory changes ─► NodeRules (node-state-store) ───────────┼─► verdict-decider
 * kube events (NotReady) ⋈ xid (GPU fault) within the join window ────────────┤   ─► verdicts, health
 * inventory (table) ─► ImageInstanceRule ─────────────────────────────────────┘
 * every check ─invalid or late─► dlq
 * </pre>
 */
public final class VerdictTopology {

  /**
   * The per-node stores (inventory, node state, presence, open verdicts, correlation members,
   * unknown nodes) are a few records per node, so they live in memory with their changelogs. Under
   * exactly-once a crash leaves every RocksDB store "corrupted" (no checkpoint), and Kafka Streams
   * opens, wipes, reopens and restores each of them: that RocksDB work, not the reading of the
   * changelogs, was most of an engine restart (streams/DESIGN.md has the numbers). An in-memory
   * store is restored from its changelog on every start, which for these sizes takes milliseconds.
   * The open GPU windows and the join windows stay on RocksDB: they are large, and a topology with
   * no persistent store would get a new process id, hence new transactional ids, at every start.
   */
  static KeyValueBytesStoreSupplier smallStore(String name) {
    return Stores.inMemoryKeyValueStore(name);
  }

  /** How often (stream time) open verdicts are checked for expiry. */
  public static final Duration EXPIRY_INTERVAL = Duration.ofSeconds(10);

  private VerdictTopology() {}

  public static Topology build(
      Topics topics,
      RuleCatalog rules,
      InstanceTypeCatalog instanceTypes,
      String applicationId,
      MeterRegistry meters,
      Clock wall,
      EventTimeBounds bounds) {
    Wiring w = new Wiring(topics, rules, applicationId, meters, wall, bounds);
    KTable<String, NodeInventory> inventory =
        inventoryTable(w.b, topics, new EventTimeExtractor(wall, bounds), w.edge);
    KStream<String, NodeInventory> inventoryChanges =
        inventory.toStream(Named.as(INVENTORY_TO_STREAM));
    ImageInstanceRule imageRule = new ImageInstanceRule(rules, instanceTypes);
    KStream<String, Signal> inventorySignals =
        inventoryChanges.processValues(
            () -> new SignalProcessor<>(imageRule::evaluate), Named.as(INVENTORY_SIGNALS));
    // Telemetry of nodes without inventory is dead-lettered after a grace (InventoryGate).
    w.b.addStateStore(
        Stores.keyValueStoreBuilder(
            smallStore(UNKNOWN_NODES_STORE), Serdes.String(), Serdes.Long()));
    KStream<String, XidEvent> xids = w.xids();
    XidRule xidRule = new XidRule(rules.xid());
    KStream<String, Signal> xidSignals =
        xids.processValues(
            () -> new SignalProcessor<XidEvent>(xidRule::evaluate), Named.as(XID_SIGNALS));
    KStream<String, Signal> windowSignals = w.windowSignals();
    KStream<String, NodeEvent> events = w.events();
    // Before node-state, which reads the open verdicts: a store exists before a processor uses it.
    w.addDeciderStores();
    KStream<String, Signal> nodeSignals = w.nodeSignals(events, inventoryChanges);
    KStream<String, Signal> signals =
        xidSignals
            .merge(windowSignals, Named.as(SIGNALS_MERGE_1))
            .merge(nodeSignals, Named.as(SIGNALS_MERGE_2))
            .merge(inventorySignals, Named.as(SIGNALS_MERGE_3))
            .merge(w.notReadySignals(events, xids), Named.as(SIGNALS_MERGE_4));
    KStream<String, SpecificRecord> verdictChanges = w.decide(signals);
    w.correlate(verdictChanges, inventoryChanges);
    return w.b.build();
  }

  /** What the stages of {@link #build} share: the builder, the topics, the rules, the edge. */
  private static final class Wiring {
    final StreamsBuilder b = new StreamsBuilder();
    final Topics topics;
    final RuleCatalog rules;
    final MeterRegistry meters;
    final CheckProcessor.Edge edge;
    final Duration unknownGrace;
    final List<String> scopeKinds;

    Wiring(
        Topics topics,
        RuleCatalog rules,
        String applicationId,
        MeterRegistry meters,
        Clock wall,
        EventTimeBounds bounds) {
      this.topics = topics;
      this.rules = rules;
      this.meters = meters;
      this.edge = new CheckProcessor.Edge(wall, bounds, applicationId, meters);
      this.unknownGrace = rules.node().unknownNodeGrace();
      this.scopeKinds = rules.correlation().scopes();
    }

    /** XIDs: checked, then classified one by one. */
    KStream<String, XidEvent> xids() {
      return checked(
          b,
          topics,
          topics.xid,
          XID_SOURCE,
          XID_CHECK,
          XID_BRANCH,
          new DecodingSerde<>(topics.xid.valueSerde()),
          InputChecks::check,
          CheckProcessor.LateCheck.behindStreamTime(rules.longestXidTtl()),
          unknownGrace,
          null,
          edge);
    }

    /** Kube events: checked; node-level rules and the NotReady join read them. */
    KStream<String, NodeEvent> events() {
      return checked(
          b,
          topics,
          topics.kubeEvents,
          EVENTS_SOURCE,
          EVENTS_CHECK,
          EVENTS_BRANCH,
          new DecodingSerde<>(topics.kubeEvents.valueSerde()),
          InputChecks::check,
          null,
          null,
          null,
          edge);
    }

    /** GPU samples: one tumbling event-time window per node holds per-GPU state by UUID. */
    KStream<String, Signal> windowSignals() {
      var window = rules.sampleWindow();
      long size = window.size().toMillis();
      long grace = window.grace().toMillis();
      long carry = window.counterCarry().toMillis();
      KStream<String, GpuSample> samples =
          checked(
              b,
              topics,
              topics.gpu,
              GPU_SOURCE,
              GPU_CHECK,
              GPU_BRANCH,
              new DecodingSerde<>(
                  new GpuSampleDeserializer(topics.gpu.valueSerde()),
                  topics.gpu.valueSerde().serializer()),
              InputChecks::check,
              CheckProcessor.LateCheck.pastWindowGrace(size, grace),
              unknownGrace,
              GPU_WINDOW,
              edge);
      addWindowStores();
      SampleRules sampleRules =
          new SampleRules(
              window, rules.thermal(), rules.hwSlowdown(), rules.memory(), rules.nvlink());
      return samples
          .process(
              () -> new GpuWindowProcessor(sampleRules, size, grace, carry),
              Named.as(GPU_WINDOW),
              GPU_WINDOW_STORE,
              COUNTER_CARRY_STORE)
          .process(
              () -> new WindowSignalsProcessor(sampleRules),
              Named.as(GPU_WINDOW_SIGNALS),
              PRESENCE_STORE,
              INVENTORY_STORE);
    }

    private void addWindowStores() {
      b.addStateStore(
          Stores.keyValueStoreBuilder(
              smallStore(PRESENCE_STORE), Serdes.String(), new PresenceSerde()));
      b.addStateStore(
          Stores.keyValueStoreBuilder(
              smallStore(COUNTER_CARRY_STORE), Serdes.String(), new CounterCarrySerde()));
      b.addStateStore(
          WriteBackStore.builder(
                  GPU_WINDOW_STORE, new GpuWindowProcessor.KeySerde(), new GpuWindowSerde())
              .withLoggingEnabled(Map.of()));
    }

    /** Kube events and inventory changes: node-level rules with remembered node state. */
    KStream<String, Signal> nodeSignals(
        KStream<String, NodeEvent> events, KStream<String, NodeInventory> inventoryChanges) {
      b.addStateStore(
          Stores.keyValueStoreBuilder(
              smallStore(NODE_STATE_STORE), Serdes.String(), new NodeStateSerde()));
      NodeRules nodeRules = new NodeRules(rules);
      return events
          .mapValues(v -> (SpecificRecord) v, Named.as(EVENTS_AS_INPUT))
          .merge(
              inventoryChanges.mapValues(v -> (SpecificRecord) v, Named.as(INVENTORY_AS_INPUT)),
              Named.as(NODE_INPUTS))
          .process(
              () -> new NodeStateProcessor(nodeRules, EXPIRY_INTERVAL),
              Named.as(NODE_STATE),
              NODE_STATE_STORE,
              VERDICT_STORE);
    }

    /** NotReady joined with a GPU hardware XID on the same node inside the window. */
    KStream<String, Signal> notReadySignals(
        KStream<String, NodeEvent> events, KStream<String, XidEvent> xids) {
      var node = rules.node();
      NotReadyGpuJoiner joiner = new NotReadyGpuJoiner(rules.xid());
      return events
          .filter((k, e) -> NotReadyGpuJoiner.isNotReady(e), Named.as(NOT_READY_EVENTS))
          .join(
              xids.filter((k, x) -> joiner.isGpuFault(x), Named.as(GPU_FAULT_XIDS)),
              (e, x) -> (Signal) joiner.join(e, x),
              JoinWindows.ofTimeDifferenceAndGrace(
                  node.notReadyJoinWindow(), node.notReadyJoinGrace()),
              StreamJoined.with(
                      Serdes.String(), topics.kubeEvents.valueSerde(), topics.xid.valueSerde())
                  .withName(NOT_READY_JOIN)
                  .withStoreName(NOT_READY_JOIN_STORE));
    }

    /**
     * Signals to verdicts and node health (its stores added first); returns the verdict changes.
     */
    KStream<String, SpecificRecord> decide(KStream<String, Signal> signals) {
      VerdictDecider decider = new VerdictDecider(rules);
      var outputs =
          signals
              .process(
                  () -> new VerdictProcessor(decider, EXPIRY_INTERVAL, meters, scopeKinds),
                  Named.as(VERDICT_DECIDER),
                  VERDICT_STORE,
                  RECOVERED_STORE,
                  INVENTORY_STORE,
                  PRESENCE_STORE)
              .split(Named.as(OUTPUT_BRANCH))
              .branch((k, v) -> v instanceof FaultVerdict, Branched.as(OUTPUT_VERDICTS))
              .branch((k, v) -> v instanceof NodeHealth, Branched.as(OUTPUT_HEALTH))
              .noDefaultBranch();
      KStream<String, SpecificRecord> verdictChanges = outputs.get(OUTPUT_BRANCH + OUTPUT_VERDICTS);
      verdictChanges
          .mapValues(v -> (FaultVerdict) v, Named.as(OUTPUT_VERDICTS + "-cast"))
          .to(topics.verdicts.name(), produced(topics.verdicts, VERDICTS_SINK));
      outputs
          .get(OUTPUT_BRANCH + OUTPUT_HEALTH)
          .mapValues(v -> (NodeHealth) v, Named.as(OUTPUT_HEALTH + "-cast"))
          .to(topics.health.name(), produced(topics.health, HEALTH_SINK));
      return verdictChanges;
    }

    void addDeciderStores() {
      b.addStateStore(
          Stores.keyValueStoreBuilder(
              smallStore(VERDICT_STORE), Serdes.String(), topics.verdicts.valueSerde()));
      // When each node last recovered from each fault class (epoch ms), kept for a short while: a
      // detection whose evidence began before it (a window or join result arriving after a
      // reboot) does not open a new verdict.
      b.addStateStore(
          Stores.keyValueStoreBuilder(smallStore(RECOVERED_STORE), Serdes.String(), Serdes.Long()));
      // Open fleet incidents by scope and signature, readable by every task: the decider holds
      // the verdicts they cover. The topic is keyed by scope only, hence a store fed by a
      // processor (also run on restore) instead of a GlobalKTable.
      b.addGlobalStore(
          Stores.keyValueStoreBuilder(
                  Stores.persistentKeyValueStore(INCIDENTS_STORE),
                  Serdes.String(),
                  topics.incidents.valueSerde())
              .withLoggingDisabled(),
          topics.incidents.name(),
          Consumed.with(Serdes.String(), topics.incidents.valueSerde()).withName(INCIDENTS_SOURCE),
          IncidentsGlobalProcessor::new);
    }

    /** Fleet correlation: verdict changes and scope membership, all under one key (low volume). */
    void correlate(
        KStream<String, SpecificRecord> verdictChanges,
        KStream<String, NodeInventory> inventoryChanges) {
      addCorrelationStores();
      FleetCorrelator correlator = new FleetCorrelator(rules.correlation());
      verdictChanges
          .merge(
              inventoryChanges.mapValues(
                  v -> (SpecificRecord) v, Named.as(INVENTORY_AS_MEMBERSHIP)),
              Named.as(CORRELATION_INPUTS))
          .process(
              () -> new CorrelationKeysProcessor(scopeKinds),
              Named.as(CORRELATION_KEYS),
              INVENTORY_STORE)
          .repartition(
              Repartitioned.<String, CorrelationEvent>with(
                      Serdes.String(), new JsonSerde<>(CorrelationEvent.class))
                  .withName(CORRELATION_REPARTITION))
          .process(
              () -> new FleetCorrelatorProcessor(correlator),
              Named.as(FLEET_CORRELATOR),
              CORRELATION_STORE,
              CORRELATION_MEMBERS_STORE)
          .to(topics.incidents.name(), produced(topics.incidents, INCIDENTS_SINK));
    }

    private void addCorrelationStores() {
      b.addStateStore(
          WriteBackStore.builder(
                  CORRELATION_STORE,
                  Serdes.String(),
                  new JsonSerde<>(FleetCorrelatorProcessor.Row.class))
              .withLoggingEnabled(Map.of()));
      b.addStateStore(
          Stores.keyValueStoreBuilder(
              smallStore(CORRELATION_MEMBERS_STORE),
              Serdes.String(),
              new JsonSerde<>(FleetCorrelatorProcessor.Membership.class)));
    }
  }

  /**
   * Source → validation (and, with {@code unknownNodeGrace}, the unknown-node rule) → valid stream;
   * invalid records go to the DLQ with their reason.
   */
  private static <V extends SpecificRecord> KStream<String, V> checked(
      StreamsBuilder b,
      Topics topics,
      Topic<V> topic,
      String sourceName,
      String checkName,
      String branchPrefix,
      DecodingSerde<V> serde,
      BiFunction<String, V, Optional<String>> check,
      CheckProcessor.LateCheck late,
      Duration unknownNodeGrace,
      String validChild,
      CheckProcessor.Edge edge) {
    String[] stores =
        unknownNodeGrace == null
            ? new String[0]
            : new String[] {INVENTORY_STORE, UNKNOWN_NODES_STORE};
    String deadLetterChild = branchPrefix + "dead-letter";
    KStream<String, Object> checkedStream =
        b.stream(
                topic.name(),
                Consumed.with(serde.keySerde(), serde.valueSerde())
                    .withTimestampExtractor(new EventTimeExtractor(edge.wall(), edge.bounds()))
                    .withName(sourceName))
            .processValues(
                () ->
                    new CheckProcessor<>(
                        check,
                        late,
                        topic.valueSerde().serializer(),
                        edge,
                        unknownNodeGrace == null ? null : new InventoryGate(unknownNodeGrace),
                        deadLetterChild,
                        validChild),
                Named.as(checkName),
                stores);
    deadLetters(checkedStream, deadLetterChild, topics, topic);
    @SuppressWarnings("unchecked")
    KStream<String, V> valid = (KStream<String, V>) (KStream<String, ?>) checkedStream;
    return valid;
  }

  /**
   * Inventory, read as a stream so that undecodable records are processed (dead-lettered with their
   * offset) rather than left to the deserialization handler, then materialised as the table the
   * rules read: same store, same changelog as a table source.
   */
  private static KTable<String, NodeInventory> inventoryTable(
      StreamsBuilder b, Topics topics, EventTimeExtractor eventTime, CheckProcessor.Edge edge) {
    DecodingSerde<NodeInventory> serde = new DecodingSerde<>(topics.inventory.valueSerde());
    String deadLetterChild = INVENTORY_BRANCH + "dead-letter";
    KStream<String, Object> decoded =
        b.stream(
                topics.inventory.name(),
                Consumed.with(serde.keySerde(), serde.valueSerde())
                    .withTimestampExtractor(eventTime)
                    .withName(INVENTORY_SOURCE))
            .processValues(
                () -> new DecodeProcessor<NodeInventory>(edge, deadLetterChild),
                Named.as(INVENTORY_CHECK));
    deadLetters(decoded, deadLetterChild, topics, topics.inventory);
    @SuppressWarnings("unchecked")
    KStream<String, NodeInventory> valid =
        (KStream<String, NodeInventory>) (KStream<String, ?>) decoded;
    return valid.toTable(
        Named.as(INVENTORY_TABLE),
        Materialized.<String, NodeInventory>as(smallStore(INVENTORY_STORE))
            .withKeySerde(Serdes.String())
            .withValueSerde(topics.inventory.valueSerde()));
  }

  /** The dead letters a check forwards to {@code child}, to the DLQ. */
  private static void deadLetters(
      KStream<String, Object> checked, String child, Topics topics, Topic<?> topic) {
    checked
        .flatMapValues(
            v -> v instanceof DeadLetter dl ? List.of(dl) : List.<DeadLetter>of(), Named.as(child))
        .to(topics.dlq.name(), produced(topics.dlq, DLQ_SINK_PREFIX + topic.spec().id()));
  }

  private static <V> Produced<String, V> produced(Topic<V> topic, String name) {
    return Produced.with(Serdes.String(), topic.valueSerde()).withName(name);
  }
}
