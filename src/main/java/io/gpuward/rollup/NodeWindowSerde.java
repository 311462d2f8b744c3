package io.gpuward.rollup;

import io.gpuward.engine.BinaryOrJsonSerde;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Binary serde of the rollup's per-node window aggregate (its store, changelog and suppression
 * buffer). The aggregate is read and rewritten for every GPU sample; as JSON it was the rollup's
 * largest CPU cost (half of its stream thread's samples in a profiled demo).
 *
 * <p>Format: byte {@code 0x01}, varint GPU count, then per GPU in UUID order: UUID (UTF), varint
 * index, model (boolean + UTF), varint samples, and five statistics (temperature, memory
 * temperature, utilisation, power, memory used) as varlong count, double sum, double max. JSON
 * (what stores written before this format hold; it starts with <code>'{'</code>) is still read.
 */
public final class NodeWindowSerde extends BinaryOrJsonSerde<NodeWindow> {
  static final byte VERSION = 0x01;

  public NodeWindowSerde() {
    super(NodeWindow.class, VERSION, "rollup window");
  }

  @Override
  protected byte[] encode(NodeWindow value) {
    return write(value);
  }

  @Override
  protected NodeWindow decode(byte[] bytes) {
    try {
      return read(bytes);
    } catch (IOException | IllegalArgumentException e) {
      throw new SerializationException("truncated rollup window (" + bytes.length + " bytes)", e);
    }
  }

  static byte[] write(NodeWindow w) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(8 + w.gpus().size() * 120);
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeByte(VERSION);
      ByteUtils.writeVarint(w.gpus().size(), out);
      for (Map.Entry<String, GpuStats> e : new TreeMap<>(w.gpus()).entrySet()) {
        GpuStats g = e.getValue();
        out.writeUTF(e.getKey());
        ByteUtils.writeVarint(g.gpuIndex(), out);
        out.writeBoolean(g.model() != null);
        if (g.model() != null) {
          out.writeUTF(g.model());
        }
        ByteUtils.writeVarint(g.samples(), out);
        for (Stat s :
            new Stat[] {
              g.temperature(), g.memoryTemperature(), g.utilisation(), g.power(), g.memoryUsed()
            }) {
          ByteUtils.writeVarlong(s.n(), out);
          out.writeDouble(s.sum());
          out.writeDouble(s.max());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  static NodeWindow read(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1));
    int n = ByteUtils.readVarint(in);
    if (n < 0 || n > bytes.length) {
      throw new IOException("GPU count " + n + " in " + bytes.length + " bytes");
    }
    Map<String, GpuStats> gpus = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String uuid = in.readUTF();
      int index = ByteUtils.readVarint(in);
      String model = in.readBoolean() ? in.readUTF().intern() : null;
      int samples = ByteUtils.readVarint(in);
      gpus.put(
          uuid,
          new GpuStats(index, model, samples, stat(in), stat(in), stat(in), stat(in), stat(in)));
    }
    if (in.available() > 0) {
      throw new IOException("trailing bytes after a rollup window");
    }
    return new NodeWindow(gpus);
  }

  private static Stat stat(DataInputStream in) throws IOException {
    return new Stat(ByteUtils.readVarlong(in), in.readDouble(), in.readDouble());
  }
}
