package io.gpuward.engine;

import io.gpuward.engine.domain.CounterCarry;
import io.gpuward.engine.domain.GpuWindow;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Compact binary serde of a node's carried counter readings ({@value
 * EngineNames#COUNTER_CARRY_STORE}): written for every node at every window close and held in
 * memory, so not JSON.
 *
 * <p>Format 2: byte {@code 0x02}, varlong newest reading time, varint GPU count, then per GPU in
 * key order: UUID (UTF) and per counter ({@link GpuWindow#COUNTERS}) a zig-zag varlong value and a
 * zig-zag varlong age ({@code newest - time + 1}, 0 = no reading). Format 1 is the same with the
 * five counters before the thermal violation time, which reads as no reading.
 */
final class CounterCarrySerde implements Serde<CounterCarry> {
  static final byte VERSION = 0x02;

  static final byte VERSION_1 = 0x01;

  @Override
  public Serializer<CounterCarry> serializer() {
    return (topic, c) -> c == null ? null : write(c);
  }

  @Override
  public Deserializer<CounterCarry> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length == 0 || (bytes[0] != VERSION && bytes[0] != VERSION_1)) {
        throw new SerializationException(
            "unknown counter carry format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
      }
      try {
        return read(bytes);
      } catch (IOException | IllegalArgumentException e) {
        // A varint read past the end is an IllegalArgumentException, not an EOFException.
        throw new SerializationException("truncated counter carry (" + bytes.length + " bytes)", e);
      }
    };
  }

  private static long newest(CounterCarry c) {
    long newest = Long.MIN_VALUE;
    for (long[] r : c.gpus.values()) {
      for (int i = 1; i < r.length; i += 2) {
        newest = Math.max(newest, r[i]);
      }
    }
    return newest;
  }

  static byte[] write(CounterCarry c) {
    return write(c, VERSION);
  }

  /** {@code c} in {@code format}: the current one, or 1 to check that it is still read. */
  static byte[] write(CounterCarry c, byte format) {
    int counters = counters(format);
    ByteSink buf = new ByteSink(16 + c.gpus.size() * 64);
    long newest = newest(c);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(format);
      ByteUtils.writeVarlong(newest, out);
      ByteUtils.writeVarint(c.gpus.size(), out);
      for (Map.Entry<String, long[]> e : c.gpus.entrySet()) {
        out.writeUTF(e.getKey());
        long[] r = e.getValue();
        for (int i = 0; i < 2 * counters; i += 2) {
          boolean none = r[i + 1] == Long.MIN_VALUE;
          ByteUtils.writeVarlong(none ? -1 : r[i], out);
          ByteUtils.writeVarlong(none ? 0 : newest - r[i + 1] + 1, out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static int counters(byte format) {
    return format == VERSION ? GpuWindow.COUNTERS : GpuWindow.COUNTERS_BEFORE_THERMAL;
  }

  static CounterCarry read(byte[] bytes) throws IOException {
    int counters = counters(bytes[0]);
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1));
    CounterCarry c = new CounterCarry();
    long newest = ByteUtils.readVarlong(in);
    int n = ByteUtils.readVarint(in);
    for (int g = 0; g < n; g++) {
      String uuid = in.readUTF();
      long[] r = CounterCarry.none();
      for (int i = 0; i < 2 * counters; i += 2) {
        r[i] = ByteUtils.readVarlong(in);
        long age = ByteUtils.readVarlong(in);
        r[i + 1] = age == 0 ? Long.MIN_VALUE : newest - age + 1;
      }
      c.gpus.put(uuid, r);
    }
    if (in.available() > 0) {
      throw new IOException("trailing bytes after a counter carry");
    }
    return c;
  }
}
