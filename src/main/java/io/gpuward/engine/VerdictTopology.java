package io.gpuward.engine;

import static io.gpuward.engine.EngineNames.*;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeHealth;
import io.gpuward.contract.Topic;
import io.gpuward.contract.Topics;
import io.gpuward.engine.domain.ImageInstanceRule;
import io.gpuward.engine.domain.InputChecks;
import io.gpuward.engine.domain.NodeEventRule;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.engine.domain.Signal;
import io.gpuward.engine.domain.ThermalRule;
import io.gpuward.engine.domain.ThermalWindow;
import io.gpuward.engine.domain.VerdictDecider;
import io.gpuward.engine.domain.XidRule;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The verdict engine's topology, built by a pure function from topics (with their serdes), rules
 * and metrics. All inputs are keyed by node and co-partitioned, so nothing is repartitioned:
 * per-GPU state lives inside node-keyed aggregates.
 *
 * <pre>
 * xid ─check─► XidRule ─────────────┐
 * gpu ─check─► window(thermal) ─► ThermalRule ─┤
 * kube events ─check─► NodeEventRule ──────────┼─► verdict-decider ─► verdicts, health
 * inventory (table) ─► ImageInstanceRule ──────┘        (verdict-store; reads inventory-store)
 * every check ─invalid─► dlq
 * </pre>
 */
public final class VerdictTopology {

  /** How often (stream time) open verdicts are checked for expiry. */
  public static final Duration EXPIRY_INTERVAL = Duration.ofSeconds(10);

  private VerdictTopology() {}

  public static Topology build(
      Topics topics,
      RuleCatalog rules,
      InstanceTypeCatalog instanceTypes,
      String applicationId,
      MeterRegistry meters) {
    StreamsBuilder b = new StreamsBuilder();
    XidRule xidRule = new XidRule(rules.xid());
    ThermalRule thermalRule = new ThermalRule(rules.thermal());
    ImageInstanceRule imageRule = new ImageInstanceRule(rules, instanceTypes);
    NodeEventRule eventRule = new NodeEventRule();

    // Inventory: a table the decider reads for context, and a stream of changes for its rule.
    KTable<String, io.gpuward.avro.NodeInventory> inventory =
        b.table(
            topics.inventory.name(),
            consumed(topics.inventory, INVENTORY_SOURCE),
            Materialized.<String, io.gpuward.avro.NodeInventory, KeyValueStore<Bytes, byte[]>>as(
                    INVENTORY_STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(topics.inventory.valueSerde()));
    KStream<String, Signal> inventorySignals =
        inventory
            .toStream(Named.as(INVENTORY_TO_STREAM))
            .processValues(
                () -> new SignalProcessor<>(imageRule::evaluate), Named.as(INVENTORY_SIGNALS));

    KStream<String, io.gpuward.avro.XidEvent> xids =
        checked(
            b,
            topics,
            topics.xid,
            XID_SOURCE,
            XID_CHECK,
            XID_BRANCH,
            InputChecks::check,
            applicationId,
            meters);
    KStream<String, Signal> xidSignals =
        xids.processValues(
            () -> new SignalProcessor<io.gpuward.avro.XidEvent>((x, at) -> xidRule.evaluate(x, at)),
            Named.as(XID_SIGNALS));

    KStream<String, io.gpuward.avro.GpuSample> samples =
        checked(
            b,
            topics,
            topics.gpu,
            GPU_SOURCE,
            GPU_CHECK,
            GPU_BRANCH,
            InputChecks::check,
            applicationId,
            meters);
    var thermal = rules.thermal();
    KStream<String, Signal> thermalSignals =
        samples
            .groupByKey(Grouped.with(GPU_BY_NODE, Serdes.String(), topics.gpu.valueSerde()))
            .windowedBy(TimeWindows.ofSizeAndGrace(thermal.window(), thermal.grace()))
            .aggregate(
                ThermalWindow::new,
                (node, sample, agg) -> agg.add(sample, thermalRule.isHot(sample)),
                Named.as(THERMAL_WINDOW),
                Materialized.<String, ThermalWindow, WindowStore<Bytes, byte[]>>as(THERMAL_STORE)
                    .withKeySerde(Serdes.String())
                    .withValueSerde(new ThermalWindowSerde()))
            .suppress(
                Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                    .withName(THERMAL_FINAL))
            .toStream(Named.as(THERMAL_TO_STREAM))
            .flatMap(
                (w, agg) ->
                    thermalRule
                        .evaluate(w.key(), w.window().startTime(), w.window().endTime(), agg)
                        .stream()
                        .map(s -> org.apache.kafka.streams.KeyValue.pair(w.key(), s))
                        .toList(),
                Named.as(THERMAL_SIGNALS));

    KStream<String, io.gpuward.avro.NodeEvent> events =
        checked(
            b,
            topics,
            topics.kubeEvents,
            EVENTS_SOURCE,
            EVENTS_CHECK,
            EVENTS_BRANCH,
            InputChecks::check,
            applicationId,
            meters);
    KStream<String, Signal> eventSignals =
        events.processValues(
            () -> new SignalProcessor<io.gpuward.avro.NodeEvent>(eventRule::evaluate),
            Named.as(EVENT_SIGNALS));

    b.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(VERDICT_STORE),
            Serdes.String(),
            topics.verdicts.valueSerde()));

    VerdictDecider decider = new VerdictDecider(rules);
    KStream<String, SpecificRecord> out =
        xidSignals
            .merge(thermalSignals, Named.as(SIGNALS_MERGE_1))
            .merge(eventSignals, Named.as(SIGNALS_MERGE_2))
            .merge(inventorySignals, Named.as(SIGNALS_MERGE_3))
            .process(
                () -> new VerdictProcessor(decider, EXPIRY_INTERVAL, meters),
                Named.as(VERDICT_DECIDER),
                VERDICT_STORE,
                INVENTORY_STORE);

    out.split(Named.as(OUTPUT_BRANCH))
        .branch(
            (k, v) -> v instanceof FaultVerdict,
            Branched.withConsumer(
                s ->
                    s.mapValues(v -> (FaultVerdict) v, Named.as(OUTPUT_VERDICTS + "-cast"))
                        .to(topics.verdicts.name(), produced(topics.verdicts, VERDICTS_SINK)),
                OUTPUT_VERDICTS))
        .branch(
            (k, v) -> v instanceof NodeHealth,
            Branched.withConsumer(
                s ->
                    s.mapValues(v -> (NodeHealth) v, Named.as(OUTPUT_HEALTH + "-cast"))
                        .to(topics.health.name(), produced(topics.health, HEALTH_SINK)),
                OUTPUT_HEALTH));
    return b.build();
  }

  /** Source → validation → valid stream; invalid records go to the DLQ with their reason. */
  private static <V extends SpecificRecord> KStream<String, V> checked(
      StreamsBuilder b,
      Topics topics,
      Topic<V> topic,
      String sourceName,
      String checkName,
      String branchPrefix,
      BiFunction<String, V, Optional<String>> check,
      String applicationId,
      MeterRegistry meters) {
    var rejected =
        meters.counter(
            EngineMetrics.DEAD_LETTERS, "topic", topic.spec().id(), "kind", "VALIDATION");
    KStream<String, Checked<V>> checkedStream =
        b.stream(topic.name(), consumed(topic, sourceName))
            .processValues(
                () ->
                    new CheckProcessor<>(
                        check, topic.valueSerde().serializer(), applicationId, rejected),
                Named.as(checkName));
    var branches =
        checkedStream
            .split(Named.as(branchPrefix))
            .branch((k, v) -> v instanceof Checked.Invalid<V>, Branched.as(BRANCH_INVALID))
            .defaultBranch(Branched.as(BRANCH_VALID));
    branches
        .get(branchPrefix + BRANCH_INVALID)
        .mapValues(
            v -> ((Checked.Invalid<V>) v).deadLetter(), Named.as(branchPrefix + "dead-letter"))
        .to(topics.dlq.name(), produced(topics.dlq, DLQ_SINK_PREFIX + topic.spec().id()));
    return branches
        .get(branchPrefix + BRANCH_VALID)
        .mapValues(v -> ((Checked.Valid<V>) v).value(), Named.as(branchPrefix + "value"));
  }

  private static <V> Consumed<String, V> consumed(Topic<V> topic, String name) {
    return Consumed.with(Serdes.String(), topic.valueSerde())
        .withTimestampExtractor(new EventTimeExtractor())
        .withName(name);
  }

  private static <V> Produced<String, V> produced(Topic<V> topic, String name) {
    return Produced.with(Serdes.String(), topic.valueSerde()).withName(name);
  }
}
