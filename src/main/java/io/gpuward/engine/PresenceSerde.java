package io.gpuward.engine;

import io.gpuward.engine.WindowSignalsProcessor.GpuSet;
import io.gpuward.engine.domain.ThrottleHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Compact binary serde of a node's GPU presence ({@link GpuSet} in {@value
 * EngineNames#PRESENCE_STORE} and its changelog), read and rewritten for every node at every window
 * close.
 *
 * <p>Format 1: byte {@code 0x01}, zig-zag varlong windowEnd, the UUIDs, the throttle history
 * (presence byte; its windowEnd as {@code windowEnd - throttle.windowEnd}; its streaks by UUID,
 * each a flags byte (0 = null, 1 = present, 3 = present and open), varint throttled and clean and
 * {@code throttle.windowEnd - lastSeen}), the pods by UUID and PCI bus id, the indexes by UUID and
 * PCI bus id (nullable varint). The differences are taken modulo 2^64, so they are exact even for
 * {@link Long#MIN_VALUE} (no window yet), and small in the usual case. Collections are written as
 * their size plus one (0 = null). Every string is a {@linkplain CompactWriter#sharedString shared
 * string}: a GPU's UUID keys four of these collections and a pod list appears under both of a GPU's
 * names, so each is written once and referred to by number after that. A value that starts with
 * <code>'{'</code> is the JSON that earlier versions wrote, still read.
 */
final class PresenceSerde extends BinaryOrJsonSerde<GpuSet> {
  static final byte VERSION = 0x01;

  private static final String WHAT = "GPU presence";

  private static final int PRESENT = 1;

  private static final int OPEN = 2;

  public PresenceSerde() {
    super(GpuSet.class, VERSION, WHAT);
  }

  @Override
  protected byte[] encode(GpuSet value) {
    return write(value);
  }

  @Override
  protected GpuSet decode(byte[] bytes) {
    return read(bytes);
  }

  static byte[] write(GpuSet g) {
    CompactWriter out = new CompactWriter(128 + 48 * (g.uuids == null ? 0 : g.uuids.size()));
    out.writeByte(VERSION);
    out.writeVarlong(g.windowEnd);
    out.writeCount(g.uuids, g.uuids == null ? 0 : g.uuids.size());
    if (g.uuids != null) {
      for (String u : g.uuids) {
        out.sharedString(u);
      }
    }
    writeThrottle(g.windowEnd, g.throttle, out);
    writePods(g.pods, out);
    out.writeCount(g.indexes, g.indexes == null ? 0 : g.indexes.size());
    if (g.indexes != null) {
      for (Map.Entry<String, Integer> e : g.indexes.entrySet()) {
        out.sharedString(e.getKey());
        out.writeNullableInt(e.getValue());
      }
    }
    return out.toByteArray();
  }

  static GpuSet read(byte[] bytes) {
    CompactReader in = new CompactReader(bytes, 1, WHAT);
    GpuSet g = new GpuSet();
    g.windowEnd = in.readVarlong();
    int n = in.readCount();
    g.uuids = n < 0 ? null : new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      g.uuids.add(in.sharedString());
    }
    g.throttle = readThrottle(g.windowEnd, in);
    g.pods = readPods(in);
    n = in.readCount();
    g.indexes = n < 0 ? null : new HashMap<>(2 * n);
    for (int i = 0; i < n; i++) {
      g.indexes.put(in.sharedString(), in.readNullableInt());
    }
    in.end();
    return g;
  }

  private static void writeThrottle(long windowEnd, ThrottleHistory t, CompactWriter out) {
    out.writeBoolean(t != null);
    if (t == null) {
      return;
    }
    out.writeVarlong(windowEnd - t.windowEnd);
    out.writeCount(t.gpus, t.gpus == null ? 0 : t.gpus.size());
    if (t.gpus == null) {
      return;
    }
    for (Map.Entry<String, ThrottleHistory.Streak> e : t.gpus.entrySet()) {
      out.sharedString(e.getKey());
      ThrottleHistory.Streak s = e.getValue();
      out.writeByte(s == null ? 0 : PRESENT | (s.open ? OPEN : 0));
      if (s != null) {
        out.writeVarint(s.throttled);
        out.writeVarint(s.clean);
        out.writeVarlong(t.windowEnd - s.lastSeen);
      }
    }
  }

  private static ThrottleHistory readThrottle(long windowEnd, CompactReader in) {
    if (!in.readBoolean()) {
      return null;
    }
    ThrottleHistory t = new ThrottleHistory();
    t.windowEnd = windowEnd - in.readVarlong();
    int n = in.readCount();
    t.gpus = n < 0 ? null : new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String uuid = in.sharedString();
      int flags = in.readByte();
      if ((flags & ~(PRESENT | OPEN)) != 0 || flags == OPEN) {
        throw new SerializationException(WHAT + " holds streak flags " + flags);
      }
      ThrottleHistory.Streak s = null;
      if (flags != 0) {
        s = new ThrottleHistory.Streak();
        s.open = (flags & OPEN) != 0;
        s.throttled = in.readVarint();
        s.clean = in.readVarint();
        s.lastSeen = t.windowEnd - in.readVarlong();
      }
      t.gpus.put(uuid, s);
    }
    return t;
  }

  private static void writePods(Map<String, List<String>> pods, CompactWriter out) {
    out.writeCount(pods, pods == null ? 0 : pods.size());
    if (pods == null) {
      return;
    }
    for (Map.Entry<String, List<String>> e : pods.entrySet()) {
      out.sharedString(e.getKey());
      List<String> list = e.getValue();
      out.writeCount(list, list == null ? 0 : list.size());
      if (list != null) {
        for (String p : list) {
          out.sharedString(p);
        }
      }
    }
  }

  private static Map<String, List<String>> readPods(CompactReader in) {
    int n = in.readCount();
    if (n < 0) {
      return null;
    }
    Map<String, List<String>> pods = new HashMap<>(2 * n);
    for (int i = 0; i < n; i++) {
      String key = in.sharedString();
      int m = in.readCount();
      List<String> list = m < 0 ? null : new ArrayList<>(m);
      for (int j = 0; j < m; j++) {
        list.add(in.sharedString());
      }
      pods.put(key, list);
    }
    return pods;
  }
}
