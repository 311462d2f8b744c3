package io.gpuward.connect;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Connect schema and value to an Avro schema and generic datum: the reverse of {@link
 * AvroToConnect}. Struct → record (named after the Connect schema name, else {@code
 * ConnectRecord<n>}); optional X → {@code ["null", X]} with default null; INT8/16/32 → int; INT64 →
 * long; Timestamp → timestamp-millis; Date → date; Time → time-millis; Decimal → bytes decimal; MAP
 * with STRING keys → map, other maps → array of {@code {key, value}} records. Enums come back as
 * strings.
 */
// Avro's Schema and Connect's Schema (imported) share a simple name, and this class maps one to the
// other throughout.
@SuppressWarnings("checkstyle:inlineQualifiedName")
final class ConnectToAvro {

  private final Map<Schema, org.apache.avro.Schema> cache = new HashMap<>();
  private int anonymous;

  /** The Avro schema for {@code schema}. */
  synchronized org.apache.avro.Schema avroSchema(Schema schema) {
    org.apache.avro.Schema cached = cache.get(schema);
    if (cached == null) {
      cached = convert(schema, new HashMap<>());
      cache.put(schema, cached);
    }
    return cached;
  }

  private org.apache.avro.Schema convert(Schema s, Map<String, org.apache.avro.Schema> named) {
    org.apache.avro.Schema base = convertRequired(s, named);
    if (!s.isOptional()) {
      return base;
    }
    return org.apache.avro.Schema.createUnion(
        org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL), base);
  }

  private org.apache.avro.Schema convertRequired(
      Schema s, Map<String, org.apache.avro.Schema> named) {
    String logical = s.name();
    switch (s.type()) {
      case INT8:
      case INT16:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT);
      case INT32:
        if (Date.LOGICAL_NAME.equals(logical)) {
          return LogicalTypes.date()
              .addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT));
        }
        if (Time.LOGICAL_NAME.equals(logical)) {
          return LogicalTypes.timeMillis()
              .addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT));
        }
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.INT);
      case INT64:
        if (Timestamp.LOGICAL_NAME.equals(logical)) {
          return LogicalTypes.timestampMillis()
              .addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG));
        }
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG);
      case FLOAT32:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.FLOAT);
      case FLOAT64:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.DOUBLE);
      case BOOLEAN:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BOOLEAN);
      case STRING:
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING);
      case BYTES:
        if (Decimal.LOGICAL_NAME.equals(logical)) {
          int scale = Integer.parseInt(s.parameters().get(Decimal.SCALE_FIELD));
          String p = s.parameters().get("connect.decimal.precision");
          int precision = p == null ? 64 : Integer.parseInt(p);
          return LogicalTypes.decimal(precision, scale)
              .addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES));
        }
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES);
      case ARRAY:
        return org.apache.avro.Schema.createArray(convert(s.valueSchema(), named));
      case MAP:
        if (s.keySchema().type() == Schema.Type.STRING) {
          return org.apache.avro.Schema.createMap(convert(s.valueSchema(), named));
        }
        org.apache.avro.Schema entry =
            SchemaBuilder.record(recordName(null))
                .fields()
                .name("key")
                .type(convert(s.keySchema(), named))
                .noDefault()
                .name("value")
                .type(convert(s.valueSchema(), named))
                .noDefault()
                .endRecord();
        return org.apache.avro.Schema.createArray(entry);
      case STRUCT:
        String name = recordName(s.name());
        org.apache.avro.Schema existing = named.get(name);
        if (existing != null) {
          return existing;
        }
        List<org.apache.avro.Schema.Field> fields = new ArrayList<>();
        for (Field f : s.fields()) {
          org.apache.avro.Schema fs = convert(f.schema(), named);
          fields.add(
              new org.apache.avro.Schema.Field(
                  avroName(f.name()),
                  fs,
                  f.schema().doc(),
                  f.schema().isOptional() ? JsonProperties.NULL_VALUE : null));
        }
        org.apache.avro.Schema record =
            org.apache.avro.Schema.createRecord(name, s.doc(), null, false, fields);
        named.put(name, record);
        return record;
      default:
        throw new DataException("unsupported Connect type " + s.type());
    }
  }

  private String recordName(String connectName) {
    if (connectName == null || connectName.isBlank() || connectName.startsWith("io.debezium")) {
      return "io.gpuward.connect.ConnectRecord" + (anonymous++);
    }
    StringBuilder out = new StringBuilder();
    for (String part : connectName.split("\\.")) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(avroName(part));
    }
    return out.toString();
  }

  private static String avroName(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c == '_' || (c < 128 && Character.isLetterOrDigit(c));
      out.append(ok ? c : '_');
    }
    if (out.length() == 0 || Character.isDigit(out.charAt(0))) {
      out.insert(0, '_');
    }
    return out.toString();
  }

  /**
   * The Avro datum for a Connect value of {@code schema}, for the schema from {@link #avroSchema}.
   */
  Object value(Schema schema, org.apache.avro.Schema avro, Object v) {
    if (v == null) {
      if (schema.defaultValue() != null) {
        return value(schema, avro, schema.defaultValue());
      }
      if (!schema.isOptional()) {
        throw new DataException("null value for required " + describe(schema));
      }
      return null;
    }
    if (avro.getType() == org.apache.avro.Schema.Type.UNION) {
      avro = avro.getTypes().get(1);
    }
    switch (schema.type()) {
      case INT8:
      case INT16:
        return ((Number) v).intValue();
      case INT32:
        if (v instanceof java.util.Date d) {
          return Date.LOGICAL_NAME.equals(schema.name())
              ? Date.fromLogical(schema, d)
              : Time.fromLogical(schema, d);
        }
        return v;
      case INT64:
        return v instanceof java.util.Date d ? Timestamp.fromLogical(schema, d) : v;
      case BYTES:
        if (v instanceof BigDecimal d) {
          return ByteBuffer.wrap(d.unscaledValue().toByteArray());
        }
        return v instanceof byte[] b ? ByteBuffer.wrap(b) : v;
      case ARRAY:
        List<Object> list = new ArrayList<>();
        for (Object item : (Collection<?>) v) {
          list.add(value(schema.valueSchema(), avro.getElementType(), item));
        }
        return list;
      case MAP:
        if (avro.getType() == org.apache.avro.Schema.Type.MAP) {
          Map<String, Object> map = new LinkedHashMap<>();
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            map.put(
                e.getKey().toString(),
                value(schema.valueSchema(), avro.getValueType(), e.getValue()));
          }
          return map;
        }
        org.apache.avro.Schema entry = avro.getElementType();
        List<Object> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          GenericData.Record r = new GenericData.Record(entry);
          r.put(0, value(schema.keySchema(), entry.getFields().get(0).schema(), e.getKey()));
          r.put(1, value(schema.valueSchema(), entry.getFields().get(1).schema(), e.getValue()));
          entries.add(r);
        }
        return entries;
      case STRUCT:
        Struct s = (Struct) v;
        GenericData.Record r = new GenericData.Record(avro);
        List<Field> fields = schema.fields();
        for (int i = 0; i < fields.size(); i++) {
          Field f = fields.get(i);
          r.put(i, value(f.schema(), avro.getFields().get(i).schema(), s.get(f)));
        }
        return r;
      default:
        return v; // FLOAT32, FLOAT64, BOOLEAN, STRING
    }
  }

  private static String describe(Schema s) {
    return s.name() != null ? s.name() : s.type().getName();
  }
}
