package io.gpuward.engine;

import io.gpuward.avro.NodeInventory;
import io.gpuward.engine.domain.GpuPresenceRule;
import io.gpuward.engine.domain.GpuWindow;
import io.gpuward.engine.domain.SampleRules;
import io.gpuward.engine.domain.Signal;
import io.gpuward.engine.domain.ThrottleHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Turns each closed GPU window of a node into signals: the sample rules, with the node's HW
 * slowdown streaks from its earlier windows, and GPU presence against the node's previous window
 * (both in {@value EngineNames#PRESENCE_STORE}) and its instance type ({@value
 * EngineNames#INVENTORY_STORE}).
 */
final class WindowSignalsProcessor
    implements Processor<String, GpuWindowProcessor.Closed, String, Signal> {
  private final SampleRules rules;
  private final GpuPresenceRule presence = new GpuPresenceRule();
  private ProcessorContext<String, Signal> context;
  private KeyValueStore<String, GpuSet> previous;
  private TimestampedKeyValueStore<String, NodeInventory> inventory;

  /**
   * The GPUs a node reported in its last closed window, and its HW slowdown streaks up to it
   * ({@link PresenceSerde} in the store: a field added here must be added there; JSON written
   * before the streaks existed reads with none).
   */
  public static final class GpuSet {
    public long windowEnd;
    public List<String> uuids = new ArrayList<>();
    public ThrottleHistory throttle = new ThrottleHistory();

    /**
     * The pods each GPU ran in that window, by UUID and by PCI bus id (an XID names its GPU by
     * either); a value stored before it existed reads with none.
     */
    public Map<String, List<String>> pods = new HashMap<>();

    /** Each GPU's index in that window, by UUID and by PCI bus id (an XID names neither). */
    public Map<String, Integer> indexes = new HashMap<>();

    static Map<String, Integer> indexesOf(GpuWindow w) {
      Map<String, Integer> out = new HashMap<>();
      for (Map.Entry<String, GpuWindow.Gpu> e : w.gpus.entrySet()) {
        out.put(e.getKey(), e.getValue().index);
        if (e.getValue().pciBusId != null) {
          out.put(e.getValue().pciBusId, e.getValue().index);
        }
      }
      return out;
    }

    static Map<String, List<String>> podsOf(GpuWindow w) {
      Map<String, List<String>> out = new HashMap<>();
      for (Map.Entry<String, GpuWindow.Gpu> e : w.gpus.entrySet()) {
        List<String> pods = e.getValue().podList();
        if (!pods.isEmpty()) {
          out.put(e.getKey(), pods);
          if (e.getValue().pciBusId != null) {
            out.put(e.getValue().pciBusId, pods);
          }
        }
      }
      return out;
    }
  }

  WindowSignalsProcessor(SampleRules rules) {
    this.rules = rules;
  }

  @Override
  public void init(ProcessorContext<String, Signal> context) {
    this.context = context;
    this.previous = context.getStateStore(EngineNames.PRESENCE_STORE);
    this.inventory = context.getStateStore(EngineNames.INVENTORY_STORE);
  }

  @Override
  public void process(Record<String, GpuWindowProcessor.Closed> record) {
    String node = record.key();
    GpuWindowProcessor.Closed closed = record.value();
    GpuWindow w = closed.window();
    Instant start = Instant.ofEpochMilli(closed.start());
    Instant end = Instant.ofEpochMilli(closed.end());
    GpuSet prev = previous.get(node);
    boolean newest = prev == null || prev.windowEnd < closed.end();
    ThrottleHistory history = null;
    if (newest) {
      history = prev == null || prev.throttle == null ? new ThrottleHistory() : prev.throttle;
    }
    List<Signal> signals = new ArrayList<>(rules.evaluate(node, start, end, w, history));
    if (newest) {
      NodeInventory inv = ValueAndTimestamp.getValueOrNull(inventory.get(node));
      int expected = inv == null ? 0 : inv.getExpectedGpus();
      Set<String> before = prev == null ? Set.of() : new TreeSet<>(prev.uuids);
      signals.addAll(presence.evaluate(node, start, end, w, before, expected));
      GpuSet now = new GpuSet();
      now.windowEnd = closed.end();
      now.uuids = new ArrayList<>(w.gpus.keySet());
      now.throttle = history;
      now.pods = GpuSet.podsOf(w);
      now.indexes = GpuSet.indexesOf(w);
      previous.put(node, now);
    }
    for (Signal s : signals) {
      context.forward(new Record<>(node, s, s.eventTime().toEpochMilli()));
    }
  }
}
