package io.gpuward.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.testing.SampleRecords;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class GpuwardAvroConverterTest {

  private static final String TOPIC = "gpuward.verdicts.v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  private GpuwardAvroConverter converter(Map<String, Object> extra) {
    Map<String, Object> props = new HashMap<>();
    props.put("schema.registry.url", "http://unused.invalid:8081");
    props.putAll(extra);
    GpuwardAvroConverter c = new GpuwardAvroConverter(registry);
    c.configure(props, false);
    return c;
  }

  private byte[] verdictBytes(FaultVerdict v) {
    return new AvroSerdes(registry, true)
        .valueSerde(FaultVerdict.class)
        .serializer()
        .serialize(TOPIC, v);
  }

  @Test
  void mapsRecordsEnumsTimestampsArraysAndNullableFields() {
    FaultVerdict v = SampleRecords.faultVerdict();
    SchemaAndValue out = converter(Map.of()).toConnectData(TOPIC, verdictBytes(v));

    Struct s = (Struct) out.value();
    assertThat(out.schema().name()).isEqualTo("io.gpuward.avro.FaultVerdict");
    assertThat(s.getString("verdictId")).isEqualTo(v.getVerdictId());
    assertThat(s.getString("faultClass")).isEqualTo("GPU_LOST");
    assertThat(out.schema().field("faultClass").schema().type())
        .isEqualTo(org.apache.kafka.connect.data.Schema.Type.STRING);
    assertThat(out.schema().field("detectedAt").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
    assertThat(s.get("detectedAt")).isEqualTo(Date.from(v.getDetectedAt()));
    assertThat(out.schema().field("fixHint").schema().isOptional()).isTrue();
    assertThat(out.schema().field("summary").schema().isOptional()).isFalse();
    assertThat(s.get("fixHint")).isNull();
    assertThat(s.getBoolean("held")).isFalse();
    List<Struct> gpus = s.getArray("gpus");
    assertThat(gpus).singleElement().satisfies(g -> assertThat(g.getInt32("index")).isEqualTo(3));
    List<Struct> evidence = s.getArray("evidence");
    assertThat(evidence).hasSize(2);
    assertThat(evidence.get(1).get("windowEnd"))
        .isEqualTo(Date.from(v.getEvidence().get(1).getWindowEnd()));
    assertThat(evidence.get(1).get("partition")).isNull();
    s.validate();
  }

  @Test
  void rendersNestedValuesAsJsonAndNamesColumnsInSnakeCase() throws Exception {
    FaultVerdict v = SampleRecords.faultVerdict();
    SchemaAndValue out =
        converter(Map.of("nested.as.json", "true", "field.naming", "snake_case"))
            .toConnectData(TOPIC, verdictBytes(v));

    Struct s = (Struct) out.value();
    assertThat(out.schema().fields())
        .extracting(org.apache.kafka.connect.data.Field::name)
        .contains("verdict_id", "fault_class", "recommended_action", "valid_until", "fix_hint");
    assertThat(out.schema().field("evidence").schema().name()).isEqualTo(AvroToConnect.JSON_NAME);
    JsonNode evidence = JSON.readTree(s.getString("evidence"));
    assertThat(evidence).hasSize(2);
    assertThat(evidence.get(0).get("signal").asText()).isEqualTo("xid=79");
    assertThat(evidence.get(0).get("eventTime").asLong())
        .isEqualTo(SampleRecords.T0.toEpochMilli());
    assertThat(evidence.get(1).get("partition").isNull()).isTrue();
    JsonNode gpus = JSON.readTree(s.getString("gpus"));
    assertThat(gpus.get(0).get("uuid").asText()).isEqualTo(SampleRecords.GPU_UUID);
    assertThat(s.getString("verdict_id")).isEqualTo(v.getVerdictId());
    s.validate();
  }

  @Test
  void snakeCaseTurnsCamelCaseAndAcronymsIntoWords() {
    assertThat(FieldNaming.snake("verdictId")).isEqualTo("verdict_id");
    assertThat(FieldNaming.snake("maxMemoryTemperatureC")).isEqualTo("max_memory_temperature_c");
    assertThat(FieldNaming.snake("pciBusID")).isEqualTo("pci_bus_id");
    assertThat(FieldNaming.snake("HTTPServer")).isEqualTo("http_server");
    assertThat(FieldNaming.snake("node")).isEqualTo("node");
    assertThat(FieldNaming.snake("already_snake")).isEqualTo("already_snake");
    assertThat(FieldNaming.AVRO.apply("verdictId")).isEqualTo("verdictId");
  }

  private static final String LOGICAL =
      """
      {"type":"record","name":"Logical","namespace":"t","fields":[
        {"name":"day","type":{"type":"int","logicalType":"date"}},
        {"name":"tod","type":{"type":"int","logicalType":"time-millis"}},
        {"name":"micros","type":{"type":"long","logicalType":"timestamp-micros"}},
        {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
        {"name":"id","type":{"type":"string","logicalType":"uuid"}},
        {"name":"labels","type":{"type":"map","values":"long"}},
        {"name":"either","type":["null","int","string"]},
        {"name":"hash","type":{"type":"fixed","name":"Hash","size":2}},
        {"name":"ratio","type":"float"},
        {"name":"raw","type":"bytes"}
      ]}
      """;

  private byte[] framed(Schema schema, GenericData.Record record) throws Exception {
    int id = registry.register("logical-value", schema);
    var out = new java.io.ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericData.Record>(schema).write(record, enc);
    enc.flush();
    return out.toByteArray();
  }

  @Test
  void mapsLogicalTypesMapsUnionsAndFixed() throws Exception {
    Schema schema = new Schema.Parser().parse(LOGICAL);
    Schema priceSchema = schema.getField("price").schema();
    GenericData.Record r = new GenericData.Record(schema);
    r.put("day", 20_000);
    r.put("tod", 3_600_000);
    r.put("micros", 1_700_000_000_123_456L);
    r.put(
        "price",
        new Conversions.DecimalConversion()
            .toBytes(new BigDecimal("12.34"), priceSchema, LogicalTypes.decimal(9, 2)));
    r.put("id", "0b6e3c2a-9a1f-4a57-8c9e-2f1e1c0d9b7a");
    r.put("labels", Map.of("a", 1L));
    r.put("either", "text");
    r.put("hash", new GenericData.Fixed(schema.getField("hash").schema(), new byte[] {1, 2}));
    r.put("ratio", 0.5f);
    r.put("raw", ByteBuffer.wrap(new byte[] {9}));

    SchemaAndValue out = converter(Map.of()).toConnectData("logical", framed(schema, r));
    Struct s = (Struct) out.value();

    assertThat(s.get("day")).isEqualTo(new Date(20_000L * 86_400_000L));
    assertThat(out.schema().field("day").schema().name())
        .isEqualTo(org.apache.kafka.connect.data.Date.LOGICAL_NAME);
    assertThat(s.get("tod")).isEqualTo(new Date(3_600_000L));
    assertThat(s.get("micros")).isEqualTo(new Date(1_700_000_000_123L));
    assertThat(out.schema().field("price").schema().name()).isEqualTo(Decimal.LOGICAL_NAME);
    assertThat(s.get("price")).isEqualTo(new BigDecimal("12.34"));
    assertThat(s.getString("id")).isEqualTo("0b6e3c2a-9a1f-4a57-8c9e-2f1e1c0d9b7a");
    assertThat(s.getMap("labels")).containsEntry("a", 1L);
    Struct either = s.getStruct("either");
    assertThat(either.schema().name()).isEqualTo(AvroToConnect.UNION_NAME);
    assertThat(either.getString("string")).isEqualTo("text");
    assertThat(either.get("int")).isNull();
    assertThat(s.getBytes("hash")).containsExactly(1, 2);
    assertThat(s.getFloat32("ratio")).isEqualTo(0.5f);
    assertThat(s.getBytes("raw")).containsExactly(9);
    s.validate();
  }

  @Test
  void roundTripsThroughFromConnectData() {
    GpuwardAvroConverter c = converter(Map.of());
    SchemaAndValue first = c.toConnectData(TOPIC, verdictBytes(SampleRecords.faultVerdict()));

    byte[] bytes = c.fromConnectData("copy", first.schema(), first.value());
    SchemaAndValue back = c.toConnectData("copy", bytes);

    assertThat(registry.subjects()).contains("copy-value");
    assertThat(back.value()).isEqualTo(first.value());
  }

  @Test
  void refusesUnregisteredSchemaWithoutAutoRegister() {
    GpuwardAvroConverter c = converter(Map.of("auto.register.schemas", "false"));
    SchemaAndValue first = c.toConnectData(TOPIC, verdictBytes(SampleRecords.faultVerdict()));

    assertThatThrownBy(() -> c.fromConnectData("fresh", first.schema(), first.value()))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("fresh-value");
  }

  @Test
  void badBytesAndUnknownSchemaIdsAreDataExceptionsNamingTheProblem() {
    GpuwardAvroConverter c = converter(Map.of());
    assertThatThrownBy(() -> c.toConnectData(TOPIC, new byte[] {0x7b, 0x7d}))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(TOPIC)
        .hasMessageContaining("not Confluent-framed");
    assertThatThrownBy(() -> c.toConnectData(TOPIC, new byte[] {0, 0, 0, 3, (byte) 0xe7, 2}))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("schema id 999");
    byte[] truncated = verdictBytes(SampleRecords.faultVerdict());
    assertThatThrownBy(() -> c.toConnectData(TOPIC, java.util.Arrays.copyOf(truncated, 12)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("undecodable Avro");
    assertThat(c.toConnectData(TOPIC, null)).isEqualTo(SchemaAndValue.NULL);
  }

  @Test
  void fetchesWriterSchemasFromARegistryOverHttp() {
    try (EmbeddedSchemaRegistry http = EmbeddedSchemaRegistry.startInMemory()) {
      var client = new io.gpuward.contract.RegistryClient(http.url());
      byte[] bytes =
          new AvroSerdes(client, true)
              .valueSerde(FaultVerdict.class)
              .serializer()
              .serialize(TOPIC, SampleRecords.faultVerdict());
      GpuwardAvroConverter c = new GpuwardAvroConverter();
      c.configure(Map.of("schema.registry.url", http.url(), "field.naming", "snake_case"), false);

      Struct s = (Struct) c.toConnectData(TOPIC, bytes).value();

      assertThat(s.getString("node")).isEqualTo(SampleRecords.NODE);
      assertThat(s.getString("rule_id")).isEqualTo("xid-79-gpu-lost");
      byte[] again = c.fromConnectData("gpuward.copy", s.schema(), s);
      assertThat(client.subjects()).contains("gpuward.copy-value");
      assertThat(c.toConnectData("gpuward.copy", again).value()).isEqualTo(s);
    }
  }

  @Test
  void rejectsAMissingRegistryUrl() {
    assertThatThrownBy(() -> new GpuwardAvroConverter().configure(Map.of(), false))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }
}
