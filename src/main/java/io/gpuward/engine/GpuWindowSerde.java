package io.gpuward.engine;

import io.gpuward.engine.domain.GpuWindow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary serde of the per-node GPU window aggregate ({@value EngineNames#GPU_WINDOW_STORE},
 * its changelog and the suppression buffer). The aggregate is read and rewritten for every GPU
 * sample, the hottest path of the engine, so it is not JSON.
 *
 * <p>Format: byte {@code 0x01} (version; JSON starts with <code>'{'</code> and still reads), an int
 * GPU count, then per GPU in key order: UUID, index, pciBusId (nullable), samples, hot, maxTempC,
 * five counters (last, lastTs, delta, max: {@code GpuWindow.Gpu.counters} in order),
 * retiredPending, rowRemapFailure, rowRemapPending, lastSampleTs — with {@link DataOutputStream}
 * encodings.
 */
public final class GpuWindowSerde implements Serde<GpuWindow> {
  static final byte VERSION = 0x01;

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
        return json.deserialize(topic, bytes);
      }
      if (bytes.length == 0 || bytes[0] != VERSION) {
        throw new SerializationException(
            "unknown GPU window format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
      }
      try {
        return read(bytes);
      } catch (IOException e) {
        throw new SerializationException("truncated GPU window (" + bytes.length + " bytes)", e);
      }
    };
  }

  static byte[] write(GpuWindow w) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(8 + w.gpus.size() * 160);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(VERSION);
      out.writeInt(w.gpus.size());
      for (Map.Entry<String, GpuWindow.Gpu> e : w.gpus.entrySet()) {
        GpuWindow.Gpu g = e.getValue();
        out.writeUTF(e.getKey());
        out.writeInt(g.index);
        out.writeBoolean(g.pciBusId != null);
        if (g.pciBusId != null) {
          out.writeUTF(g.pciBusId);
        }
        out.writeInt(g.samples);
        out.writeInt(g.hot);
        out.writeDouble(g.maxTempC);
        for (long v : g.counters) {
          out.writeLong(v);
        }
        out.writeLong(g.retiredPending);
        out.writeBoolean(g.rowRemapFailure);
        out.writeBoolean(g.rowRemapPending);
        out.writeLong(g.lastSampleTs);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  static GpuWindow read(byte[] bytes) throws IOException {
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
      for (int c = 0; c < g.counters.length; c++) {
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
