package io.gpuward.connect;

import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.SchemaRegistry;
import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.contract.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

/**
 * Kafka Connect converter for gpuward's Confluent-framed Avro (magic byte 0, 4-byte schema id, Avro
 * binary), against any Confluent-compatible schema registry. Writer schemas are fetched by id once
 * and cached, as are their Connect schemas. The type mapping is {@link AvroToConnect}'s; settings
 * are {@link GpuwardAvroConverterConfig}'s.
 *
 * <p>Bytes that are not a frame, an unknown schema id and undecodable Avro raise a {@link
 * DataException} naming the topic and what is wrong, so Connect's {@code errors.tolerance} and
 * dead-letter queue handle the record.
 */
public final class GpuwardAvroConverter implements Converter, Versioned {

  private SchemaRegistry registry;
  private GpuwardAvroConverterConfig config;
  private boolean isKey;
  private final Map<Integer, Reader> readers = new ConcurrentHashMap<>();
  private final ConnectToAvro toAvro = new ConnectToAvro();

  private record Reader(GenericDatumReader<Object> reader, AvroToConnect mapping) {}

  /** For Connect: configured through {@link #configure}. */
  public GpuwardAvroConverter() {}

  /** For tests and embedding: uses {@code registry} instead of one built from the URL. */
  GpuwardAvroConverter(SchemaRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.config = new GpuwardAvroConverterConfig(configs);
    this.isKey = isKey;
    if (registry == null) {
      registry =
          new RegistryClient(
              config.schemaRegistryUrl(),
              RegistryClient.DEFAULT_CONNECT_TIMEOUT,
              Duration.ofMillis(config.requestTimeoutMs()));
    }
    readers.clear();
  }

  @Override
  public ConfigDef config() {
    return GpuwardAvroConverterConfig.DEF;
  }

  @Override
  public String version() {
    String v = GpuwardAvroConverter.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public SchemaAndValue toConnectData(String topic, byte[] bytes) {
    if (bytes == null) {
      return SchemaAndValue.NULL;
    }
    int id;
    try {
      id = WireFormat.requireSchemaId(bytes);
    } catch (SerializationException e) {
      throw new DataException(where(topic) + e.getMessage(), e);
    }
    Reader reader = readers.computeIfAbsent(id, i -> reader(topic, i));
    Object datum;
    try {
      BinaryDecoder in =
          DecoderFactory.get()
              .binaryDecoder(
                  bytes, WireFormat.HEADER_LENGTH, bytes.length - WireFormat.HEADER_LENGTH, null);
      datum = reader.reader().read(null, in);
    } catch (IOException | RuntimeException e) {
      throw new DataException(where(topic) + "undecodable Avro for schema id " + id + ": " + e, e);
    }
    return new SchemaAndValue(reader.mapping().schema(), reader.mapping().value(datum));
  }

  private Reader reader(String topic, int id) {
    try {
      // Only the registry throws SchemaRegistryException; the mapping's own errors pass through.
      var writer = registry.schemaById(id);
      var mapping = new AvroToConnect(writer, config.nestedAsJson(), config.fieldNaming());
      return new Reader(new GenericDatumReader<>(writer, writer, new GenericData()), mapping);
    } catch (SchemaRegistryException e) {
      throw new DataException(
          where(topic) + "cannot get writer schema id " + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] fromConnectData(String topic, Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    if (schema == null) {
      throw new DataException(where(topic) + "a value without a Connect schema cannot be Avro");
    }
    var avro = toAvro.avroSchema(schema);
    String subject = topic + (isKey ? "-key" : "-value");
    int id;
    try {
      id =
          config.autoRegister()
              ? registry.register(subject, avro)
              : registry
                  .lookup(subject, avro)
                  .orElseThrow(
                      () ->
                          new DataException(
                              where(topic)
                                  + "schema not registered under "
                                  + subject
                                  + " and "
                                  + GpuwardAvroConverterConfig.AUTO_REGISTER
                                  + "=false"))
                  .id();
    } catch (SchemaRegistryException e) {
      throw new DataException(where(topic) + e.getMessage(), e);
    }
    Object datum = toAvro.value(schema, avro, value);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      out.write(
          ByteBuffer.allocate(WireFormat.HEADER_LENGTH).put(WireFormat.MAGIC).putInt(id).array());
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<Object>(avro, new GenericData()).write(datum, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new DataException(where(topic) + "cannot write Avro: " + e, e);
    }
  }

  private static String where(String topic) {
    return "gpuward Avro converter, topic " + topic + ": ";
  }
}
