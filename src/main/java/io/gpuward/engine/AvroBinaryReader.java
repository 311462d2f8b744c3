package io.gpuward.engine;

import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads Avro's binary encoding of primitives straight off a byte array, for the one hot record type
 * ({@link GpuSampleDeserializer}). Avro's own {@code BinaryDecoder} reads a string into a {@code
 * Utf8} and copies it into a {@code String}, with a length check on the way: at 100,000 GPUs that
 * was most of decoding a sample, which itself was a tenth of the engine's stream thread. Malformed
 * input fails as Avro's decoder fails: a varint longer than its type allows, a negative length, a
 * read past the end.
 */
final class AvroBinaryReader {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] bytes;
  private final int end;
  private int pos;

  AvroBinaryReader(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.pos = offset;
    this.end = offset + length;
  }

  boolean isEnd() {
    return pos == end;
  }

  /** A zig-zag varint of at most 5 bytes. */
  int readInt() throws IOException {
    long v = readVarint(5);
    return (int) ((v >>> 1) ^ -(v & 1));
  }

  /** A zig-zag varint of at most 10 bytes. */
  long readLong() throws IOException {
    long v = readVarint(10);
    return (v >>> 1) ^ -(v & 1);
  }

  private long readVarint(int maxBytes) throws IOException {
    long v = 0;
    for (int i = 0; i < maxBytes; i++) {
      if (pos >= end) {
        throw new EOFException("varint past the end");
      }
      int b = bytes[pos++] & 0xFF;
      v |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("invalid varint: longer than " + maxBytes + " bytes");
  }

  /** A length, then that many bytes of UTF-8. */
  String readString() throws IOException {
    int length = readInt();
    if (length < 0) {
      throw new IOException("malformed string: negative length " + length);
    }
    if (length > end - pos) {
      throw new EOFException("string of " + length + " bytes past the end");
    }
    String s = new String(bytes, pos, length, StandardCharsets.UTF_8);
    pos += length;
    return s;
  }

  /** Eight bytes, little-endian IEEE 754. */
  double readDouble() throws IOException {
    if (end - pos < 8) {
      throw new EOFException("double past the end");
    }
    long bits = (long) LONG_LE.get(bytes, pos);
    pos += 8;
    return Double.longBitsToDouble(bits);
  }

  /** One byte; 1 is true (as Avro reads it). */
  boolean readBoolean() throws IOException {
    if (pos >= end) {
      throw new EOFException("boolean past the end");
    }
    return bytes[pos++] == 1;
  }
}
