package io.gpuward.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The reading half of {@link CompactWriter}'s formats. A value that ends early, or names a length
 * longer than what is left, is refused with a {@link SerializationException} that names the value
 * ({@code what}), its size and where it broke off; so is a value with bytes left over.
 */
final class CompactReader {
  private final byte[] buf;
  private final String what;
  private int pos;

  /** Strings read by {@link #sharedString}, by their number; null until the first. */
  private List<String> shared;

  CompactReader(byte[] buf, int offset, String what) {
    this.buf = buf;
    this.pos = offset;
    this.what = what;
  }

  private SerializationException broken(String reason) {
    return new SerializationException(
        what + " " + reason + " at byte " + pos + " of " + buf.length);
  }

  private void need(long n) {
    if (n > buf.length - pos) {
      throw broken("truncated: needs " + n + " more bytes");
    }
  }

  /** Throws unless every byte was read: a value longer than its format is not that format. */
  void end() {
    if (pos != buf.length) {
      throw broken("has " + (buf.length - pos) + " trailing bytes");
    }
  }

  int readByte() {
    need(1);
    return buf[pos++];
  }

  boolean readBoolean() {
    int b = readByte();
    if (b != 0 && b != 1) {
      throw broken("holds " + b + " for a boolean");
    }
    return b == 1;
  }

  long readUnsigned() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw broken("holds a varint longer than 10 bytes");
  }

  long readVarlong() {
    long z = readUnsigned();
    return (z >>> 1) ^ -(z & 1);
  }

  int readVarint() {
    long v = readVarlong();
    if (v != (int) v) {
      throw broken("holds " + v + " for an int");
    }
    return (int) v;
  }

  long readFixedLong() {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  /**
   * A collection's size ({@link CompactWriter#writeCount}), or -1 for null. Every element takes at
   * least one byte, so a size beyond what is left is corrupt, not a reason to allocate.
   */
  int readCount() {
    long n = readUnsigned() - 1;
    if (n < -1 || n > buf.length - pos) {
      throw broken("truncated: names " + Long.toUnsignedString(n) + " elements");
    }
    return (int) n;
  }

  Integer readNullableInt() {
    long z = readUnsigned();
    if (z == 0) {
      return null;
    }
    if (z - 1 > 0xFFFFFFFFL) {
      throw broken("holds " + z + " for an int");
    }
    int u = (int) (z - 1);
    return (u >>> 1) ^ -(u & 1);
  }

  Long readNullableLong() {
    return readBoolean() ? readVarlong() : null;
  }

  Boolean readNullableBoolean() {
    int b = readByte();
    if (b < 0 || b > 2) {
      throw broken("holds " + b + " for a nullable boolean");
    }
    return b == 0 ? null : b == 2;
  }

  String readString() {
    long n = readUnsigned() - 1;
    if (n == -1) {
      return null;
    }
    if (n < 0) {
      throw broken("truncated: names a string of " + Long.toUnsignedString(n) + " bytes");
    }
    need(n);
    String s = new String(buf, pos, (int) n, StandardCharsets.UTF_8);
    pos += (int) n;
    return s;
  }

  String sharedString() {
    long tag = readUnsigned();
    if (tag == 0) {
      return null;
    }
    if (shared == null) {
      shared = new ArrayList<>();
    }
    if (tag == 1) {
      String s = readString();
      if (s == null) {
        throw broken("holds a null shared string");
      }
      shared.add(s);
      return s;
    }
    if (tag - 2 >= shared.size()) {
      throw broken("refers to shared string " + (tag - 2) + " of " + shared.size());
    }
    return shared.get((int) (tag - 2));
  }
}
