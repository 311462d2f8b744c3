package io.gpuward.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The writing half of the engine's small hand-written binary formats ({@link NodeStateSerde},
 * {@link PresenceSerde}): a growable byte array, unsigned and zig-zag varints, and strings and
 * collections whose length is written plus one, so that 0 stands for null at no extra cost. Not a
 * {@link java.io.DataOutputStream}: these values are written for every node on every event, and the
 * stream's per-byte virtual calls showed up next to the work itself.
 */
final class CompactWriter {
  private byte[] buf;
  private int size;

  /** Strings already written by {@link #sharedString}, by their number; null until the first. */
  private Map<String, Integer> shared;

  CompactWriter(int capacity) {
    buf = new byte[capacity];
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  void writeByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  void writeBoolean(boolean b) {
    writeByte(b ? 1 : 0);
  }

  /** {@code v} as an unsigned varint: 7 bits a byte, low bits first. */
  void writeUnsigned(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  /** {@code v} zig-zag encoded, so that small negative numbers are short too. */
  void writeVarlong(long v) {
    writeUnsigned((v << 1) ^ (v >> 63));
  }

  void writeVarint(int v) {
    writeVarlong(v);
  }

  /** Eight bytes, big-endian: for hashes, which a varint would make longer. */
  void writeFixedLong(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[size++] = (byte) (v >>> shift);
    }
  }

  /** A collection's size plus one, or 0 for a null collection. */
  void writeCount(Object collection, int count) {
    writeUnsigned(collection == null ? 0 : count + 1L);
  }

  /** 0 for null, otherwise the zig-zag value plus one (an int's zig-zag form cannot overflow). */
  void writeNullableInt(Integer v) {
    writeUnsigned(v == null ? 0 : (((v << 1) ^ (v >> 31)) & 0xFFFFFFFFL) + 1);
  }

  /** A presence byte, then the value; a long's zig-zag form plus one can overflow. */
  void writeNullableLong(Long v) {
    writeBoolean(v != null);
    if (v != null) {
      writeVarlong(v);
    }
  }

  /** 0 for null, 1 for false, 2 for true. */
  void writeNullableBoolean(Boolean v) {
    writeByte(v == null ? 0 : v ? 2 : 1);
  }

  /** The UTF-8 length plus one (0 for null), then the UTF-8 bytes. */
  void writeString(String s) {
    if (s == null) {
      writeUnsigned(0);
      return;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    writeUnsigned(utf8.length + 1L);
    ensure(utf8.length);
    System.arraycopy(utf8, 0, buf, size, utf8.length);
    size += utf8.length;
  }

  /**
   * A string that the value probably holds more than once (a GPU's UUID keys several maps): 0 for
   * null, 1 and the string ({@link #writeString}) the first time, {@code n + 2} for the n-th string
   * written this way after that.
   */
  void sharedString(String s) {
    if (s == null) {
      writeUnsigned(0);
      return;
    }
    if (shared == null) {
      shared = new HashMap<>();
    }
    Integer n = shared.get(s);
    if (n != null) {
      writeUnsigned(n + 2L);
      return;
    }
    shared.put(s, shared.size());
    writeUnsigned(1);
    writeString(s);
  }
}
