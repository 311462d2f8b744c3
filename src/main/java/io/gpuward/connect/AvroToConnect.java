package io.gpuward.connect;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

/**
 * Avro writer schema and datum to Connect schema and value, for one writer schema. Built once per
 * schema id and cached by the converter; thread-safe once built.
 *
 * <p>Mapping: record → {@link Struct}; {@code ["null", X]} → optional X; other unions → a Struct
 * named {@value #UNION_NAME} with one optional field per branch (the branch's type or full name);
 * enum → STRING (the symbol); array → ARRAY; map → MAP with STRING keys; string and uuid → STRING;
 * bytes and fixed → BYTES; decimal → Connect {@link Decimal}; date → {@link Date}; time-millis and
 * time-micros → {@link Time}; timestamp-millis/micros and local-timestamp-millis/micros → {@link
 * Timestamp} (micros truncated to millis); int → INT32; long → INT64; float → FLOAT32; double →
 * FLOAT64; boolean → BOOLEAN.
 *
 * <p>With {@code nestedAsJson}, each field of the top-level record whose value is a record, array,
 * map or multi-type union becomes a STRING named {@value #JSON_NAME}, holding the value as JSON
 * (Connect's {@link JsonConverter}, schemaless: timestamps as epoch milliseconds, decimals as
 * numbers).
 */
// Avro's Schema and Connect's Schema (imported) share a simple name, and this class maps one to the
// other throughout.
@SuppressWarnings("checkstyle:inlineQualifiedName")
final class AvroToConnect {

  /** Connect schema name the Debezium JDBC sink writes to json/jsonb columns. */
  static final String JSON_NAME = "io.debezium.data.Json";

  /** Connect schema name of a multi-type union. */
  static final String UNION_NAME = "io.gpuward.connect.Union";

  private record Column(String name, org.apache.avro.Schema avro, Schema full, boolean asJson) {}

  private final org.apache.avro.Schema writer;
  private final Schema schema;
  private final List<Column> columns; // null when the top level is not a record
  private final JsonConverter json;

  AvroToConnect(org.apache.avro.Schema writer, boolean nestedAsJson, FieldNaming naming) {
    this.writer = writer;
    this.json = new JsonConverter();
    json.configure(
        Map.of(
            JsonConverterConfig.SCHEMAS_ENABLE_CONFIG,
            "false",
            JsonConverterConfig.DECIMAL_FORMAT_CONFIG,
            "NUMERIC"),
        false);
    if (writer.getType() != org.apache.avro.Schema.Type.RECORD) {
      this.columns = null;
      this.schema = connectSchema(writer, false, new HashSet<>());
      return;
    }
    List<Column> cols = new ArrayList<>();
    SchemaBuilder top = SchemaBuilder.struct().name(writer.getFullName());
    if (writer.getDoc() != null) {
      top.doc(writer.getDoc());
    }
    Set<String> seen = new HashSet<>();
    seen.add(writer.getFullName());
    for (org.apache.avro.Schema.Field f : writer.getFields()) {
      Schema full = connectSchema(f.schema(), false, seen);
      boolean asJson = nestedAsJson && isNested(full);
      String name = naming.apply(f.name());
      Schema column =
          asJson
              ? (full.isOptional()
                  ? SchemaBuilder.string().name(JSON_NAME).optional().build()
                  : SchemaBuilder.string().name(JSON_NAME).build())
              : full;
      if (top.field(name) != null) {
        throw new DataException(
            "Avro field " + f.name() + " of " + writer.getFullName() + " collides as " + name);
      }
      top.field(name, column);
      cols.add(new Column(name, f.schema(), full, asJson));
    }
    this.columns = List.copyOf(cols);
    this.schema = top.build();
  }

  /** The Connect schema of the whole value. */
  Schema schema() {
    return schema;
  }

  /** The Connect value of a datum decoded with the writer schema (generic, no conversions). */
  Object value(Object datum) {
    if (columns == null) {
      return convert(writer, schema, datum);
    }
    IndexedRecord r = (IndexedRecord) datum;
    Struct out = new Struct(schema);
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      Object v = convert(c.avro(), c.full(), r.get(i));
      if (c.asJson() && v != null) {
        v = new String(json.fromConnectData("", c.full(), v), StandardCharsets.UTF_8);
      }
      out.put(c.name(), v);
    }
    return out;
  }

  private static boolean isNested(Schema s) {
    return switch (s.type()) {
      case STRUCT, ARRAY, MAP -> true;
      default -> false;
    };
  }

  private static Schema connectSchema(
      org.apache.avro.Schema avro, boolean optional, Set<String> inProgress) {
    SchemaBuilder b;
    LogicalType logical = avro.getLogicalType();
    switch (avro.getType()) {
      case UNION -> {
        List<org.apache.avro.Schema> branches = nonNull(avro);
        boolean nullable = branches.size() < avro.getTypes().size();
        if (branches.size() == 1) {
          return connectSchema(branches.get(0), optional || nullable, inProgress);
        }
        if (branches.isEmpty()) {
          return Schema.OPTIONAL_STRING_SCHEMA;
        }
        b = SchemaBuilder.struct().name(UNION_NAME);
        for (org.apache.avro.Schema branch : branches) {
          b.field(branchName(branch), connectSchema(branch, true, inProgress));
        }
      }
      case RECORD -> {
        String name = avro.getFullName();
        if (!inProgress.add(name)) {
          throw new DataException(
              "recursive Avro record " + name + " has no Connect schema equivalent");
        }
        b = SchemaBuilder.struct().name(name);
        if (avro.getDoc() != null) {
          b.doc(avro.getDoc());
        }
        for (org.apache.avro.Schema.Field f : avro.getFields()) {
          b.field(f.name(), connectSchema(f.schema(), false, inProgress));
        }
        inProgress.remove(name);
      }
      case ENUM, STRING -> b = SchemaBuilder.string();
      case ARRAY ->
          b = SchemaBuilder.array(connectSchema(avro.getElementType(), false, inProgress));
      case MAP ->
          b =
              SchemaBuilder.map(
                  Schema.STRING_SCHEMA, connectSchema(avro.getValueType(), false, inProgress));
      case BYTES, FIXED ->
          b =
              logical instanceof LogicalTypes.Decimal d
                  ? Decimal.builder(d.getScale())
                      .parameter("connect.decimal.precision", Integer.toString(d.getPrecision()))
                  : SchemaBuilder.bytes();
      case INT -> {
        if (logical instanceof LogicalTypes.Date) {
          b = Date.builder();
        } else if (logical instanceof LogicalTypes.TimeMillis) {
          b = Time.builder();
        } else {
          b = SchemaBuilder.int32();
        }
      }
      case LONG -> {
        if (isTimestamp(logical)) {
          b = Timestamp.builder();
        } else if (logical instanceof LogicalTypes.TimeMicros) {
          b = Time.builder();
        } else {
          b = SchemaBuilder.int64();
        }
      }
      case FLOAT -> b = SchemaBuilder.float32();
      case DOUBLE -> b = SchemaBuilder.float64();
      case BOOLEAN -> b = SchemaBuilder.bool();
      case NULL -> {
        return Schema.OPTIONAL_STRING_SCHEMA;
      }
      default -> throw new DataException("unsupported Avro type " + avro.getType());
    }
    if (optional) {
      b.optional();
    }
    return b.build();
  }

  private static boolean isTimestamp(LogicalType logical) {
    return logical instanceof LogicalTypes.TimestampMillis
        || logical instanceof LogicalTypes.TimestampMicros
        || logical instanceof LogicalTypes.LocalTimestampMillis
        || logical instanceof LogicalTypes.LocalTimestampMicros;
  }

  private static boolean isMicros(LogicalType logical) {
    return logical instanceof LogicalTypes.TimestampMicros
        || logical instanceof LogicalTypes.LocalTimestampMicros
        || logical instanceof LogicalTypes.TimeMicros;
  }

  private static List<org.apache.avro.Schema> nonNull(org.apache.avro.Schema union) {
    return union.getTypes().stream()
        .filter(t -> t.getType() != org.apache.avro.Schema.Type.NULL)
        .toList();
  }

  private static String branchName(org.apache.avro.Schema branch) {
    return switch (branch.getType()) {
      case RECORD, ENUM, FIXED -> branch.getFullName();
      default -> branch.getType().getName();
    };
  }

  private static Object convert(org.apache.avro.Schema avro, Schema cs, Object v) {
    if (v == null) {
      return null;
    }
    LogicalType logical = avro.getLogicalType();
    switch (avro.getType()) {
      case UNION:
        if (UNION_NAME.equals(cs.name()) && cs.type() == Schema.Type.STRUCT) {
          org.apache.avro.Schema branch =
              avro.getTypes().get(GenericData.get().resolveUnion(avro, v));
          if (branch.getType() == org.apache.avro.Schema.Type.NULL) {
            return null;
          }
          Struct u = new Struct(cs);
          Field f = cs.field(branchName(branch));
          u.put(f, convert(branch, f.schema(), v));
          return u;
        }
        List<org.apache.avro.Schema> branches = nonNull(avro);
        return branches.isEmpty() ? null : convert(branches.get(0), cs, v);
      case RECORD:
        IndexedRecord r = (IndexedRecord) v;
        Struct s = new Struct(cs);
        List<org.apache.avro.Schema.Field> fields = avro.getFields();
        for (int i = 0; i < fields.size(); i++) {
          Field f = cs.fields().get(i);
          s.put(f, convert(fields.get(i).schema(), f.schema(), r.get(i)));
        }
        return s;
      case ENUM:
      case STRING:
        return v.toString();
      case ARRAY:
        List<Object> list = new ArrayList<>();
        for (Object item : (Collection<?>) v) {
          list.add(convert(avro.getElementType(), cs.valueSchema(), item));
        }
        return list;
      case MAP:
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          map.put(
              e.getKey().toString(), convert(avro.getValueType(), cs.valueSchema(), e.getValue()));
        }
        return map;
      case BYTES:
      case FIXED:
        byte[] bytes;
        if (v instanceof ByteBuffer buf) {
          ByteBuffer d = buf.duplicate();
          bytes = new byte[d.remaining()];
          d.get(bytes);
        } else {
          bytes = ((GenericFixed) v).bytes();
        }
        if (logical instanceof LogicalTypes.Decimal dec) {
          return new BigDecimal(new BigInteger(bytes), dec.getScale());
        }
        return bytes;
      case INT:
        int i = (Integer) v;
        if (logical instanceof LogicalTypes.Date) {
          return new java.util.Date(i * 86_400_000L);
        }
        if (logical instanceof LogicalTypes.TimeMillis) {
          return new java.util.Date(i);
        }
        return i;
      case LONG:
        long l = (Long) v;
        if (isTimestamp(logical) || logical instanceof LogicalTypes.TimeMicros) {
          return new java.util.Date(isMicros(logical) ? Math.floorDiv(l, 1000L) : l);
        }
        return l;
      default:
        return v; // FLOAT, DOUBLE, BOOLEAN
    }
  }
}
