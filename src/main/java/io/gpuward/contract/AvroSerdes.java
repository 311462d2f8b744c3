package io.gpuward.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Confluent-framed Avro serdes for generated {@link SpecificRecord} classes (see {@link
 * WireFormat}). The serializer registers (or, without auto-registration, looks up) the class's
 * schema under the topic's {@code <topic>-value} subject once per topic; the deserializer decodes
 * with the writer's schema, fetched by id, resolved against the class's schema, so data written
 * with older compatible schemas reads fine. Null bytes are null values (tombstones).
 *
 * <p>Every failure is a {@link SerializationException} with a message naming what is wrong; a
 * registry failure is kept as its cause.
 */
public final class AvroSerdes implements SerdeFactory {

  private final SchemaRegistry registry;
  private final Predicate<String> registersOnFirstUse;

  /**
   * @param registry where schemas are registered and fetched
   * @param autoRegister register the class schema on first use (producers of a topic); when false,
   *     it must already be registered under the subject
   */
  public AvroSerdes(SchemaRegistry registry, boolean autoRegister) {
    this(registry, topic -> autoRegister);
  }

  /**
   * @param registry where schemas are registered and fetched
   * @param registersOnFirstUse the topics whose subject the serializer registers on first use; for
   *     the others the schema must be registered already, and is only looked up
   */
  public AvroSerdes(SchemaRegistry registry, Predicate<String> registersOnFirstUse) {
    this.registry = registry;
    this.registersOnFirstUse = registersOnFirstUse;
    AvroTrust.trustContractClasses();
  }

  /**
   * The serdes of a role. With {@code autoRegister} off, the contract topics' subjects must be
   * registered already (their writers do it at start, {@link SchemaRegistration}), while topics
   * outside the catalog, which are Kafka Streams' changelog and repartition topics that only the
   * engine itself reads and writes, are still registered on first use: their names depend on the
   * application id and the topology, and nobody else could register them.
   */
  public static AvroSerdes forRole(
      SchemaRegistry registry, boolean autoRegister, TopicCatalog catalog) {
    if (autoRegister) {
      return new AvroSerdes(registry, true);
    }
    Set<String> contract =
        catalog.all().stream().map(TopicSpec::name).collect(Collectors.toUnmodifiableSet());
    return new AvroSerdes(registry, topic -> !contract.contains(topic));
  }

  @Override
  public <V extends SpecificRecord> Serde<V> valueSerde(Class<V> type) {
    return Serdes.serdeFrom(new AvroSerializer<>(type), new AvroDeserializer<>(type));
  }

  private final class AvroSerializer<V extends SpecificRecord> implements Serializer<V> {
    private final Schema schema;
    private final DatumWriter<V> writer;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

    AvroSerializer(Class<V> type) {
      SpecificData model = SpecificData.getForClass(type);
      this.schema = model.getSchema(type);
      this.writer = new SpecificDatumWriter<>(schema, model);
    }

    @Override
    public byte[] serialize(String topic, V data) {
      if (data == null) {
        return null;
      }
      int id = idsByTopic.computeIfAbsent(topic, this::schemaId);
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_LENGTH);
      WireFormat.writeHeader(header, id);
      out.write(header.array(), 0, WireFormat.HEADER_LENGTH);
      try {
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(data, encoder);
        encoder.flush();
      } catch (IOException | RuntimeException e) {
        throw new SerializationException(
            "Avro encode failed for " + schema.getFullName() + " on topic " + topic + ": " + e, e);
      }
      return out.toByteArray();
    }

    private int schemaId(String topic) {
      String subject = topic + "-value";
      boolean autoRegister = registersOnFirstUse.test(topic);
      try {
        if (autoRegister) {
          return registry.register(subject, schema);
        }
        return registry
            .lookup(subject, schema)
            .orElseThrow(
                () ->
                    new SerializationException(
                        "schema of "
                            + schema.getFullName()
                            + " is not registered under subject "
                            + subject
                            + " (auto-registration is off: the topic's writer registers it at"
                            + " start)"))
            .id();
      } catch (SchemaRegistryException e) {
        throw new SerializationException(
            "cannot "
                + (autoRegister ? "register" : "look up")
                + " schema of "
                + schema.getFullName()
                + " under subject "
                + subject
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }

  private final class AvroDeserializer<V extends SpecificRecord> implements Deserializer<V> {
    private final SpecificData model;
    private final Schema readerSchema;
    private final Map<Integer, DatumReader<V>> readersByWriterId = new ConcurrentHashMap<>();

    AvroDeserializer(Class<V> type) {
      this.model = new ListData(SpecificData.getForClass(type));
      this.readerSchema = model.getSchema(type);
    }

    @Override
    public V deserialize(String topic, byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      int id = WireFormat.requireSchemaId(bytes);
      DatumReader<V> reader = readersByWriterId.computeIfAbsent(id, this::readerFor);
      try {
        BinaryDecoder decoder =
            DecoderFactory.get()
                .binaryDecoder(
                    bytes, WireFormat.HEADER_LENGTH, bytes.length - WireFormat.HEADER_LENGTH, null);
        return reader.read(null, decoder);
      } catch (IOException | RuntimeException e) {
        throw new SerializationException(
            "Avro decode failed with writer schema id " + id + ": " + e, e);
      }
    }

    private DatumReader<V> readerFor(int id) {
      Schema writerSchema;
      try {
        writerSchema = registry.schemaById(id);
      } catch (SchemaRegistryException e) {
        if (e.isNotFound()) {
          throw new SerializationException(
              "unknown schema id "
                  + id
                  + " in registry ("
                  + e.httpStatus()
                  + "/"
                  + e.errorCode()
                  + ")",
              e);
        }
        throw new SerializationException(
            "cannot fetch writer schema id " + id + " from registry: " + e.getMessage(), e);
      }
      return new SpecificDatumReader<>(writerSchema, readerSchema, model);
    }
  }

  /**
   * The generated classes' model, but arrays decode as {@link ArrayList}. Avro's own array type
   * compares elements with the conversion-less {@code GenericData} model, so {@code equals} on a
   * decoded record throws on a nullable timestamp inside an array of records (e.g. {@code
   * FaultVerdict.evidence}).
   */
  private static final class ListData extends SpecificData {
    ListData(SpecificData generated) {
      super(generated.getClassLoader());
      generated.getConversions().forEach(this::addLogicalTypeConversion);
    }

    @Override
    public Object newArray(Object old, int size, Schema schema) {
      if (old instanceof ArrayList<?> list) {
        list.clear();
        return list;
      }
      return new ArrayList<>(size);
    }
  }
}
