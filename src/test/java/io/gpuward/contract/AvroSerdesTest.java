package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.avro.GpuSample;
import io.gpuward.testing.SampleRecords;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AvroSerdesTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final Topics topics = new Topics(TopicCatalog.load(""), new AvroSerdes(registry, true));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "gpu",
        "xid",
        "kubeEvents",
        "inventory",
        "verdicts",
        "health",
        "incidents",
        "audit",
        "control",
        "dlq"
      })
  void shouldRoundTripEveryTopicRecord(String topicId) {
    SpecificRecord record = SampleRecords.all().get(topicId);
    Topic<SpecificRecord> topic = topicOf(topicId);

    byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), record);
    SpecificRecord back = topic.valueSerde().deserializer().deserialize(topic.name(), bytes);

    assertThat(back).isEqualTo(record).hasSameHashCodeAs(record);
    assertThat(record).isEqualTo(back);
    assertThat(registry.subjects()).containsExactly(topic.spec().valueSubject());
  }

  @Test
  void shouldFrameWithMagicByteAndRegisteredSchemaId() {
    byte[] bytes =
        topics
            .gpu
            .valueSerde()
            .serializer()
            .serialize(topics.gpu.name(), SampleRecords.gpuSample());
    int id =
        registry
            .lookup(topics.gpu.spec().valueSubject(), GpuSample.getClassSchema())
            .orElseThrow()
            .id();

    assertThat(bytes[0]).isEqualTo((byte) 0x00);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    assertThat(WireFormat.schemaIdOf(bytes)).isEqualTo(OptionalInt.of(id));
  }

  @Test
  void shouldNameUnknownSchemaId() {
    byte[] frame = {0x00, 0x00, 0x00, 0x00, 42, 0x02};

    assertThatThrownBy(() -> topics.gpu.valueSerde().deserializer().deserialize("t", frame))
        .isInstanceOf(SerializationException.class)
        .hasMessage("unknown schema id 42 in registry (404/40403)");
  }

  @Test
  void shouldRejectUnframedAndShortBytesClearly() {
    var deserializer = topics.gpu.valueSerde().deserializer();

    assertThatThrownBy(() -> deserializer.deserialize("t", "{\"node\":1}".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessage("not Confluent-framed: first byte 0x7b (expected 0x00)");
    assertThatThrownBy(() -> deserializer.deserialize("t", new byte[] {0, 0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessage("too short for a Confluent frame (3 bytes)");
    assertThat(WireFormat.schemaIdOf(new byte[] {0x7b, 0, 0, 0, 1})).isEmpty();
    assertThat(WireFormat.schemaIdOf(null)).isEmpty();
  }

  @Test
  void shouldNameWriterSchemaWhenPayloadIsCorrupt() {
    int id = registry.register("t-value", GpuSample.getClassSchema());
    byte[] frame =
        ByteBuffer.allocate(7).put((byte) 0).putInt(id).put((byte) 0x7f).put((byte) 0x7f).array();

    assertThatThrownBy(() -> topics.gpu.valueSerde().deserializer().deserialize("t", frame))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("Avro decode failed with writer schema id " + id + ": ");
  }

  @Test
  void shouldReadDataWrittenWithOlderCompatibleSchema() throws Exception {
    Schema older = olderGpuSampleSchema();
    String subject = topics.gpu.spec().valueSubject();
    int olderId = registry.register(subject, older);
    GenericRecord old = new GenericData.Record(older);
    old.put("node", "n1");
    old.put("uuid", "GPU-1");
    old.put("gpuIndex", 0);
    old.put("eventTime", SampleRecords.T0.toEpochMilli());
    old.put("temperatureC", 55.5);
    old.put("legacyRack", "rack-7");

    GpuSample read =
        topics.gpu.valueSerde().deserializer().deserialize(topics.gpu.name(), frame(olderId, old));

    assertThat(read.getNode()).isEqualTo("n1");
    assertThat(read.getEventTime()).isEqualTo(SampleRecords.T0);
    assertThat(read.getTemperatureC()).isEqualTo(55.5);
    assertThat(read.getPod()).isNull();
    assertThat(read.getBootId()).isNull();
    // and the current schema registers as the next version under BACKWARD
    byte[] current =
        topics
            .gpu
            .valueSerde()
            .serializer()
            .serialize(topics.gpu.name(), SampleRecords.gpuSample());
    assertThat(WireFormat.schemaIdOf(current).getAsInt()).isNotEqualTo(olderId);
  }

  @Test
  void shouldPassTombstonesThrough() {
    Serde<GpuSample> serde = topics.gpu.valueSerde();

    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldRequireRegisteredSchemaWithoutAutoRegistration() {
    Topics readOnly = new Topics(TopicCatalog.load("ro."), new AvroSerdes(registry, false));
    var serializer = readOnly.gpu.valueSerde().serializer();

    assertThatThrownBy(() -> serializer.serialize(readOnly.gpu.name(), SampleRecords.gpuSample()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not registered under subject ro.gpuward.telemetry.gpu.v1-value");

    int id = registry.register(readOnly.gpu.spec().valueSubject(), GpuSample.getClassSchema());
    Topics fresh = new Topics(TopicCatalog.load("ro."), new AvroSerdes(registry, false));
    byte[] bytes =
        fresh.gpu.valueSerde().serializer().serialize(fresh.gpu.name(), SampleRecords.gpuSample());
    assertThat(WireFormat.schemaIdOf(bytes)).hasValue(id);
  }

  @SuppressWarnings("unchecked")
  private Topic<SpecificRecord> topicOf(String id) {
    Object t =
        switch (id) {
          case "gpu" -> topics.gpu;
          case "xid" -> topics.xid;
          case "kubeEvents" -> topics.kubeEvents;
          case "inventory" -> topics.inventory;
          case "verdicts" -> topics.verdicts;
          case "health" -> topics.health;
          case "incidents" -> topics.incidents;
          case "audit" -> topics.audit;
          case "control" -> topics.control;
          case "dlq" -> topics.dlq;
          default -> throw new IllegalArgumentException(id);
        };
    return (Topic<SpecificRecord>) t;
  }

  /** GpuSample as an earlier producer had it: no bootId and pod, plus a field since dropped. */
  private static Schema olderGpuSampleSchema() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode schema = (ObjectNode) json.readTree(GpuSample.getClassSchema().toString());
    ArrayNode fields = (ArrayNode) schema.get("fields");
    for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = fields.iterator(); it.hasNext(); ) {
      if (Set.of("bootId", "pod").contains(it.next().get("name").asText())) {
        it.remove();
      }
    }
    fields.addObject().put("name", "legacyRack").put("type", "string");
    return new Schema.Parser().parse(schema.toString());
  }

  private static byte[] frame(int id, GenericRecord record) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, enc);
    enc.flush();
    return out.toByteArray();
  }
}
