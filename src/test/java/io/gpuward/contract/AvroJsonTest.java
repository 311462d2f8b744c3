package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.testing.SampleRecords;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

  @Test
  void shouldWriteEnumsAsSymbolsAndTimestampsAsEpochMillis() {
    ObjectNode json = AvroJson.toJson(SampleRecords.faultVerdict());

    assertThat(json.get("faultClass").asText()).isEqualTo("GPU_LOST");
    assertThat(json.get("severity").asText()).isEqualTo("CRITICAL");
    assertThat(json.get("state").asText()).isEqualTo("OPEN");
    assertThat(json.get("detectedAt").isIntegralNumber()).isTrue();
    assertThat(json.get("detectedAt").asLong()).isEqualTo(SampleRecords.T0.toEpochMilli());
    assertThat(json.get("held").isBoolean()).isTrue();
  }

  @Test
  void shouldUnwrapNullableUnions() {
    ObjectNode json = AvroJson.toJson(SampleRecords.faultVerdict());

    assertThat(json.get("nodegroup").asText()).isEqualTo("p5-train"); // not {"string": ...}
    assertThat(json.get("incidentId").isNull()).isTrue();
    assertThat(json.has("clearReason")).isTrue();
    JsonNode windowed = json.get("evidence").get(1);
    assertThat(windowed.get("windowStart").asLong()).isEqualTo(SampleRecords.T0.toEpochMilli());
    assertThat(windowed.get("partition").isNull()).isTrue();
  }

  @Test
  void shouldWriteNestedArraysOfRecords() {
    FaultVerdict verdict = SampleRecords.faultVerdict();
    ObjectNode json = AvroJson.toJson(verdict);

    assertThat(json.get("gpus").isArray()).isTrue();
    assertThat(json.get("gpus").get(0).get("uuid").asText()).isEqualTo(SampleRecords.GPU_UUID);
    assertThat(json.get("gpus").get(0).get("index").asInt()).isEqualTo(3);
    assertThat(json.get("evidence")).hasSize(2);
    assertThat(json.get("evidence").get(0).get("offset").asLong()).isEqualTo(1234L);
    assertThat(json.get("evidence").get(0).get("value").asDouble()).isEqualTo(79.0);
    List<String> names = fieldNames(json);
    assertThat(names)
        .containsExactlyElementsOf(
            verdict.getSchema().getFields().stream().map(f -> f.name()).toList());
  }

  @Test
  void shouldWriteMapsAsObjectsAndBytesAsBase64() {
    ObjectNode inventory = AvroJson.toJson(SampleRecords.nodeInventory());
    ObjectNode dead = AvroJson.toJson(SampleRecords.deadLetter());
    ObjectNode health = AvroJson.toJson(SampleRecords.nodeHealth());

    assertThat(inventory.get("labels").get("topology.kubernetes.io/zone").asText())
        .isEqualTo("us-east-1a");
    assertThat(dead.get("originalValue").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(new byte[] {0x7b, 0x7d}));
    assertThat(dead.get("schemaId").isNull()).isTrue();
    assertThat(health.get("openVerdicts").get(0).get("faultClass").asText()).isEqualTo("GPU_LOST");
  }

  @Test
  void shouldConvertEveryTopicRecord() {
    SampleRecords.all()
        .forEach(
            (id, record) ->
                assertThat(AvroJson.toJson(record).size())
                    .as(id)
                    .isEqualTo(record.getSchema().getFields().size()));
  }

  private static List<String> fieldNames(ObjectNode json) {
    List<String> names = new java.util.ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
