package io.gpuward.engine;

import io.gpuward.avro.GpuSample;
import io.gpuward.contract.WireFormat;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A specialised decoder for the hottest input, GPU samples: still the Confluent wire format, but
 * when the record's schema id is the id of exactly {@link GpuSample}'s own schema (found once per
 * topic by encoding a probe sample with the topic's serializer, i.e. the registry's id for that
 * schema), the fields are read straight off the bytes ({@link AvroBinaryReader}) in schema order,
 * with no schema resolution. Any other schema id (an older or newer writer) goes through the
 * general deserializer, which resolves the writer schema from the registry. The field layout is
 * derived from the schema at class load; a field type it does not know fails at once.
 */
final class GpuSampleDeserializer implements Deserializer<GpuSample> {

  private enum Kind {
    STRING,
    INT,
    TIMESTAMP,
    OPT_STRING,
    OPT_INT,
    OPT_LONG,
    OPT_DOUBLE,
    OPT_BOOLEAN
  }

  private static final Kind[] LAYOUT = layout(GpuSample.getClassSchema());

  private final Deserializer<GpuSample> general;
  private final Serializer<GpuSample> serializer;
  private final ConcurrentHashMap<String, Integer> fastIdByTopic = new ConcurrentHashMap<>();

  GpuSampleDeserializer(Serde<GpuSample> serde) {
    this.general = serde.deserializer();
    this.serializer = serde.serializer();
  }

  @Override
  public GpuSample deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    int id = WireFormat.requireSchemaId(bytes);
    if (id != fastIdByTopic.computeIfAbsent(topic, this::ownSchemaId)) {
      return general.deserialize(topic, bytes);
    }
    try {
      AvroBinaryReader in =
          new AvroBinaryReader(
              bytes, WireFormat.HEADER_LENGTH, bytes.length - WireFormat.HEADER_LENGTH);
      GpuSample s = read(in);
      if (!in.isEnd()) {
        throw new IOException("trailing bytes after a GpuSample");
      }
      return s;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Avro decode failed with schema id " + id + ": " + e, e);
    }
  }

  static GpuSample read(AvroBinaryReader in) throws IOException {
    GpuSample s = new GpuSample();
    for (int i = 0; i < LAYOUT.length; i++) {
      Object v =
          switch (LAYOUT[i]) {
            case STRING -> in.readString();
            case INT -> in.readInt();
            case TIMESTAMP -> Instant.ofEpochMilli(in.readLong());
            case OPT_STRING -> present(in) ? in.readString() : null;
            case OPT_INT -> present(in) ? in.readInt() : null;
            case OPT_LONG -> present(in) ? in.readLong() : null;
            case OPT_DOUBLE -> present(in) ? in.readDouble() : null;
            case OPT_BOOLEAN -> present(in) ? in.readBoolean() : null;
          };
      s.put(i, v);
    }
    return s;
  }

  private static boolean present(AvroBinaryReader in) throws IOException {
    int branch = in.readInt();
    if (branch < 0 || branch > 1) {
      throw new IOException("union branch " + branch + " of a [null, T] field");
    }
    return branch == 1;
  }

  /** The registry id of exactly GpuSample's schema for {@code topic}, or -1 if it has none. */
  private int ownSchemaId(String topic) {
    try {
      byte[] probe = serializer.serialize(topic, PROBE.get());
      return WireFormat.requireSchemaId(probe);
    } catch (RuntimeException e) {
      return -1; // not registered as is: every record takes the general path
    }
  }

  private static final Supplier<GpuSample> PROBE =
      () ->
          GpuSample.newBuilder()
              .setNode("probe")
              .setUuid("probe")
              .setGpuIndex(0)
              .setEventTime(Instant.EPOCH)
              .build();

  static Kind[] layout(Schema schema) {
    List<Schema.Field> fields = schema.getFields();
    Kind[] out = new Kind[fields.size()];
    for (Schema.Field f : fields) {
      out[f.pos()] = kind(f);
    }
    return out;
  }

  private static Kind kind(Schema.Field f) {
    Schema s = f.schema();
    if (s.getType() == Schema.Type.UNION) {
      List<Schema> types = s.getTypes();
      if (types.size() != 2 || types.get(0).getType() != Schema.Type.NULL) {
        throw unsupported(f);
      }
      return switch (types.get(1).getType()) {
        case STRING -> Kind.OPT_STRING;
        case INT -> Kind.OPT_INT;
        case LONG -> {
          if (types.get(1).getLogicalType() != null) {
            throw unsupported(f);
          }
          yield Kind.OPT_LONG;
        }
        case DOUBLE -> Kind.OPT_DOUBLE;
        case BOOLEAN -> Kind.OPT_BOOLEAN;
        default -> throw unsupported(f);
      };
    }
    return switch (s.getType()) {
      case STRING -> Kind.STRING;
      case INT -> Kind.INT;
      case LONG -> {
        if (s.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
          yield Kind.TIMESTAMP;
        }
        throw unsupported(f);
      }
      default -> throw unsupported(f);
    };
  }

  private static IllegalStateException unsupported(Schema.Field f) {
    return new IllegalStateException(
        "GpuSampleDeserializer does not decode field " + f.name() + " of type " + f.schema());
  }
}
