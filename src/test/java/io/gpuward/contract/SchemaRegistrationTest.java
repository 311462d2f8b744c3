package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.ControlCommand;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.testing.SampleRecords;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Roles register what they write at start, so with auto-registration off (production) every writer
 * finds its subject and every reader decodes: against the embedded registry over HTTP.
 */
class SchemaRegistrationTest {
  EmbeddedSchemaRegistry server;
  RegistryClient registry;
  Topics topics;

  @BeforeEach
  void start() {
    server = EmbeddedSchemaRegistry.startInMemory();
    registry = new RegistryClient(server.url());
    TopicCatalog catalog = TopicCatalog.load("");
    topics = new Topics(catalog, AvroSerdes.forRole(registry, false, catalog));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldLetEveryWriterAndReaderWorkWithoutAutoRegistrationOnceRolesHaveStarted() {
    for (KafkaRole role : KafkaRole.values()) {
      SchemaRegistration.register(role, topics, registry);
    }
    for (Map.Entry<String, SpecificRecord> e : SampleRecords.all().entrySet()) {
      assertThat(roundTrip(topics.byId(e.getKey()), e.getValue()))
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void shouldLetOperatorsWriteControlCommandsOnceTheRemediatorHasStarted() {
    ControlCommand command = SampleRecords.controlCommand();
    assertThatThrownBy(
            () ->
                topics.control.valueSerde().serializer().serialize(topics.control.name(), command))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not registered under subject gpuward.control.v1-value");

    SchemaRegistration.register(KafkaRole.REMEDIATOR, topics, registry);

    assertThat(roundTrip(topics.control, command)).isEqualTo(command);
  }

  @Test
  void shouldGiveTheSameIdsWhenARoleRegistersAgainAfterARestart() {
    Map<String, Integer> first = SchemaRegistration.register(KafkaRole.ENGINE, topics, registry);
    Map<String, Integer> again = SchemaRegistration.register(KafkaRole.ENGINE, topics, registry);
    assertThat(again).isEqualTo(first).containsKey("gpuward.verdicts.v1-value");
    assertThat(registry.subjects()).containsExactlyInAnyOrderElementsOf(first.keySet());
  }

  @Test
  void shouldStillRegisterStreamsInternalTopicsOnFirstUseWithAutoRegistrationOff() {
    String changelog = "gpuward-engine-inventory-store-changelog";
    byte[] bytes =
        topics
            .inventory
            .valueSerde()
            .serializer()
            .serialize(changelog, SampleRecords.nodeInventory());
    assertThat(registry.subjects()).containsExactly(changelog + "-value");
    assertThat(topics.inventory.valueSerde().deserializer().deserialize(changelog, bytes))
        .isEqualTo(SampleRecords.nodeInventory());
  }

  @SuppressWarnings("unchecked")
  static <V extends SpecificRecord> Object roundTrip(Topic<V> topic, SpecificRecord value) {
    byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), (V) value);
    return topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
  }
}
