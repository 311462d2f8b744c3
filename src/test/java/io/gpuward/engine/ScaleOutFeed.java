package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.inventory;
import static io.gpuward.engine.EngineFixtures.rebooted;
import static io.gpuward.engine.EngineFixtures.sample;
import static io.gpuward.engine.EngineFixtures.xid;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The fixed records of the scale-out test in three phases, with event times rising across phases so
 * that every run orders them alike: 16 training nodes with single faults (GPU_LOST, a NotReady
 * join, an ECC error, a hot GPU) and a 10-node group where XID 119 hits six nodes, three before the
 * kill and three after it (one storm, one incident). The last phase reboots the faulty nodes and
 * ends with one marker node per partition: a marker's verdict means its partition is done.
 */
final class ScaleOutFeed {
  static final String STORM_GROUP = "p5-storm";
  static final int STORM_XID = 119;
  static final String STORM_SCOPE = "nodegroup:" + STORM_GROUP;
  static final String STORM_SIGNATURE = "GPU_XID_FATAL:xid=" + STORM_XID;
  private static final int GPUS = 8;
  private static final String TYPE = "p5.48xlarge";
  private static final String IMAGE = "bottlerocket-aws-k8s-1.32-nvidia-x86_64";

  final List<String> train = names("p5-train", 16);
  final List<String> storm = names(STORM_GROUP, 10);
  final List<String> markers;
  private final Instant t;
  private final int partitions;

  ScaleOutFeed(Instant t, int partitions) {
    this.t = t;
    this.partitions = partitions;
    this.markers = markers(partitions);
  }

  /** Before the kill: inventory, 40 s of samples, single faults, the storm's first three nodes. */
  List<ProducerRecord<String, SpecificRecord>> phaseA(Topics topics) {
    List<ProducerRecord<String, SpecificRecord>> out = new ArrayList<>();
    fleet().forEach(n -> out.add(rec(topics.inventory.name(), n, inv(n))));
    markers.forEach(n -> out.add(rec(topics.inventory.name(), n, markerInventory(n))));
    samples(out, topics, 0, 40, null);
    xids(out, topics, train.subList(0, 2), 79, 15);
    out.add(rec(topics.kubeEvents.name(), train.get(0), notReady(train.get(0), at(18))));
    xids(out, topics, List.of(train.get(2)), 48, 20);
    xids(out, topics, storm.subList(0, 3), STORM_XID, 22);
    return out;
  }

  /** After the kill: the storm grows by three nodes, another GPU falls off, one GPU runs hot. */
  List<ProducerRecord<String, SpecificRecord>> phaseB(Topics topics) {
    List<ProducerRecord<String, SpecificRecord>> out = new ArrayList<>();
    samples(out, topics, 50, 80, train.get(4));
    xids(out, topics, storm.subList(3, 6), STORM_XID, 55);
    xids(out, topics, List.of(train.get(3)), 79, 60);
    return out;
  }

  /** After the join: reboots clear the faults and the storm; then the per-partition markers. */
  List<ProducerRecord<String, SpecificRecord>> phaseC(Topics topics) {
    List<ProducerRecord<String, SpecificRecord>> out = new ArrayList<>();
    samples(out, topics, 90, 120, null);
    for (String n : List.of(train.get(0), train.get(1), train.get(3))) {
      out.add(rec(topics.kubeEvents.name(), n, rebooted(n, "boot-2", at(95))));
    }
    for (String n : storm.subList(0, 6)) {
      out.add(rec(topics.kubeEvents.name(), n, rebooted(n, "boot-2", at(100))));
    }
    xids(out, topics, markers, 48, 130);
    return out;
  }

  /** The partition the default partitioner gives a node's records. */
  static int partitionOf(String node, int partitions) {
    return Utils.toPositive(Utils.murmur2(node.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  static void send(
      Producer<String, SpecificRecord> producer, List<ProducerRecord<String, SpecificRecord>> rs) {
    rs.forEach(producer::send);
    producer.flush();
  }

  /** One value serializer for every input topic, chosen by the record's topic. */
  static Serializer<SpecificRecord> values(Topics topics) {
    Map<String, Serializer<?>> byTopic =
        Map.of(
            topics.gpu.name(), topics.gpu.valueSerde().serializer(),
            topics.xid.name(), topics.xid.valueSerde().serializer(),
            topics.kubeEvents.name(), topics.kubeEvents.valueSerde().serializer(),
            topics.inventory.name(), topics.inventory.valueSerde().serializer());
    return (topic, v) -> {
      @SuppressWarnings("unchecked")
      Serializer<SpecificRecord> s = (Serializer<SpecificRecord>) byTopic.get(topic);
      return s.serialize(topic, v);
    };
  }

  private List<String> fleet() {
    List<String> all = new ArrayList<>(train);
    all.addAll(storm);
    return all;
  }

  private void samples(
      List<ProducerRecord<String, SpecificRecord>> out,
      Topics topics,
      int fromS,
      int toS,
      String hotNode) {
    for (int s = fromS; s <= toS; s += 10) {
      for (String n : fleet()) {
        for (int g = 0; g < GPUS; g++) {
          double temp = n.equals(hotNode) && g == 0 ? 97.0 : 55.0;
          GpuSample v = sample(n, g, "GPU-" + n + "-" + g, temp, at(s));
          out.add(rec(topics.gpu.name(), n, v));
        }
      }
    }
  }

  private void xids(
      List<ProducerRecord<String, SpecificRecord>> out,
      Topics topics,
      List<String> nodes,
      int code,
      int atS) {
    for (int i = 0; i < nodes.size(); i++) {
      String n = nodes.get(i);
      XidEvent x = xid(n, code, "GPU-" + n + "-0", at(atS + i));
      out.add(rec(topics.xid.name(), n, x));
    }
  }

  private NodeInventory inv(String node) {
    return inventory(node, TYPE, IMAGE, at(0));
  }

  /** A marker is alone in its node group, zone and image, so its verdict joins no storm. */
  private NodeInventory markerInventory(String node) {
    return NodeInventory.newBuilder(inventory(node, TYPE, IMAGE, at(0)))
        .setNodegroup(node)
        .setZone(node)
        .setImage(node)
        .build();
  }

  private Instant at(int seconds) {
    return t.plusSeconds(seconds);
  }

  private static List<String> names(String group, int n) {
    return IntStream.range(0, n).mapToObj(i -> group + "-" + i).toList();
  }

  /** One marker node name per partition, found by hashing candidate names. */
  private static List<String> markers(int partitions) {
    String[] byPartition = new String[partitions];
    int found = 0;
    for (int i = 0; found < partitions; i++) {
      String n = "marker-" + i;
      int p = partitionOf(n, partitions);
      if (byPartition[p] == null) {
        byPartition[p] = n;
        found++;
      }
    }
    return List.of(byPartition);
  }

  private static ProducerRecord<String, SpecificRecord> rec(
      String topic, String key, SpecificRecord value) {
    return new ProducerRecord<>(topic, key, value);
  }

  private static NodeEvent notReady(String node, Instant at) {
    return NodeEvent.newBuilder()
        .setEventId(node + "-nr-" + at.toEpochMilli())
        .setNode(node)
        .setKind(NodeEventKind.CONDITION_CHANGED)
        .setEventTime(at)
        .setSource("kubelet")
        .setConditionType("Ready")
        .setConditionStatus("False")
        .setReason("KubeletNotReady")
        .setLabels(Map.of())
        .build();
  }
}
