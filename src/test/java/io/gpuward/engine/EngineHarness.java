package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.T0;

import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/** The verdict topology in a TopologyTestDriver, with typed input and output topics. */
final class EngineHarness implements AutoCloseable {
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final RuleCatalog rules;
  final Topics topics;
  final Topology topology;
  final TopologyTestDriver driver;
  final TestInputTopic<String, XidEvent> xid;
  final TestInputTopic<String, byte[]> xidRaw;
  final TestInputTopic<String, GpuSample> gpu;
  final TestInputTopic<byte[], byte[]> gpuRaw;
  final TestInputTopic<String, NodeEvent> events;
  final TestInputTopic<String, NodeInventory> inventory;
  final TestInputTopic<String, byte[]> inventoryRaw;
  final TestOutputTopic<String, FaultVerdict> verdicts;
  final TestOutputTopic<String, NodeHealth> health;
  final TestOutputTopic<String, DeadLetter> dlq;

  EngineHarness(Path stateDir) {
    this(stateDir, RuleCatalog.load());
  }

  /**
   * The wall clock most tests run against: a week after their timeline starts at {@code T0}, with a
   * month of age allowed, so event times anywhere in that week are believed.
   */
  static final Clock WALL = Clock.fixed(T0.plus(Duration.ofDays(7)), ZoneOffset.UTC);

  static final EventTimeBounds BOUNDS =
      new EventTimeBounds(Duration.ofMinutes(2), Duration.ofDays(30));

  EngineHarness(Path stateDir, RuleCatalog rules) {
    this(stateDir, rules, WALL, BOUNDS);
  }

  EngineHarness(Path stateDir, RuleCatalog rules, Clock wall, EventTimeBounds bounds) {
    this(stateDir, rules, wall, bounds, Map.of());
  }

  /** With Streams settings over the engine's own ({@code overrides}). */
  EngineHarness(
      Path stateDir,
      RuleCatalog rules,
      Clock wall,
      EventTimeBounds bounds,
      Map<String, Object> overrides) {
    this.rules = rules;
    topics = new Topics(TopicCatalog.load(""), new AvroSerdes(new InMemorySchemaRegistry(), true));
    topology =
        VerdictTopology.build(
            topics, rules, InstanceTypeCatalog.load(), "engine-test", meters, wall, bounds);
    var cfg = new GpuwardConfig(Map.of(GpuwardConfig.ENGINE_STATE_DIR, stateDir.toString()));
    Properties props =
        EngineService.properties(cfg, topics, meters, Clock.fixed(T0, ZoneOffset.UTC));
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "engine-test");
    props.putAll(overrides);
    driver = new TopologyTestDriver(topology, props);
    var keys = new StringSerializer();
    xid = driver.createInputTopic(topics.xid.name(), keys, topics.xid.valueSerde().serializer());
    xidRaw = driver.createInputTopic(topics.xid.name(), keys, new ByteArraySerializer());
    gpu = driver.createInputTopic(topics.gpu.name(), keys, topics.gpu.valueSerde().serializer());
    gpuRaw =
        driver.createInputTopic(
            topics.gpu.name(), new ByteArraySerializer(), new ByteArraySerializer());
    events =
        driver.createInputTopic(
            topics.kubeEvents.name(), keys, topics.kubeEvents.valueSerde().serializer());
    inventory =
        driver.createInputTopic(
            topics.inventory.name(), keys, topics.inventory.valueSerde().serializer());
    inventoryRaw =
        driver.createInputTopic(topics.inventory.name(), keys, new ByteArraySerializer());
    var strings = new StringDeserializer();
    verdicts =
        driver.createOutputTopic(
            topics.verdicts.name(), strings, topics.verdicts.valueSerde().deserializer());
    health =
        driver.createOutputTopic(
            topics.health.name(), strings, topics.health.valueSerde().deserializer());
    dlq =
        driver.createOutputTopic(
            topics.dlq.name(), strings, topics.dlq.valueSerde().deserializer());
  }

  @Override
  public void close() {
    driver.close();
  }
}
