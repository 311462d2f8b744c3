package io.gpuward.engine;

import io.gpuward.engine.domain.GpuWindow;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Compact binary serde of the per-node GPU window aggregate ({@value EngineNames#GPU_WINDOW_STORE},
 * its changelog and the suppression buffer). The aggregate is read and rewritten for every GPU
 * sample, the hottest path of the engine, so it is not JSON.
 *
 * <p>Format 5: format 4 with byte {@code 0x05}, each GPU followed by its pods: a varint count (0 =
 * attribution unknown), then each {@code namespace/name} (UTF).
 *
 * <p>Format 4: byte {@code 0x04}, a varint GPU count, then per GPU in key order: UUID (UTF), varint
 * index, pciBusId (boolean + UTF), varint samples, varint hot, double maxTempC, varlong
 * lastSampleTs, the six counters' (last, lastTs, delta, max) as zig-zag varlongs with lastTs
 * written as {@code lastSampleTs - lastTs + 1} (0 = none; a reading carried in from before the
 * window is older than every sample, so this stays positive), varlong retiredPending,
 * rowRemapFailure, rowRemapPending, varint reported (the fields the GPU reported), varint slowdown,
 * varlong reasonsSeen. Counters are small numbers, so this is about half of format 1, which is
 * fixed-width {@link DataOutputStream} encodings (byte {@code 0x01}).
 *
 * <p>Formats 1 to 3 hold five counters (no thermal violation) and no clock event reasons; read,
 * those are absent. Format 3 is format 4 without them, its {@code reported} bits for row remap and
 * pending retirement one lower (they follow the counters). Format 2 is format 3 without {@code
 * reported}: reading 1 and 2 infers it ({@link GpuWindow.Gpu#inferReported}), as for JSON, which
 * starts with <code>'{'</code>. It is written once per changed window per commit.
 */
public final class GpuWindowSerde implements Serde<GpuWindow> {
  static final byte VERSION = 0x05;

  static final byte VERSION_4 = 0x04;

  static final byte VERSION_3 = 0x03;

  static final byte VERSION_2 = 0x02;

  static final byte VERSION_1 = 0x01;

  private final Deserializer<GpuWindow> json = new JsonSerde<>(GpuWindow.class).deserializer();

  @Override
  public Serializer<GpuWindow> serializer() {
    return (topic, w) -> w == null ? null : write(w);
  }

  @Override
  public Deserializer<GpuWindow> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length > 0 && bytes[0] == '{') {
        return inferReported(json.deserialize(topic, bytes));
      }
      if (bytes.length == 0 || bytes[0] < VERSION_1 || bytes[0] > VERSION) {
        throw new SerializationException(
            "unknown GPU window format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
      }
      try {
        if (bytes[0] >= VERSION_3) {
          return read(bytes, bytes[0]);
        }
        return inferReported(bytes[0] == VERSION_2 ? read(bytes, VERSION_2) : readVersion1(bytes));
      } catch (IOException | IllegalArgumentException e) {
        throw new SerializationException("truncated GPU window (" + bytes.length + " bytes)", e);
      }
    };
  }

  static byte[] write(GpuWindow w) {
    return write(w, VERSION);
  }

  /**
   * {@code w} in {@code format}: the current one, or format 3 to check that what older versions
   * wrote is still read.
   */
  static byte[] write(GpuWindow w, byte format) {
    int counters = counters(format);
    ByteSink buf = new ByteSink(8 + w.gpus.size() * 112);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(format);
      ByteUtils.writeVarint(w.gpus.size(), out);
      for (Map.Entry<String, GpuWindow.Gpu> e : w.gpus.entrySet()) {
        GpuWindow.Gpu g = e.getValue();
        out.writeUTF(e.getKey());
        ByteUtils.writeVarint(g.index, out);
        out.writeBoolean(g.pciBusId != null);
        if (g.pciBusId != null) {
          out.writeUTF(g.pciBusId);
        }
        ByteUtils.writeVarint(g.samples, out);
        ByteUtils.writeVarint(g.hot, out);
        out.writeDouble(g.maxTempC);
        ByteUtils.writeVarlong(g.lastSampleTs, out);
        for (int i = 0; i < counters * GpuWindow.FIELDS; i++) {
          long v = g.counters[i];
          if (i % GpuWindow.FIELDS == GpuWindow.LAST_TS) {
            v = v == Long.MIN_VALUE ? 0 : g.lastSampleTs - v + 1;
          }
          ByteUtils.writeVarlong(v, out);
        }
        ByteUtils.writeVarlong(g.retiredPending, out);
        out.writeBoolean(g.rowRemapFailure);
        out.writeBoolean(g.rowRemapPending);
        if (format >= VERSION_4) {
          ByteUtils.writeVarint(g.reported, out);
          ByteUtils.writeVarint(g.slowdown, out);
          ByteUtils.writeVarlong(g.reasonsSeen, out);
          if (format == VERSION) {
            writePods(g, out);
          }
        } else {
          ByteUtils.writeVarint(toFormat3(g.reported), out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static void writePods(GpuWindow.Gpu g, DataOutputStream out) throws IOException {
    List<String> pods = g.podList();
    ByteUtils.writeVarint(pods.size(), out);
    for (String p : pods) {
      out.writeUTF(p);
    }
  }

  private static void readPods(GpuWindow.Gpu g, DataInputStream in) throws IOException {
    int n = ByteUtils.readVarint(in);
    for (int i = 0; i < n; i++) {
      g.addPod(in.readUTF());
    }
  }

  private static GpuWindow inferReported(GpuWindow w) {
    for (GpuWindow.Gpu g : w.gpus.values()) {
      if (g.counters.length < GpuWindow.COUNTERS * GpuWindow.FIELDS) {
        // JSON written before the thermal violation counter: it reads as never reported.
        long[] all = new GpuWindow.Gpu().counters;
        System.arraycopy(g.counters, 0, all, 0, g.counters.length);
        g.counters = all;
      }
      g.inferReported();
    }
    return w;
  }

  private static int counters(byte format) {
    return format >= VERSION_4 ? GpuWindow.COUNTERS : GpuWindow.COUNTERS_BEFORE_THERMAL;
  }

  /** The {@code reported} bits of format 3: the fields after the counters one lower. */
  private static int toFormat3(int reported) {
    int counters = (1 << GpuWindow.COUNTERS_BEFORE_THERMAL) - 1;
    return (reported & counters)
        | ((reported >> GpuWindow.ROW_REMAP & 1) << GpuWindow.COUNTERS_BEFORE_THERMAL)
        | ((reported >> GpuWindow.RETIRED_PENDING & 1) << GpuWindow.COUNTERS_BEFORE_THERMAL + 1);
  }

  private static int fromFormat3(int reported) {
    int counters = (1 << GpuWindow.COUNTERS_BEFORE_THERMAL) - 1;
    int old = GpuWindow.COUNTERS_BEFORE_THERMAL;
    return (reported & counters)
        | ((reported >> old & 1) << GpuWindow.ROW_REMAP)
        | ((reported >> old + 1 & 1) << GpuWindow.RETIRED_PENDING);
  }

  /** Formats 5, 4, 3 and (without {@code reported}) 2. */
  static GpuWindow read(byte[] bytes, byte format) throws IOException {
    int counters = counters(format);
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1));
    GpuWindow w = new GpuWindow();
    int n = ByteUtils.readVarint(in);
    for (int i = 0; i < n; i++) {
      String uuid = in.readUTF();
      GpuWindow.Gpu g = new GpuWindow.Gpu();
      g.index = ByteUtils.readVarint(in);
      g.pciBusId = in.readBoolean() ? in.readUTF().intern() : null;
      g.samples = ByteUtils.readVarint(in);
      g.hot = ByteUtils.readVarint(in);
      g.maxTempC = in.readDouble();
      g.lastSampleTs = ByteUtils.readVarlong(in);
      for (int c = 0; c < counters * GpuWindow.FIELDS; c++) {
        long v = ByteUtils.readVarlong(in);
        if (c % GpuWindow.FIELDS == GpuWindow.LAST_TS) {
          v = v == 0 ? Long.MIN_VALUE : g.lastSampleTs - v + 1;
        }
        g.counters[c] = v;
      }
      g.retiredPending = ByteUtils.readVarlong(in);
      g.rowRemapFailure = in.readBoolean();
      g.rowRemapPending = in.readBoolean();
      if (format >= VERSION_4) {
        g.reported = ByteUtils.readVarint(in);
        g.slowdown = ByteUtils.readVarint(in);
        g.reasonsSeen = ByteUtils.readVarlong(in);
        if (format == VERSION) {
          readPods(g, in);
        }
      } else if (format == VERSION_3) {
        g.reported = fromFormat3(ByteUtils.readVarint(in));
      }
      w.gpus.put(uuid, g);
    }
    if (in.available() > 0) {
      throw new IOException("trailing bytes after a GPU window");
    }
    return w;
  }

  static GpuWindow readVersion1(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1));
    GpuWindow w = new GpuWindow();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String uuid = in.readUTF();
      GpuWindow.Gpu g = new GpuWindow.Gpu();
      g.index = in.readInt();
      g.pciBusId = in.readBoolean() ? in.readUTF() : null;
      g.samples = in.readInt();
      g.hot = in.readInt();
      g.maxTempC = in.readDouble();
      for (int c = 0; c < GpuWindow.COUNTERS_BEFORE_THERMAL * GpuWindow.FIELDS; c++) {
        g.counters[c] = in.readLong();
      }
      g.retiredPending = in.readLong();
      g.rowRemapFailure = in.readBoolean();
      g.rowRemapPending = in.readBoolean();
      g.lastSampleTs = in.readLong();
      w.gpus.put(uuid, g);
    }
    return w;
  }
}
