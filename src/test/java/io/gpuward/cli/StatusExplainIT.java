package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.Topic;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.exporter.TelemetryPublisher;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimTimeline;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.SimulationRunner;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.Readers;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gpuward status} and {@code explain} after a real run: the storm scenario (half of a
 * 10-node group loses a GPU at once) through the verdict engine and the remediator on the real
 * broker, then both commands' JSON compared with what the verdict and audit topics hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusExplainIT {
  private static final double SPEED = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Result(int code, String out, String err) {}

  private String bootstrap;
  private String prefix;
  private EmbeddedSchemaRegistry registry;
  private Topics topics;

  @BeforeAll
  void runTheStorm(@TempDir Path state) throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    prefix = TestNames.unique("status") + ".";
    registry = EmbeddedSchemaRegistry.startInMemory();
    topics =
        new Topics(
            TopicCatalog.load(prefix).withPartitions(2),
            new AvroSerdes(new RegistryClient(registry.url()), true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    GpuwardConfig cfg =
        new GpuwardConfig(
            Map.of(
                GpuwardConfig.BOOTSTRAP_SERVERS,
                bootstrap,
                GpuwardConfig.REGISTRY_URL,
                registry.url(),
                GpuwardConfig.TOPIC_PREFIX,
                prefix,
                GpuwardConfig.ENGINE_STATE_DIR,
                state.toString(),
                GpuwardConfig.ENGINE_APPLICATION_ID,
                prefix + "engine"));
    run(cfg, ScenarioLoader.load(Path.of("src/main/resources/gpuward/scenarios/storm.yaml")));
  }

  private void run(GpuwardConfig cfg, Scenario scenario) throws Exception {
    var types = InstanceTypeCatalog.load();
    var meters = new SimpleMeterRegistry();
    Instant start = SimTimeline.start(Optional.empty(), Instant.now(), scenario.duration(), SPEED);
    SimClock clock = SimClock.notAfter(start, SPEED, Clock.systemUTC());
    SimulatedCluster cluster = new SimulatedCluster(clock);
    Planner planner = new Planner(RemediationPolicy.load());
    try (EngineService engine =
            EngineService.start(
                cfg,
                topics,
                RuleCatalog.load(),
                types,
                meters,
                Clock.systemUTC(),
                Duration.ofSeconds(60));
        TelemetryPublisher publisher =
            new TelemetryPublisher(cfg.kafkaClientProps(), topics, prefix + "sim");
        RemediatorService remediator =
            new RemediatorService(
                cfg.kafkaClientProps(),
                topics,
                a -> new Remediation(planner, cluster, cluster, a, clock, false, meters),
                prefix + "remediator")) {
      remediator.start();
      FleetSimulator sim = new FleetSimulator(scenario, types, cluster, publisher, clock.start());
      try (SimulationRunner runner = SimulationRunner.realTime(sim, clock, scenario.duration())) {
        runner.start();
        runner.awaitCompletion(Duration.ofSeconds(60));
      }
      publisher.flush();
      // The storm's five members are each cordoned and their drains held by the incident.
      Eventually.await(
          Duration.ofSeconds(90),
          () ->
              assertThat(
                      latestAudit().stream()
                          .filter(r -> r.getReason() == SkipReason.INCIDENT_HOLD)
                          .map(RemediationRecord::getNode)
                          .distinct())
                  .hasSize(5));
    }
  }

  @AfterAll
  void stop() {
    registry.close();
  }

  @Test
  void shouldShowTheOpenVerdictsAndTheIncidentTheTopicsHold() throws Exception {
    Result r = cli("status", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode s = JSON.readTree(r.out());

    Map<String, FaultVerdict> open = openVerdicts();
    assertThat(s.at("/summary/openVerdicts").asInt()).isEqualTo(open.size());
    assertThat(ids(s.get("openVerdicts"), "verdictId")).isEqualTo(new TreeSet<>(open.keySet()));
    JsonNode incident = s.get("incidents").get(0);
    assertThat(s.get("incidents")).hasSize(1);
    assertThat(incident.get("scope").asText()).isEqualTo("nodegroup:p4d-train");
    Set<String> held = new TreeSet<>();
    open.values().stream().filter(FaultVerdict::getHeld).forEach(v -> held.add(v.getNode()));
    assertThat(ids(incident.get("nodes"), null)).containsAll(held).hasSize(5);
    assertThat(incident.get("heldVerdicts").asInt()).isEqualTo(held.size());
    assertThat(s.get("remediations"))
        .allSatisfy(m -> assertThat(m.get("waitingFor").asText()).startsWith("incident hold "));

    Result text = cli("status");
    assertThat(text.out()).startsWith("gpuward status at ").contains("Fleet incidents");
    System.out.println("captured: gpuward status\n" + text.out());
  }

  @Test
  void shouldExplainAMemberWithTheActionsAndOutcomesTheAuditHolds() throws Exception {
    String node =
        latestAudit().stream()
            .filter(a -> a.getReason() == SkipReason.INCIDENT_HOLD)
            .map(RemediationRecord::getNode)
            .findFirst()
            .orElseThrow();
    Result r = cli("explain", node, "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode e = JSON.readTree(r.out());

    List<String> audited = new ArrayList<>();
    latestAudit().stream()
        .filter(a -> a.getNode().equals(node))
        .forEach(a -> audited.add(a.getAction() + " " + a.getOutcome() + " " + a.getReason()));
    List<String> explained = new ArrayList<>();
    for (JsonNode c : e.get("verdicts")) {
      for (JsonNode step : c.get("remediation")) {
        explained.add(
            step.get("action").asText()
                + " "
                + step.get("outcome").asText()
                + " "
                + (step.get("reason").isNull() ? "null" : step.get("reason").asText()));
      }
    }
    assertThat(explained).containsExactlyInAnyOrderElementsOf(audited);
    assertThat(audited).contains("CORDON " + Outcome.SUCCEEDED + " null");
    JsonNode chain = e.get("verdicts").get(0);
    assertThat(chain.at("/incident/nodes")).hasSize(5);
    assertThat(chain.get("evidence")).isNotEmpty();
    assertThat(chain.at("/next/waitingFor").asText()).startsWith("incident hold ");

    System.out.println("captured: gpuward explain " + node + "\n" + cli("explain", node).out());
  }

  @Test
  void shouldExitThreeInOneLineForANodeWithoutRecords() {
    Result r = cli("explain", "no-such-node");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err().strip().lines())
        .singleElement()
        .asString()
        .contains("no verdict or audit record of no-such-node");
  }

  @Test
  void shouldSayInOneLineThatTheBrokerIsUnreachable() {
    Result r = run("status", "-b", "127.0.0.1:1", "-r", registry.url());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines())
        .singleElement()
        .asString()
        .contains("cannot reach Kafka at 127.0.0.1:1");
  }

  @Test
  void shouldSayInOneLineThatTheRegistryIsUnreachable() {
    Result r =
        run("explain", "x", "-b", bootstrap, "-r", "http://127.0.0.1:1", "--topic-prefix", prefix);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines())
        .singleElement()
        .asString()
        .startsWith("gpuward explain: error: ");
  }

  private Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-b", bootstrap, "-r", registry.url(), "--topic-prefix", prefix));
    return run(all.toArray(String[]::new));
  }

  private static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private static Set<String> ids(JsonNode array, String field) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(field == null ? n.asText() : n.get(field).asText()));
    return out;
  }

  private Map<String, FaultVerdict> openVerdicts() {
    Map<String, FaultVerdict> latest = new LinkedHashMap<>();
    readAll(topics.verdicts).forEach(v -> latest.put(v.getVerdictId(), v));
    latest.values().removeIf(v -> v.getState() == VerdictState.CLEARED);
    return latest;
  }

  private List<RemediationRecord> latestAudit() {
    return readAll(topics.audit);
  }

  private <V> List<V> readAll(Topic<V> topic) {
    List<V> out = new ArrayList<>();
    var values = topic.valueSerde().deserializer();
    try (KafkaConsumer<String, byte[]> c = Readers.committed(bootstrap)) {
      List<TopicPartition> parts =
          List.of(new TopicPartition(topic.name(), 0), new TopicPartition(topic.name(), 1));
      c.assign(parts);
      c.seekToBeginning(parts);
      var end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(200))
            .forEach(r -> out.add(values.deserialize(r.topic(), r.value())));
      }
    }
    return out;
  }
}
