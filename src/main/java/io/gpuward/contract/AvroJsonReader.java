package io.gpuward.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The inverse of {@link AvroJson}: a plain JSON object (Avro field names, enums as symbols,
 * timestamps as epoch milliseconds, nullable unions as null or the bare value) back into its Avro
 * record, so that files a run wrote can be read as the records it saw.
 */
public final class AvroJsonReader {
  private AvroJsonReader() {}

  /**
   * {@code json} as a {@code type}; fails with {@link IllegalArgumentException} naming the field
   * that does not fit the schema.
   */
  public static <T extends SpecificRecord> T read(JsonNode json, Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    return type.cast(value(schema, json, model, schema.getName()));
  }

  private static Object value(Schema schema, JsonNode j, SpecificData model, String path) {
    if (j == null || j.isNull()) {
      if (schema.getType() == Schema.Type.NULL || schema.getType() == Schema.Type.UNION) {
        return null;
      }
      if (schema.getType() == Schema.Type.RECORD) {
        throw new IllegalArgumentException(path + ": missing");
      }
      return null;
    }
    return switch (schema.getType()) {
      case UNION -> union(schema, j, model, path);
      case RECORD -> record(schema, j, model, path);
      case ARRAY -> array(schema, j, model, path);
      case MAP -> map(schema, j, model, path);
      case ENUM -> model.createEnum(j.asText(), schema);
      case STRING -> j.asText();
      case BYTES ->
          j.isNumber() ? j.decimalValue() : ByteBuffer.wrap(Base64.getDecoder().decode(j.asText()));
      case INT -> j.asInt();
      case LONG -> integral(schema.getLogicalType(), j);
      case FLOAT -> (float) j.asDouble();
      case DOUBLE -> j.asDouble();
      case BOOLEAN -> j.asBoolean();
      default -> throw new IllegalArgumentException(path + ": unsupported " + schema.getType());
    };
  }

  private static Object integral(LogicalType logical, JsonNode j) {
    if (logical != null && logical.getName().startsWith("timestamp")) {
      return logical.getName().endsWith("micros")
          ? Instant.EPOCH.plus(j.asLong(), ChronoUnit.MICROS)
          : Instant.ofEpochMilli(j.asLong());
    }
    return j.asLong();
  }

  private static Object union(Schema union, JsonNode j, SpecificData model, String path) {
    IllegalArgumentException last = null;
    for (Schema t : union.getTypes()) {
      if (t.getType() == Schema.Type.NULL || !fits(t, j)) {
        continue;
      }
      try {
        return value(t, j, model, path);
      } catch (IllegalArgumentException e) {
        last = e;
      }
    }
    throw last != null ? last : new IllegalArgumentException(path + ": no union branch fits " + j);
  }

  private static boolean fits(Schema t, JsonNode j) {
    return switch (t.getType()) {
      case RECORD, MAP -> j.isObject();
      case ARRAY -> j.isArray();
      case STRING, ENUM -> j.isTextual();
      case INT, LONG, FLOAT, DOUBLE -> j.isNumber();
      case BOOLEAN -> j.isBoolean();
      default -> true;
    };
  }

  private static Object record(Schema schema, JsonNode j, SpecificData model, String path) {
    if (!j.isObject()) {
      throw new IllegalArgumentException(path + ": not an object");
    }
    SpecificRecord r = (SpecificRecord) model.newRecord(null, schema);
    for (Schema.Field f : schema.getFields()) {
      JsonNode fj = j.get(f.name());
      Object v;
      if (fj == null && f.hasDefaultValue()) {
        v = model.deepCopy(f.schema(), model.getDefaultValue(f));
      } else {
        v = value(f.schema(), fj, model, path + "." + f.name());
        if (v == null && !nullable(f.schema())) {
          throw new IllegalArgumentException(path + "." + f.name() + ": missing");
        }
      }
      r.put(f.pos(), v);
    }
    return r;
  }

  private static boolean nullable(Schema s) {
    return s.getType() == Schema.Type.NULL
        || (s.getType() == Schema.Type.UNION
            && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL));
  }

  private static List<Object> array(Schema schema, JsonNode j, SpecificData model, String path) {
    List<Object> out = new ArrayList<>();
    int i = 0;
    for (JsonNode item : j) {
      out.add(value(schema.getElementType(), item, model, path + "[" + i++ + "]"));
    }
    return out;
  }

  private static Map<String, Object> map(
      Schema schema, JsonNode j, SpecificData model, String path) {
    Map<String, Object> out = new HashMap<>();
    j.fields()
        .forEachRemaining(
            e ->
                out.put(
                    e.getKey(),
                    value(schema.getValueType(), e.getValue(), model, path + "." + e.getKey())));
    return out;
  }
}
