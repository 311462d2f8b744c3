package io.gpuward.bench;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * A serialised record whose one timestamp-millis field can be rewritten without decoding it: the
 * encoded bytes and where the field's zig-zag varint sits in them. The live load keeps a tick of
 * the whole fleet (100,000 samples at 100k GPUs) for the length of the latency phase; as objects
 * (an Avro record with its strings and boxed numbers each) they took about 100 MiB of the JVM the
 * engine is measured in, as frames about a fifth of that.
 */
record TimedFrame(byte[] bytes, int at, int length) {

  /**
   * Finds the field by encoding the record twice, at {@code t} and {@code t + 1} with {@code t}
   * rounded down to a multiple of 64 (non-negative times): the two encodings then differ only in
   * that varint's first byte (the zig-zag values' lowest seven bits, 0 and 2, no carry, the same
   * length).
   */
  static TimedFrame of(LongFunction<byte[]> encodeAt, long near) {
    long t = Math.max(0, near) & ~63L;
    byte[] a = encodeAt.apply(t);
    byte[] b = encodeAt.apply(t + 1);
    int at = Arrays.mismatch(a, b);
    if (a.length != b.length || at < 0) {
      throw new IllegalArgumentException("the time field is not a varint of the encoding");
    }
    int end = at;
    while ((a[end] & 0x80) != 0) {
      end++;
    }
    if (Arrays.mismatch(a, end + 1, a.length, b, end + 1, b.length) >= 0) {
      throw new IllegalArgumentException("the encodings differ outside the time field");
    }
    return new TimedFrame(a, at, end + 1 - at);
  }

  /** The record with the field set to {@code epochMillis}. */
  byte[] at(long epochMillis) {
    long v = (epochMillis << 1) ^ (epochMillis >> 63);
    byte[] varint = new byte[10];
    int n = 0;
    while ((v & ~0x7FL) != 0) {
      varint[n++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    varint[n++] = (byte) v;
    byte[] out = new byte[bytes.length - length + n];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(varint, 0, out, at, n);
    System.arraycopy(bytes, at + length, out, at + n, bytes.length - at - length);
    return out;
  }
}
