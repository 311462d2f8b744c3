package io.gpuward.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.contract.registry.CompatibilityLevel;
import io.gpuward.contract.registry.RegistryMode;
import io.gpuward.contract.registry.SchemaStore.ConfigEntry;
import io.gpuward.contract.registry.SchemaStore.Entry;
import io.gpuward.contract.registry.SchemaStore.IdWatermark;
import io.gpuward.contract.registry.SchemaStore.ModeEntry;
import io.gpuward.contract.registry.SchemaStore.SchemaEntry;
import io.gpuward.contract.registry.SchemaStore.SchemaRemoved;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The records of the registry's backing topic: old ones still load, new ones round-trip. */
class KafkaSchemaStoreTest {

  @Test
  void shouldReadARegistrationWrittenBeforeSoftDeletesExisted() {
    String old =
        "{\"type\":\"schema\",\"subject\":\"gpu-value\",\"version\":3,\"id\":7,"
            + "\"schema\":\"\\\"string\\\"\"}";

    assertThat(KafkaSchemaStore.decode(old, 12))
        .isEqualTo(new SchemaEntry("gpu-value", 3, 7, "\"string\"", false));
  }

  @Test
  void shouldWriteALiveRegistrationExactlyAsBefore() {
    String encoded = KafkaSchemaStore.encode(new SchemaEntry("s", 1, 2, "\"int\""));

    assertThat(encoded)
        .isEqualTo(
            "{\"type\":\"schema\",\"subject\":\"s\",\"version\":1,\"id\":2,\"schema\":\"\\\"int\\\"\"}");
  }

  @Test
  void shouldRoundTripEveryEntryThroughItsKeyAndValue() {
    List<Entry> entries =
        List.of(
            new SchemaEntry("a:b-value", 2, 5, "\"int\"", true),
            new SchemaRemoved("a:b-value", 2),
            new ConfigEntry(null, CompatibilityLevel.FULL),
            new ConfigEntry("s", null),
            new ModeEntry("s", RegistryMode.READONLY),
            new ModeEntry(null, null),
            new IdWatermark(41));

    for (Entry e : entries) {
      String value = KafkaSchemaStore.encode(e);
      Entry back =
          value == null
              ? KafkaSchemaStore.removal(KafkaSchemaStore.key(e)).orElseThrow()
              : KafkaSchemaStore.decode(value, 0);
      assertThat(back).as(KafkaSchemaStore.key(e)).isEqualTo(e);
    }
  }

  @Test
  void shouldGiveASoftDeleteAndAPermanentDeleteTheRegistrationsKey() {
    SchemaEntry live = new SchemaEntry("s", 4, 9, "\"int\"");

    assertThat(KafkaSchemaStore.key(new SchemaEntry("s", 4, 9, "\"int\"", true)))
        .isEqualTo(KafkaSchemaStore.key(live));
    assertThat(KafkaSchemaStore.key(new SchemaRemoved("s", 4)))
        .isEqualTo(KafkaSchemaStore.key(live));
    assertThat(KafkaSchemaStore.encode(new SchemaRemoved("s", 4))).isNull();
    assertThat(KafkaSchemaStore.removal("nonsense")).isEmpty();
  }
}
