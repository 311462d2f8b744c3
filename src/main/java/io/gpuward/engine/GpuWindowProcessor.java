package io.gpuward.engine;

import io.gpuward.avro.GpuSample;
import io.gpuward.engine.domain.CounterCarry;
import io.gpuward.engine.domain.GpuWindow;
import io.gpuward.engine.domain.SampleRules;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Tumbling event-time windows of GPU samples per node, emitted once when they close (window end +
 * grace passed in stream time), like a windowed aggregate with {@code suppress(untilWindowCloses)}
 * but without a store round trip and serialisation per sample: open windows are live objects here,
 * and {@value EngineNames#GPU_WINDOW_STORE} (a {@link WriteBackStore}) changelogs each window that
 * changed once per commit. Samples too late for their window never get here ({@code gpu-check}
 * dead-letters them with the same rule); one that did would be dropped.
 *
 * <p>A GPU's first sample in a window counts its counters' increments since the node's last
 * readings before the window: from the node's earlier window if that is still open (in its grace),
 * else from {@value EngineNames#COUNTER_CARRY_STORE}, which takes each window's last readings when
 * it closes and forgets readings older than {@code counterCarry} in stream time.
 */
final class GpuWindowProcessor
    implements Processor<String, GpuSample, String, GpuWindowProcessor.Closed> {

  /** A closed window of one node (the record key). */
  record Closed(long start, long end, GpuWindow window) {}

  /** A node's window in the store: its start, then the node name. */
  record Key(String node, long start) {}

  private final SampleRules rules;
  private final long size;
  private final long grace;
  private final long carryFor;

  /** Open windows by start, then node. */
  private final TreeMap<Long, Map<String, GpuWindow>> open = new TreeMap<>();

  /** Each node's carried counter readings, as in {@link #carryStore}. */
  private final Map<String, CounterCarry> carries = new HashMap<>();

  private ProcessorContext<String, Closed> context;
  private WriteBackStore<Key, GpuWindow> store;
  private KeyValueStore<String, CounterCarry> carryStore;
  private long streamTime = Long.MIN_VALUE;
  private int lastWindowNodes;

  GpuWindowProcessor(SampleRules rules, long size, long grace, long carryFor) {
    this.rules = rules;
    this.size = size;
    this.grace = grace;
    this.carryFor = carryFor;
  }

  @Override
  public void init(ProcessorContext<String, Closed> context) {
    this.context = context;
    this.store = context.getStateStore(EngineNames.GPU_WINDOW_STORE);
    open.clear();
    store.forEach((k, w) -> open.computeIfAbsent(k.start(), s -> new HashMap<>()).put(k.node(), w));
    this.carryStore = context.getStateStore(EngineNames.COUNTER_CARRY_STORE);
    carries.clear();
    try (KeyValueIterator<String, CounterCarry> it = carryStore.all()) {
      it.forEachRemaining(kv -> carries.put(kv.key, kv.value));
    }
  }

  @Override
  public void process(Record<String, GpuSample> record) {
    long ts = record.timestamp();
    long start = ts - Math.floorMod(ts, size);
    if (start + size + grace <= streamTime) {
      return; // closed already; gpu-check dead-letters these before they get here
    }
    String node = record.key();
    Map<String, GpuWindow> byNode = open.get(start);
    if (byNode == null) {
      // Sized like the previous window: no rehashing while every node reports.
      byNode = new HashMap<>(Math.max(16, lastWindowNodes * 4 / 3 + 1));
      open.put(start, byNode);
    }
    GpuWindow w = byNode.get(node);
    if (w == null) {
      w = new GpuWindow();
      byNode.put(node, w);
    }
    GpuSample sample = record.value();
    if (!w.gpus.containsKey(sample.getUuid())) {
      CounterCarry carry = carries.get(node);
      String uuid = carry == null ? sample.getUuid() : carry.sameUuid(sample.getUuid());
      w.carryIn(uuid, readingsBefore(node, start, uuid, ts));
    }
    w.add(sample, rules.isHot(sample), rules.isSlowedDown(sample));
    store.put(new Key(node, start), w);
    if (ts > streamTime) {
      streamTime = ts;
      emitClosed();
    }
  }

  /**
   * A GPU's newest counter readings before the window at {@code start}: the node's carry, then its
   * earlier windows still open; none older than the carry allows before {@code at}.
   */
  private long[] readingsBefore(String node, long start, String uuid, long at) {
    if (carryFor <= 0) {
      return null;
    }
    CounterCarry carry = carries.get(node);
    long[] r = carry == null ? null : carry.before(uuid, start, at, carryFor);
    for (Map<String, GpuWindow> earlier : open.headMap(start, false).values()) {
      GpuWindow w = earlier.get(node);
      GpuWindow.Gpu g = w == null ? null : w.gpus.get(uuid);
      if (g != null) {
        r = CounterCarry.newest(r, CounterCarry.usable(g.readings(), start, at, carryFor));
      }
    }
    return r;
  }

  /** Takes a closing window's last readings into its node's carry. */
  private void carryOver(String node, GpuWindow w) {
    if (carryFor <= 0) {
      return;
    }
    CounterCarry carry = carries.computeIfAbsent(node, n -> new CounterCarry());
    carry.remember(w);
    carryStore.put(node, carry);
  }

  /** Forgets carried readings older than the carry allows, and nodes left with none. */
  private void expireCarries() {
    for (var it = carries.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (e.getValue().expire(streamTime - carryFor)) {
        if (e.getValue().gpus.isEmpty()) {
          it.remove();
          carryStore.delete(e.getKey());
        } else {
          carryStore.put(e.getKey(), e.getValue());
        }
      }
    }
  }

  /** Emits (and forgets) every window whose end + grace is at or before stream time. */
  private void emitClosed() {
    boolean closedAny = false;
    while (!open.isEmpty() && open.firstKey() + size + grace <= streamTime) {
      closedAny = true;
      var first = open.pollFirstEntry();
      long start = first.getKey();
      lastWindowNodes = first.getValue().size();
      List<String> nodes = new ArrayList<>(first.getValue().keySet());
      Collections.sort(nodes);
      for (String node : nodes) {
        store.put(new Key(node, start), null);
        carryOver(node, first.getValue().get(node));
        context.forward(
            new Record<>(
                node, new Closed(start, start + size, first.getValue().get(node)), start + size));
      }
    }
    if (closedAny) {
      expireCarries();
    }
  }

  /** Open windows held now (tests). */
  int openWindows() {
    return open.values().stream().mapToInt(Map::size).sum();
  }

  /** Store key serde: 8-byte big-endian window start, then the node name in UTF-8. */
  static final class KeySerde implements Serde<Key> {
    @Override
    public Serializer<Key> serializer() {
      return (topic, k) -> {
        if (k == null) {
          return null;
        }
        byte[] node = k.node().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + node.length).putLong(k.start()).put(node).array();
      };
    }

    @Override
    public Deserializer<Key> deserializer() {
      return (topic, bytes) -> {
        if (bytes == null) {
          return null;
        }
        if (bytes.length < 8) {
          throw new SerializationException("GPU window key of " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long start = b.getLong();
        return new Key(new String(bytes, 8, bytes.length - 8, StandardCharsets.UTF_8), start);
      };
    }
  }
}
