package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.engine.domain.CorrelationEvent;
import io.gpuward.engine.domain.FleetCorrelator;
import io.gpuward.engine.domain.RuleCatalog;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The correlator's state is rows (one per node of a storm, one per incident) plus memberships: a
 * new processor over the committed stores carries on the same storm, scope sizes and incident.
 */
class FleetCorrelatorProcessorTest {
  private static final String SIG = "GPU_LOST:xid:79";
  private static final long T0 = 1_800_000_000_000L;

  private final FleetCorrelator correlator = new FleetCorrelator(RuleCatalog.load().correlation());
  private final WriteBackStore<String, FleetCorrelatorProcessor.Row> rows =
      WriteBackStore.inMemoryForTests(
          EngineNames.CORRELATION_STORE,
          Serdes.String(),
          new JsonSerde<>(FleetCorrelatorProcessor.Row.class));
  private final KeyValueStore<String, FleetCorrelatorProcessor.Membership> members =
      Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore(EngineNames.CORRELATION_MEMBERS_STORE),
              Serdes.String(),
              new JsonSerde<>(FleetCorrelatorProcessor.Membership.class))
          .withLoggingDisabled()
          .build();
  private MockProcessorContext<String, FleetIncident> context;
  private FleetCorrelatorProcessor processor;

  private void start() {
    context = new MockProcessorContext<>();
    if (!rows.isOpen()) {
      rows.init(context.getStateStoreContext(), rows);
      members.init(context.getStateStoreContext(), members);
    }
    context.addStateStore(rows);
    context.addStateStore(members);
    processor = new FleetCorrelatorProcessor(correlator);
    processor.init(context);
  }

  private void send(CorrelationEvent e) {
    processor.process(new Record<>(CorrelationKeysProcessor.FLEET, e, e.at));
  }

  private List<FleetIncident> incidents() {
    return context.forwarded().stream().map(f -> (FleetIncident) f.record().value()).toList();
  }

  @Test
  void shouldCarryOnAStormAfterARestart() {
    start();
    for (int i = 0; i < 10; i++) {
      send(CorrelationEvent.member("g-" + i, List.of("nodegroup:g"), T0));
    }
    for (int i = 0; i < 3; i++) {
      send(
          CorrelationEvent.verdict(
              "g-" + i, List.of("nodegroup:g"), SIG, "v" + i, "GPU_LOST", true, T0 + i));
    }
    assertThat(incidents()).extracting(FleetIncident::getState).containsExactly(IncidentState.OPEN);
    String id = incidents().get(0).getIncidentId();
    rows.flushCache(); // committed

    start();
    send(
        CorrelationEvent.verdict(
            "g-3", List.of("nodegroup:g"), SIG, "v3", "GPU_LOST", true, T0 + 3));
    assertThat(incidents())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getState()).isEqualTo(IncidentState.UPDATED);
              assertThat(i.getIncidentId()).isEqualTo(id);
              assertThat(i.getNodes()).containsExactly("g-0", "g-1", "g-2", "g-3");
            });
    for (int i = 0; i < 4; i++) {
      send(
          CorrelationEvent.verdict(
              "g-" + i, List.of("nodegroup:g"), SIG, "v" + i, "GPU_LOST", false, T0 + 10 + i));
    }
    assertThat(incidents().get(incidents().size() - 1).getState()).isEqualTo(IncidentState.CLEARED);
  }

  @Test
  void shouldOpenAndKeepTheIncidentWhenARemovalArrivesAfterTheStorm() {
    start();
    for (int i = 0; i < 16; i++) {
      send(CorrelationEvent.member("g-" + i, List.of("nodegroup:g"), T0));
    }
    for (int i = 0; i < 3; i++) {
      send(
          CorrelationEvent.verdict(
              "g-" + i, List.of("nodegroup:g"), SIG, "v" + i, "GPU_LOST", true, T0 + 10 + i));
    }
    assertThat(incidents()).as("3 of 16").isEmpty();
    for (int i = 13; i < 16; i++) { // left the group at T0 + 5, read late
      send(CorrelationEvent.member("g-" + i, List.of(), T0 + 5));
    }
    assertThat(incidents())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getState()).isEqualTo(IncidentState.OPEN);
              assertThat(i.getNodes()).containsExactly("g-0", "g-1", "g-2");
              assertThat(i.getDetectedAt().toEpochMilli()).isEqualTo(T0 + 12);
            });
    String id = incidents().get(0).getIncidentId();
    rows.flushCache(); // committed

    start();
    send(
        CorrelationEvent.verdict(
            "g-3", List.of("nodegroup:g"), SIG, "v3", "GPU_LOST", true, T0 + 20));
    assertThat(incidents())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getState()).isEqualTo(IncidentState.UPDATED);
              assertThat(i.getIncidentId()).isEqualTo(id);
            });
  }

  @Test
  void shouldNotCountAStormNodeThatLeftTheFleetWhileItsVerdictIsOpen() {
    start();
    for (int i = 0; i < 16; i++) {
      send(CorrelationEvent.member("g-" + i, List.of("nodegroup:g"), T0));
    }
    for (int i = 0; i < 3; i++) {
      send(
          CorrelationEvent.verdict(
              "g-" + i, List.of("nodegroup:g"), SIG, "v" + i, "GPU_LOST", true, T0 + 10 + i));
    }
    // g-0 replaced: its instance is gone before its verdict clears. 2 of 15, not 3 of 15.
    send(CorrelationEvent.member("g-0", List.of(), T0 + 60));
    assertThat(incidents()).isEmpty();
    rows.flushCache();

    start(); // the storm's rows kept g-0 without a scope
    send(
        CorrelationEvent.verdict(
            "g-1", List.of("nodegroup:g"), SIG, "v1", "GPU_LOST", true, T0 + 70));
    assertThat(incidents()).isEmpty();
  }
}
