package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.VerdictState;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.Readers;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine as three instances of one application on six partitions: one is killed mid-run (the
 * one running fleet correlation) and a fourth joins later. Its committed verdicts and incidents
 * must be those of one instance fed the same records: same verdict ids and final states, nothing
 * lost or doubled, one incident for the storm. Failover and rebalance times are logged, never
 * asserted. {@code -Dgpuward.scale.standby=1} runs it with a standby replica.
 */
class EngineScaleOutIT {
  private static final Logger log = LoggerFactory.getLogger(EngineScaleOutIT.class);
  private static final int PARTITIONS = 6;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dirs;
  private final String bootstrap = SharedKafka.bootstrapServers();
  private final Instant t = Instant.now().minus(Duration.ofMinutes(10));
  private final ScaleOutFeed feed = new ScaleOutFeed(t, PARTITIONS);
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void shouldDecideAsOneInstanceDoesThroughAKillAndAJoin() throws Exception {
    Run single = new Run("single");
    EngineService one = single.engine(0, 0);
    single.send(feed.phaseA(single.topics));
    single.awaitStormIncident();
    single.send(feed.phaseB(single.topics));
    single.send(feed.phaseC(single.topics));
    Outcome expected = single.awaitMarkers();
    one.close();

    int standby = Integer.getInteger("gpuward.scale.standby", 0);
    Run scaled = new Run("scaled");
    List<CompletableFuture<EngineService>> starting =
        IntStream.range(0, 3)
            .mapToObj(i -> CompletableFuture.supplyAsync(() -> scaled.engine(i, standby)))
            .toList();
    List<EngineService> engines =
        new ArrayList<>(starting.stream().map(CompletableFuture::join).toList());
    long started = System.nanoTime();
    scaled.send(feed.phaseA(scaled.topics));
    scaled.awaitVerdicts(1);
    log.info("scale-out: 3 instances RUNNING -> first verdict in {} ms", msSince(started));
    scaled.awaitStormIncident();
    // Every input record of phase A processed, so the correlator has every node's membership
    // queued ahead of phase B's verdicts (streams/DESIGN.md#scaling-out: why it must).
    scaled.awaitInputsCommitted();
    killAndFailOver(scaled, engines, standby);
    long joined = System.nanoTime();
    int before = scaled.verdicts().size();
    engines.add(scaled.engine(3, standby));
    scaled.send(feed.phaseC(scaled.topics));
    scaled.awaitVerdicts(before + 1);
    log.info("scale-out: 4th instance joins -> first verdict after it in {} ms", msSince(joined));
    Outcome actual = scaled.awaitMarkers();

    assertSameDecisions(expected, actual);
  }

  /**
   * Halts the instance that runs fleet correlation and waits until its partitions commit again: the
   * correlation partition (phase B's storm verdicts reach it) and its GPU sample partitions.
   */
  private void killAndFailOver(Run run, List<EngineService> engines, int standby) throws Exception {
    TopicPartition fleet = run.correlationPartition();
    EngineService victim =
        engines.stream().filter(e -> ownsPartition(e, fleet)).findFirst().orElseThrow();
    // Phase B has samples of every fleet node: each of the victim's partitions with one gets more.
    Set<Integer> fed =
        feed.phaseB(run.topics).stream()
            .map(r -> ScaleOutFeed.partitionOf(r.key(), PARTITIONS))
            .collect(Collectors.toSet());
    Set<TopicPartition> inputs = inputPartitions(victim, run.topics.gpu.name());
    inputs.removeIf(p -> !fed.contains(p.partition()));
    inputs.add(fleet);
    Map<TopicPartition, Long> atKill = run.committed(inputs);
    long killed = System.nanoTime();
    victim.halt();
    run.send(feed.phaseB(run.topics));
    Eventually.await(
        WAIT,
        () -> {
          Map<TopicPartition, Long> now = run.committed(inputs);
          inputs.forEach(p -> assertThat(now.get(p)).as("%s", p).isGreaterThan(atKill.get(p)));
        });
    log.info(
        "scale-out: standby={} kill -> the killed instance's {} partitions committed again"
            + " in {} ms (session timeout 6000 ms)",
        standby,
        inputs.size(),
        msSince(killed));
  }

  private static void assertSameDecisions(Outcome expected, Outcome actual) {
    assertThat(actual.finalStates()).isEqualTo(expected.finalStates());
    assertThat(actual.verdicts)
        .as("no verdict record committed twice")
        .doesNotHaveDuplicates()
        .hasSizeGreaterThanOrEqualTo(expected.finalStates().size());
    assertThat(actual.opens()).as("one OPEN per verdict").isEqualTo(expected.opens());
    assertThat(actual.stormIncidents())
        .as("one incident for the storm across instances")
        .isEqualTo(expected.stormIncidents())
        .containsOnly(Map.entry(ScaleOutFeed.STORM_SCOPE + " " + ScaleOutFeed.STORM_SIGNATURE, 1L));
    assertThat(actual.stormNodes()).isEqualTo(expected.stormNodes()).hasSize(6);
  }

  private static boolean ownsPartition(EngineService e, TopicPartition p) {
    return e.streams().metadataForLocalThreads().stream()
        .flatMap(t -> t.activeTasks().stream())
        .anyMatch(task -> task.topicPartitions().contains(p));
  }

  private static Set<TopicPartition> inputPartitions(EngineService e, String topic) {
    return e.streams().metadataForLocalThreads().stream()
        .flatMap(t -> t.activeTasks().stream())
        .flatMap(task -> task.topicPartitions().stream())
        .filter(p -> p.topic().equals(topic))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static long msSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** The verdict and incident records one run committed. */
  record Outcome(List<FaultVerdict> verdicts, List<FleetIncident> incidents) {
    Map<String, VerdictState> finalStates() {
      Map<String, VerdictState> out = new TreeMap<>();
      verdicts.forEach(v -> out.put(v.getVerdictId(), v.getState()));
      return out;
    }

    Map<String, Long> opens() {
      return verdicts.stream()
          .filter(v -> v.getState() == VerdictState.OPEN)
          .collect(
              Collectors.groupingBy(
                  FaultVerdict::getVerdictId, TreeMap::new, Collectors.counting()));
    }

    /**
     * Incident ids per scope and signature. An incident's id comes from the event time of the
     * verdict that made it a storm, which depends on the order verdicts of different partitions
     * reach the correlator, so ids are counted, not compared.
     */
    Map<String, Long> stormIncidents() {
      return incidents.stream()
          .collect(
              Collectors.groupingBy(
                  i -> i.getScope() + " " + i.getSignature(),
                  TreeMap::new,
                  Collectors.mapping(FleetIncident::getIncidentId, Collectors.toSet())))
          .entrySet()
          .stream()
          .collect(
              Collectors.toMap(
                  Map.Entry::getKey, e -> (long) e.getValue().size(), (a, b) -> a, TreeMap::new));
    }

    Set<String> stormNodes() {
      return incidents.stream()
          .filter(i -> i.getScope().equals(ScaleOutFeed.STORM_SCOPE))
          .flatMap(i -> i.getNodes().stream())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** One application (its own topics and id) on the shared broker, and its committed output. */
  private final class Run {
    final Topics topics;
    final String app;
    final KafkaProducer<String, SpecificRecord> producer;
    final Admin admin;
    final Tail<FaultVerdict> verdicts;
    final Tail<FleetIncident> incidents;

    Run(String name) throws Exception {
      topics =
          new Topics(
              TopicCatalog.load(TestNames.unique(name) + ".").withPartitions(PARTITIONS),
              new AvroSerdes(new InMemorySchemaRegistry(), true));
      app = TestNames.unique("engine-" + name);
      admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
      open.add(admin);
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
      producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", bootstrap),
              new StringSerializer(),
              ScaleOutFeed.values(topics));
      open.add(producer);
      verdicts = new Tail<>(topics.verdicts.name(), topics.verdicts.valueSerde().deserializer());
      incidents = new Tail<>(topics.incidents.name(), topics.incidents.valueSerde().deserializer());
    }

    EngineService engine(int index, int standby) {
      Map<String, Object> settings = new HashMap<>();
      settings.put(GpuwardConfig.BOOTSTRAP_SERVERS, bootstrap);
      settings.put(GpuwardConfig.ENGINE_APPLICATION_ID, app);
      settings.put(GpuwardConfig.ENGINE_STATE_DIR, dirs.resolve(app + "-" + index).toString());
      settings.put(GpuwardConfig.ENGINE_STANDBY_REPLICAS, standby);
      // A killed instance holds its partitions until its session expires: the broker's minimum.
      settings.put("kafka.main.consumer.session.timeout.ms", 6000);
      settings.put("kafka.main.consumer.heartbeat.interval.ms", 1000);
      EngineService e =
          EngineService.start(
              new GpuwardConfig(settings),
              topics,
              RuleCatalog.load(),
              InstanceTypeCatalog.load(),
              new SimpleMeterRegistry(),
              Clock.systemUTC(),
              WAIT);
      synchronized (open) {
        open.add(e);
      }
      return e;
    }

    @SafeVarargs
    final void send(List<ProducerRecord<String, SpecificRecord>>... phases) {
      for (var phase : phases) {
        ScaleOutFeed.send(producer, phase);
      }
    }

    List<FaultVerdict> verdicts() {
      return verdicts.poll();
    }

    void awaitVerdicts(int atLeast) {
      Eventually.await(
          WAIT, () -> assertThat(verdicts.poll()).hasSizeGreaterThanOrEqualTo(atLeast));
    }

    void awaitStormIncident() {
      Eventually.await(
          WAIT,
          () ->
              assertThat(incidents.poll())
                  .extracting(FleetIncident::getScope)
                  .contains(ScaleOutFeed.STORM_SCOPE));
    }

    /** Every partition's marker verdict committed: all of the feed before it is decided. */
    Outcome awaitMarkers() {
      Eventually.await(
          WAIT,
          () ->
              assertThat(verdicts.poll())
                  .extracting(FaultVerdict::getNode)
                  .containsAll(feed.markers));
      Eventually.await(
          WAIT,
          () ->
              assertThat(incidents.poll())
                  .extracting(FleetIncident::getState)
                  .contains(IncidentState.CLEARED));
      return new Outcome(List.copyOf(verdicts.poll()), List.copyOf(incidents.poll()));
    }

    TopicPartition correlationPartition() {
      String topic = app + "-" + EngineNames.CORRELATION_REPARTITION + "-repartition";
      return new TopicPartition(
          topic, ScaleOutFeed.partitionOf(CorrelationKeysProcessor.FLEET, PARTITIONS));
    }

    void awaitInputsCommitted() throws Exception {
      List<String> inputs =
          List.of(
              topics.gpu.name(),
              topics.xid.name(),
              topics.kubeEvents.name(),
              topics.inventory.name());
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      inputs.forEach(
          t ->
              IntStream.range(0, PARTITIONS)
                  .forEach(p -> latest.put(new TopicPartition(t, p), OffsetSpec.latest())));
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((p, o) -> ends.put(p, o.offset()));
      Eventually.await(
          WAIT,
          () -> {
            Map<TopicPartition, Long> now = committed(ends.keySet());
            ends.forEach(
                (p, end) -> assertThat(Math.max(0, now.get(p))).as("%s", p).isEqualTo(end));
          });
    }

    Map<TopicPartition, Long> committed(Set<TopicPartition> partitions) throws Exception {
      Map<TopicPartition, OffsetAndMetadata> all =
          admin.listConsumerGroupOffsets(app).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, Long> out = new HashMap<>();
      partitions.forEach(p -> out.put(p, all.containsKey(p) ? all.get(p).offset() : -1L));
      return out;
    }
  }

  /** A read_committed reader of one topic from the beginning, keeping every value it saw. */
  private final class Tail<V> {
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Deserializer<V> values;
    private final List<V> seen = new ArrayList<>();

    Tail(String topic, Deserializer<V> values) {
      this.topic = topic;
      this.values = values;
      this.consumer = Readers.committed(bootstrap);
      consumer.subscribe(List.of(topic));
      open.add(consumer);
    }

    List<V> poll() {
      consumer
          .poll(Duration.ofMillis(200))
          .forEach(r -> seen.add(values.deserialize(topic, r.value())));
      return seen;
    }
  }
}
