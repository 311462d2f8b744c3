package io.gpuward.engine;

import io.gpuward.engine.domain.NodeState;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Compact binary serde of {@link NodeState} ({@value EngineNames#NODE_STATE_STORE} and its
 * changelog). The node-state processor reads and rewrites a node's state for every kube event and
 * inventory change, and reads every node's on each stream-time tick, so Jackson's bean and map
 * deserializers were most of its CPU.
 *
 * <p>Format 1: byte {@code 0x01}, then every field in the order of {@code write}: strings and
 * collections as their length plus one (0 = null) and UTF-8 ({@link CompactWriter}), ints and longs
 * as zig-zag varints, nullable longs and records behind a presence byte, nullable Booleans as one
 * byte (0 null, 1 false, 2 true), the recent event id hashes as eight bytes each in their insertion
 * order (their order is what evicts the oldest). A value that starts with <code>'{'</code> is the
 * JSON that earlier versions wrote; it is still read, so a changelog restores across the upgrade.
 * Writing is always format 1.
 */
public final class NodeStateSerde extends BinaryOrJsonSerde<NodeState> {
  static final byte VERSION = 0x01;

  private static final String WHAT = "node state";

  public NodeStateSerde() {
    super(NodeState.class, VERSION, WHAT);
  }

  @Override
  protected byte[] encode(NodeState value) {
    return write(value);
  }

  @Override
  protected NodeState decode(byte[] bytes) {
    return read(bytes);
  }

  static byte[] write(NodeState s) {
    // Sized for the usual value (labels of ~50 bytes, 8-byte event hashes), so it seldom grows.
    int labels = s.labels == null ? 0 : s.labels.size();
    CompactWriter out = new CompactWriter(256 + 56 * labels + 8 * size(s.recentEventIds));
    out.writeByte(VERSION);
    writeKube(s, out);
    writeInventory(s, out);
    writeMap(s.labels, out, CompactWriter::writeString);
    writeMap(s.operandMissingSince, out, CompactWriter::writeNullableLong);
    writeMap(s.operandPods, out, NodeStateSerde::writeOperandPod);
    writeMap(s.acceleratedHardware, out, CompactWriter::writeString);
    writeEventIds(s.recentEventIds, out);
    writeMap(s.scheduledEvents, out, NodeStateSerde::writeScheduled);
    writeScheduled(out, s.returning);
    writeStrings(s.raised, out);
    return out.toByteArray();
  }

  static NodeState read(byte[] bytes) {
    CompactReader in = new CompactReader(bytes, 1, WHAT);
    NodeState s = new NodeState();
    readKube(s, in);
    readInventory(s, in);
    s.labels = readMap(in, CompactReader::readString);
    s.operandMissingSince = readMap(in, CompactReader::readNullableLong);
    s.operandPods = readMap(in, NodeStateSerde::readOperandPod);
    s.acceleratedHardware = readMap(in, CompactReader::readString);
    s.recentEventIds = readEventIds(in);
    s.scheduledEvents = readMap(in, NodeStateSerde::readScheduled);
    s.returning = readScheduled(in);
    s.raised = readStrings(in);
    in.end();
    return s;
  }

  /** What the kube events tell. */
  private static void writeKube(NodeState s, CompactWriter out) {
    out.writeBoolean(s.registered);
    out.writeNullableBoolean(s.ready);
    out.writeString(s.notReadySource);
    out.writeNullableLong(s.notReadySince);
    out.writeString(s.notReadyEventId);
    out.writeNullableLong(s.lastHeartbeat);
    out.writeVarint(s.noGpuHeartbeats);
    out.writeNullableLong(s.removedAt);
    out.writeNullableInt(s.gpuCapacity);
    out.writeNullableInt(s.gpuAllocatable);
    out.writeNullableLong(s.allocatableLowSince);
    out.writeNullableLong(s.rebootedAt);
  }

  private static void readKube(NodeState s, CompactReader in) {
    s.registered = in.readBoolean();
    s.ready = in.readNullableBoolean();
    s.notReadySource = in.readString();
    s.notReadySince = in.readNullableLong();
    s.notReadyEventId = in.readString();
    s.lastHeartbeat = in.readNullableLong();
    s.noGpuHeartbeats = in.readVarint();
    s.removedAt = in.readNullableLong();
    s.gpuCapacity = in.readNullableInt();
    s.gpuAllocatable = in.readNullableInt();
    s.allocatableLowSince = in.readNullableLong();
    s.rebootedAt = in.readNullableLong();
  }

  /** What the inventory and the cloud tell. */
  private static void writeInventory(NodeState s, CompactWriter out) {
    out.writeVarint(s.expectedGpus);
    out.writeBoolean(s.migCapable);
    out.writeNullableBoolean(s.inventoryRegistered);
    out.writeNullableLong(s.launchedAt);
    out.writeString(s.instanceType);
    out.writeString(s.image);
    out.writeString(s.amiId);
    out.writeString(s.ssmPingStatus);
  }

  private static void readInventory(NodeState s, CompactReader in) {
    s.expectedGpus = in.readVarint();
    s.migCapable = in.readBoolean();
    s.inventoryRegistered = in.readNullableBoolean();
    s.launchedAt = in.readNullableLong();
    s.instanceType = in.readString();
    s.image = in.readString();
    s.amiId = in.readString();
    s.ssmPingStatus = in.readString();
  }

  private static void writeOperandPod(CompactWriter out, NodeState.OperandPod p) {
    out.writeBoolean(p != null);
    if (p != null) {
      out.writeString(p.state());
      out.writeString(p.namespace());
      out.writeString(p.pod());
      out.writeString(p.message());
      out.writeVarlong(p.since());
    }
  }

  private static NodeState.OperandPod readOperandPod(CompactReader in) {
    if (!in.readBoolean()) {
      return null;
    }
    return new NodeState.OperandPod(
        in.readString(), in.readString(), in.readString(), in.readString(), in.readVarlong());
  }

  private static void writeScheduled(CompactWriter out, NodeState.Scheduled e) {
    out.writeBoolean(e != null);
    if (e != null) {
      out.writeString(e.code());
      out.writeString(e.description());
      out.writeString(e.eventId());
      out.writeVarlong(e.notBefore());
      out.writeNullableLong(e.notAfter());
      out.writeBoolean(e.raised());
    }
  }

  private static NodeState.Scheduled readScheduled(CompactReader in) {
    if (!in.readBoolean()) {
      return null;
    }
    return new NodeState.Scheduled(
        in.readString(),
        in.readString(),
        in.readString(),
        in.readVarlong(),
        in.readNullableLong(),
        in.readBoolean());
  }

  private static void writeEventIds(LinkedHashSet<Long> ids, CompactWriter out) {
    out.writeCount(ids, size(ids));
    if (ids != null) {
      for (Long id : ids) {
        if (id == null) {
          // Never put there (a null event id is not remembered); refuse rather than invent one.
          throw new SerializationException("node state holds a null recent event id");
        }
        out.writeFixedLong(id);
      }
    }
  }

  private static LinkedHashSet<Long> readEventIds(CompactReader in) {
    int n = in.readCount();
    if (n < 0) {
      return null;
    }
    LinkedHashSet<Long> ids = new LinkedHashSet<>(2 * n);
    for (int i = 0; i < n; i++) {
      ids.add(in.readFixedLong());
    }
    return ids;
  }

  private static void writeStrings(Set<String> strings, CompactWriter out) {
    out.writeCount(strings, size(strings));
    if (strings != null) {
      for (String s : strings) {
        out.writeString(s);
      }
    }
  }

  private static Set<String> readStrings(CompactReader in) {
    int n = in.readCount();
    if (n < 0) {
      return null;
    }
    Set<String> strings = new HashSet<>(2 * n);
    for (int i = 0; i < n; i++) {
      strings.add(in.readString());
    }
    return strings;
  }

  private static <V> void writeMap(
      Map<String, V> map, CompactWriter out, BiConsumer<CompactWriter, V> value) {
    out.writeCount(map, map == null ? 0 : map.size());
    if (map != null) {
      for (Map.Entry<String, V> e : map.entrySet()) {
        out.writeString(e.getKey());
        value.accept(out, e.getValue());
      }
    }
  }

  private static <V> TreeMap<String, V> readMap(
      CompactReader in, Function<CompactReader, V> value) {
    int n = in.readCount();
    if (n < 0) {
      return null;
    }
    TreeMap<String, V> map = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String key = in.readString();
      if (key == null) {
        throw new SerializationException(WHAT + " holds a null map key");
      }
      map.put(key, value.apply(in));
    }
    return map;
  }

  private static int size(Collection<?> c) {
    return c == null ? 0 : c.size();
  }
}
