package io.gpuward.chaos;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.Topic;
import io.gpuward.contract.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the exporters of a GPU fleet would publish, sent by the harness: inventory for every node,
 * one healthy sample per GPU node on each {@link #tick}, and XID 79 (GPU fallen off the bus) on
 * chosen nodes. Node groups have three single-GPU nodes of which at most one is faulted, so neither
 * the cordon ceiling nor a node-group storm changes what a fault leads to: one GPU_LOST verdict
 * OPEN and one cordon per faulted node.
 */
final class ChaosFleet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChaosFleet.class);
  private static final String GPU_TYPE = "g5.xlarge";
  private static final List<String> ZONES = List.of("us-east-1a", "us-east-1b", "us-east-1c");

  /**
   * Nodes per node group, one of them faulted: every scope the engine correlates (node group, zone,
   * image, driver) then has under 20% of its nodes faulted, below the storm threshold of {@code
   * streams/rules.yaml}, so no fleet incident holds the cordons.
   */
  private static final int GROUP_SIZE = 6;

  /**
   * A node of the fleet. {@code gpu} false: a CPU node the remediator must not touch. Its instance
   * id and boot id are the world's ({@link #adopt}), so the exporters' records and the served Node
   * agree.
   */
  record FleetNode(
      String name,
      String nodegroup,
      String zone,
      String instanceType,
      String instanceId,
      String bootId,
      boolean gpu) {
    String gpuUuid() {
      return "GPU-" + String.format("%08x", name.hashCode()) + "-0000-4000-8000-000000000000";
    }

    String image() {
      return gpu
          ? "amazon-eks-node-al2023-x86_64-nvidia-1.32"
          : "amazon-eks-node-al2023-x86_64-standard-1.32";
    }

    FleetNode in(ChaosCluster.Identity world) {
      return new FleetNode(
          name, nodegroup, zone, instanceType, world.instanceId(), world.bootId(), gpu);
    }
  }

  /** The GPU node that garbage is about: it has inventory and is never faulted. */
  static final String GARBAGE_NODE = "garbage-ng-0";

  /** A CPU node (no GPU label): a forged verdict about it must be refused. */
  static final String CPU_NODE = "cpu-ng-0";

  private final List<FleetNode> nodes = new ArrayList<>();
  private final List<FleetNode> faultable = new ArrayList<>();
  private final Set<String> faulted = ConcurrentHashMap.newKeySet();
  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private int next;

  ChaosFleet(int faults, Topics topics, String bootstrap) {
    this.topics = topics;
    for (int g = 0; g < faults; g++) {
      for (int i = 0; i < GROUP_SIZE; i++) {
        FleetNode n = gpuNode("chaos-ng-" + g, i, g);
        nodes.add(n);
        if (i == 0) {
          faultable.add(n);
        }
      }
    }
    for (int i = 0; i < 3; i++) {
      nodes.add(gpuNode("garbage-ng", i, 0));
    }
    nodes.add(new FleetNode(CPU_NODE, "cpu-ng", ZONES.get(0), "m5.large", null, null, false));
    this.producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers",
                bootstrap,
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                2_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                120_000,
                ProducerConfig.LINGER_MS_CONFIG,
                5),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  private static FleetNode gpuNode(String group, int i, int zone) {
    String name = group + "-" + i;
    return new FleetNode(name, group, ZONES.get(zone % ZONES.size()), GPU_TYPE, null, null, true);
  }

  List<FleetNode> nodes() {
    return List.copyOf(nodes);
  }

  /** Takes each node's instance id and boot id from the world that serves it. */
  void adopt(Map<String, ChaosCluster.Identity> world) {
    nodes.replaceAll(n -> n.in(world.get(n.name())));
    faultable.replaceAll(n -> n.in(world.get(n.name())));
  }

  /** Nodes faulted so far. */
  Set<String> faulted() {
    return Set.copyOf(faulted);
  }

  /** Inventory of every node, as the exporters publish it at start. Waits for the acks. */
  void publishInventory() throws Exception {
    Instant now = Instant.now();
    for (FleetNode n : nodes) {
      send(topics.inventory, n.name(), inventory(n, now)).get(30, TimeUnit.SECONDS);
    }
  }

  /** One healthy sample per GPU node that is not faulted; best effort while the broker is away. */
  void tick() {
    Instant now = Instant.now();
    for (FleetNode n : nodes) {
      if (n.gpu() && !faulted.contains(n.name())) {
        send(topics.gpu, n.name(), sample(n, now));
      }
    }
  }

  /**
   * XID 79 on the next unfaulted node, at the wall clock; retried until the broker has it, so no
   * fault is lost to an outage.
   */
  String fault() throws InterruptedException {
    FleetNode n = faultable.get(next++);
    faulted.add(n.name());
    Instant at = Instant.now();
    XidEvent xid =
        XidEvent.newBuilder()
            .setEventId(n.name() + "/xid/chaos/" + at.toEpochMilli())
            .setNode(n.name())
            .setEventTime(at)
            .setXid(79)
            .setPciBusId("00000000:53:00.0")
            .setGpuUuid(n.gpuUuid())
            .setMessage("NVRM: Xid (PCI:0000:53:00): 79, GPU has fallen off the bus.")
            .setBootId(n.bootId())
            .build();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try {
        send(topics.xid, n.name(), xid).get(30, TimeUnit.SECONDS);
        return n.name();
      } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("fault on " + n.name() + " not sent in 120 s", e);
        }
        log.info("fault on {} not sent yet ({}), retrying", n.name(), e.toString());
      }
    }
  }

  /** Faults the fleet has nodes for. */
  int capacity() {
    return faultable.size();
  }

  KafkaProducer<String, byte[]> producer() {
    return producer;
  }

  private <V extends SpecificRecord> java.util.concurrent.Future<?> send(
      Topic<V> topic, String key, V value) {
    byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
    try {
      return producer.send(new ProducerRecord<>(topic.name(), key, bytes));
    } catch (org.apache.kafka.common.KafkaException e) {
      log.debug("not sent to {} (broker away?): {}", topic.name(), e.toString());
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  static NodeInventory inventory(FleetNode n, Instant at) {
    return NodeInventory.newBuilder()
        .setNode(n.name())
        .setInstanceId(n.instanceId())
        .setInstanceType(n.instanceType())
        .setNodegroup(n.nodegroup())
        .setAsgName("eks-" + n.nodegroup() + "-asg")
        .setZone(n.zone())
        .setImage(n.image())
        .setExpectedGpus(n.gpu() ? 1 : 0)
        .setGpuModel(n.gpu() ? "NVIDIA A10G" : null)
        .setMigCapable(false)
        .setRegistered(true)
        .setLaunchedAt(at.minus(Duration.ofHours(1)))
        .setUpdatedAt(at)
        .setLabels(Map.of())
        .build();
  }

  static GpuSample sample(FleetNode n, Instant at) {
    return GpuSample.newBuilder()
        .setNode(n.name())
        .setUuid(n.gpuUuid())
        .setGpuIndex(0)
        .setPciBusId("00000000:53:00.0")
        .setModel("NVIDIA A10G")
        .setDriverVersion("580.95.05")
        .setEventTime(at)
        .setTemperatureC(45.0)
        .setPowerW(120.0)
        .build();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
