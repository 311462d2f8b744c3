package io.gpuward.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro records as plain JSON for people and tools (e.g. {@code verdicts.jsonl}): one object with
 * the Avro field names; enums as their symbols, timestamps as epoch milliseconds, nullable unions
 * as null or the bare value (never {@code {"string": ...}}), maps as objects, bytes as base64.
 */
public final class AvroJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AvroJson() {}

  /** {@code record} as one JSON object. */
  public static ObjectNode toJson(SpecificRecord record) {
    return (ObjectNode)
        value(record.getSchema(), record, SpecificData.getForClass(record.getClass()));
  }

  private static JsonNode value(Schema schema, Object v, SpecificData model) {
    if (v == null) {
      return NODES.nullNode();
    }
    switch (schema.getType()) {
      case UNION:
        return value(branch(schema, v, model), v, model);
      case RECORD:
        IndexedRecord r = (IndexedRecord) v;
        ObjectNode o = NODES.objectNode();
        for (Schema.Field f : r.getSchema().getFields()) {
          o.set(f.name(), value(f.schema(), r.get(f.pos()), model));
        }
        return o;
      case ARRAY:
        ArrayNode a = NODES.arrayNode();
        for (Object item : (Collection<?>) v) {
          a.add(value(schema.getElementType(), item, model));
        }
        return a;
      case MAP:
        ObjectNode m = NODES.objectNode();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          m.set(e.getKey().toString(), value(schema.getValueType(), e.getValue(), model));
        }
        return m;
      case ENUM:
      case STRING:
        return NODES.textNode(v instanceof Enum<?> e ? e.name() : v.toString());
      case BYTES:
        if (v instanceof BigDecimal d) {
          return NODES.numberNode(d);
        }
        ByteBuffer b = ((ByteBuffer) v).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      case FIXED:
        if (v instanceof BigDecimal d) {
          return NODES.numberNode(d);
        }
        return NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) v).bytes()));
      case INT:
      case LONG:
        return integral(schema.getLogicalType(), v);
      case FLOAT:
        return NODES.numberNode((Float) v);
      case DOUBLE:
        return NODES.numberNode((Double) v);
      case BOOLEAN:
        return NODES.booleanNode((Boolean) v);
      default:
        return NODES.nullNode();
    }
  }

  private static JsonNode integral(LogicalType logical, Object v) {
    if (v instanceof Instant t) {
      if (logical != null && logical.getName().endsWith("micros")) {
        return NODES.numberNode(ChronoUnit.MICROS.between(Instant.EPOCH, t));
      }
      return NODES.numberNode(t.toEpochMilli());
    }
    if (v instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (v instanceof Long l) {
      return NODES.numberNode(l);
    }
    return NODES.textNode(v.toString()); // other logical types (dates, times): ISO text
  }

  private static Schema branch(Schema union, Object v, SpecificData model) {
    List<Schema> types = union.getTypes();
    Schema only = null;
    for (Schema t : types) {
      if (t.getType() != Schema.Type.NULL) {
        if (only != null) {
          return types.get(model.resolveUnion(union, v));
        }
        only = t;
      }
    }
    return only;
  }
}
