package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.IncidentHolds;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incidents store on the real broker, built on start from {@code gpuward.incidents.v1} (the
 * restore path a restarted engine takes): two open storms under one scope key both survive, and a
 * cleared one is gone.
 */
class IncidentsStoreRestoreIT {
  private static final String SCOPE = "nodegroup:p5-train";
  private static final String XID = "GPU_LOST:xid=79";
  private static final String DRIVER =
      "DRIVER_ROOT_MISCONFIGURED:container_start_failure:libnvidia-ml-not-found";
  private static final String OLD = "GPU_MEMORY_DEGRADED:xid=48";

  @TempDir Path stateDir;

  @Test
  void shouldRestoreEveryOpenIncidentOfOneScopeFromTheTopic() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("incstore") + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    Instant t = Instant.now();
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", bootstrap),
            new StringSerializer(),
            topics.incidents.valueSerde().serializer())) {
      for (FleetIncident i :
          List.of(
              incident("inc-old", OLD, FaultClass.GPU_MEMORY_DEGRADED, IncidentState.OPEN, t),
              incident("inc-xid", XID, FaultClass.GPU_LOST, IncidentState.OPEN, t),
              incident(
                  "inc-drv", DRIVER, FaultClass.DRIVER_ROOT_MISCONFIGURED, IncidentState.OPEN, t),
              incident("inc-old", OLD, FaultClass.GPU_MEMORY_DEGRADED, IncidentState.CLEARED, t))) {
        producer.send(new ProducerRecord<>(topics.incidents.name(), SCOPE, i)).get();
      }
    }

    var cfg =
        new GpuwardConfig(
            Map.of(
                GpuwardConfig.BOOTSTRAP_SERVERS, bootstrap,
                GpuwardConfig.ENGINE_APPLICATION_ID, TestNames.unique("engine"),
                GpuwardConfig.ENGINE_STATE_DIR, stateDir.toString()));
    var meters = new SimpleMeterRegistry();
    try (var streams =
        new KafkaStreams(
            VerdictTopology.build(
                topics,
                RuleCatalog.load(),
                InstanceTypeCatalog.load(),
                "incstore",
                meters,
                Clock.systemUTC(),
                EventTimeBounds.DEFAULT),
            EngineService.properties(cfg, topics, meters, Clock.systemUTC()))) {
      streams.start();
      Map<String, String> byKey = new HashMap<>();
      Eventually.await(
          Duration.ofSeconds(60),
          () -> {
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            ReadOnlyKeyValueStore<String, FleetIncident> store =
                streams.store(
                    StoreQueryParameters.fromNameAndType(
                        EngineNames.INCIDENTS_STORE, QueryableStoreTypes.keyValueStore()));
            byKey.clear();
            try (var it = store.all()) {
              it.forEachRemaining(kv -> byKey.put(kv.key, kv.value.getIncidentId()));
            }
            assertThat(byKey).hasSize(2);
          });
      assertThat(byKey)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  IncidentHolds.key(SCOPE, XID), "inc-xid",
                  IncidentHolds.key(SCOPE, DRIVER), "inc-drv"));
    }
  }

  private static FleetIncident incident(
      String id, String signature, FaultClass c, IncidentState state, Instant t) {
    return FleetIncident.newBuilder()
        .setIncidentId(id)
        .setScope(SCOPE)
        .setIncidentClass(IncidentClass.COMMON_CAUSE)
        .setSignature(signature)
        .setNodes(List.of("p5-train-0", "p5-train-1", "p5-train-2"))
        .setState(state)
        .setDetectedAt(t)
        .setUpdatedAt(t)
        .setFaultClass(c)
        .setSummary(signature + " in " + SCOPE)
        .build();
  }
}
