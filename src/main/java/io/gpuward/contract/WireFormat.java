package io.gpuward.contract;

import java.nio.ByteBuffer;
import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: magic byte {@code 0x00}, the 4-byte big-endian schema id, then the
 * Avro binary encoding of the value.
 */
public final class WireFormat {

  /** The first byte of every framed value. */
  public static final byte MAGIC = 0x00;

  /** Bytes before the Avro payload: magic byte and schema id. */
  public static final int HEADER_LENGTH = 5;

  private WireFormat() {}

  /** The schema id of a framed value, or empty when {@code bytes} is not a Confluent frame. */
  public static OptionalInt schemaIdOf(byte[] bytes) {
    if (bytes == null || bytes.length < HEADER_LENGTH || bytes[0] != MAGIC) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(ByteBuffer.wrap(bytes, 1, 4).getInt());
  }

  /**
   * The schema id of a framed value.
   *
   * @throws SerializationException naming what is wrong when {@code bytes} is not a frame
   */
  public static int requireSchemaId(byte[] bytes) {
    if (bytes.length > 0 && bytes[0] != MAGIC) {
      throw new SerializationException(
          String.format(
              "not Confluent-framed: first byte 0x%02x (expected 0x00)", bytes[0] & 0xff));
    }
    if (bytes.length < HEADER_LENGTH) {
      throw new SerializationException(
          "too short for a Confluent frame (" + bytes.length + " bytes)");
    }
    return ByteBuffer.wrap(bytes, 1, 4).getInt();
  }

  /** Writes the 5-byte header for {@code schemaId} into {@code out}. */
  static void writeHeader(ByteBuffer out, int schemaId) {
    out.put(MAGIC).putInt(schemaId);
  }
}
