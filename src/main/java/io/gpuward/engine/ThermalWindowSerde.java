package io.gpuward.engine;

import io.gpuward.engine.domain.ThermalWindow;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary serde of the thermal window aggregate ({@value EngineNames#THERMAL_STORE} and its
 * changelog, and the suppression buffer). The window is read and rewritten once per GPU sample, so
 * this is on the engine's hottest path: JSON cost about 50 µs a round trip (Jackson interning every
 * GPU UUID map key), this about 1 µs.
 *
 * <p>Format: byte {@code 0x01} (a format version; JSON always starts with <code>'{'</code>), a
 * varint GPU count, then per GPU in key order: UUID, index (zigzag varint), pciBusId (nullable),
 * samples and hot (varints), maxTempC (8-byte double). Strings are a varint length then UTF-8;
 * nullable strings store length + 1, 0 meaning null. Values written as JSON by earlier versions
 * still read, so existing state and changelogs need no migration.
 */
public final class ThermalWindowSerde implements Serde<ThermalWindow> {
  static final byte VERSION = 0x01;

  private final Deserializer<ThermalWindow> json =
      new JsonSerde<>(ThermalWindow.class).deserializer();

  @Override
  public Serializer<ThermalWindow> serializer() {
    return (topic, w) -> w == null ? null : write(w);
  }

  @Override
  public Deserializer<ThermalWindow> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length > 0 && bytes[0] == '{') {
        return json.deserialize(topic, bytes);
      }
      return read(bytes);
    };
  }

  static byte[] write(ThermalWindow w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 + w.gpus.size() * 80);
    out.write(VERSION);
    varint(out, w.gpus.size());
    for (Map.Entry<String, ThermalWindow.Gpu> e : w.gpus.entrySet()) {
      ThermalWindow.Gpu g = e.getValue();
      string(out, e.getKey());
      varint(out, (g.index << 1) ^ (g.index >> 31));
      if (g.pciBusId == null) {
        varint(out, 0);
      } else {
        byte[] b = g.pciBusId.getBytes(StandardCharsets.UTF_8);
        varint(out, b.length + 1);
        out.write(b, 0, b.length);
      }
      varint(out, g.samples);
      varint(out, g.hot);
      long bits = Double.doubleToRawLongBits(g.maxTempC);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (bits >>> shift));
      }
    }
    return out.toByteArray();
  }

  static ThermalWindow read(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      byte version = in.get();
      if (version != VERSION) {
        throw new SerializationException(
            "thermal window: unknown format version " + version + " (" + bytes.length + " bytes)");
      }
      ThermalWindow w = new ThermalWindow();
      int count = varint(in);
      for (int i = 0; i < count; i++) {
        String uuid = string(in, varint(in));
        ThermalWindow.Gpu g = new ThermalWindow.Gpu();
        int zz = varint(in);
        g.index = (zz >>> 1) ^ -(zz & 1);
        int pci = varint(in);
        g.pciBusId = pci == 0 ? null : string(in, pci - 1);
        g.samples = varint(in);
        g.hot = varint(in);
        g.maxTempC = in.getDouble();
        w.gpus.put(uuid, g);
      }
      return w;
    } catch (RuntimeException e) {
      if (e instanceof SerializationException se) {
        throw se;
      }
      throw new SerializationException(
          "thermal window: cannot read " + bytes.length + " bytes: " + e, e);
    }
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    varint(out, b.length);
    out.write(b, 0, b.length);
  }

  private static String string(ByteBuffer in, int length) {
    if (length < 0 || length > in.remaining()) {
      throw new SerializationException("thermal window: bad string length " + length);
    }
    String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return s;
  }

  private static void varint(ByteArrayOutputStream out, int v) {
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  private static int varint(ByteBuffer in) {
    int v = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      byte b = in.get();
      v |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new SerializationException("thermal window: malformed varint");
  }
}
