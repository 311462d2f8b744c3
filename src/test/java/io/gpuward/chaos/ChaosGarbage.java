package io.gpuward.chaos;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.avro.VerdictState;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.Topic;
import io.gpuward.contract.Topics;
import io.gpuward.testing.Garbage;
import io.gpuward.testing.Garbage.Crafted;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * One round of garbage for every input topic, built on {@link Garbage}: random bytes, unknown and
 * truncated schema ids, null keys and values, event times in 1970, 2100, +1 h, −1 d and −8 d, 10 KB
 * and SQL node names, impossible values, poison inventory, poison and forged verdicts, and forged
 * control commands (empty id, unknown scope, a veto until 2100, a scope that is not the key). Each
 * record names the applications that must dead-letter it (an inventory record is read by both the
 * engine and the remediator), or, for a well-formed verdict about a node gpuward may not touch, the
 * verdict id the remediator's audit must refuse.
 */
final class ChaosGarbage {
  private static final long DAY = Duration.ofDays(1).toMillis();

  /**
   * A crafted record for {@code topic}; {@code refusedVerdict} set when the audit must refuse it.
   */
  record Item(String topic, Crafted crafted, Set<String> readers, String refusedVerdict) {}

  private final Topics topics;
  private final String engineApp;
  private final String remediatorApp;

  ChaosGarbage(Topics topics, String engineApp, String remediatorApp) {
    this.topics = topics;
    this.engineApp = engineApp;
    this.remediatorApp = remediatorApp;
  }

  List<Item> round(int round, long now, Random random) {
    String node = ChaosFleet.GARBAGE_NODE;
    List<Item> out = new ArrayList<>();
    Set<String> engine = Set.of(engineApp);
    Set<String> remediator = Set.of(remediatorApp);
    for (Crafted c : Garbage.forStream(node, now, (n, at, odd) -> gpu(n, at, odd), random)) {
      out.add(new Item(topics.gpu.name(), c, engine, null));
    }
    for (Crafted c : Garbage.forStream(node, now, (n, at, odd) -> xid(n, at, odd), random)) {
      out.add(new Item(topics.xid.name(), c, engine, null));
    }
    for (Crafted c : Garbage.forStream(node, now, (n, at, odd) -> event(n, at, odd), random)) {
      out.add(new Item(topics.kubeEvents.name(), c, engine, null));
    }
    out.add(dayOld(topics.gpu.name(), gpu(node, now - DAY, false), engine));
    // Its verdict would be born expired (more than the longest XID verdict TTL behind stream time).
    out.add(
        item(
            topics.xid.name(),
            "event time -1d",
            node,
            xid(node, now - DAY, false),
            DeadLetterKind.LATE_EVENT,
            engine));
    out.add(dayOld(topics.kubeEvents.name(), event(node, now - DAY, false), engine));
    byte[] inventory =
        serialize(
            topics.inventory,
            ChaosFleet.inventory(
                new ChaosFleet.FleetNode(
                    node, "garbage-ng", "us-east-1a", "g5.xlarge", "i-1", "boot-1", true),
                Instant.ofEpochMilli(now)));
    Set<String> both = Set.of(engineApp, remediatorApp);
    for (Crafted c : Garbage.poison(node, inventory, random)) {
      out.add(new Item(topics.inventory.name(), c, both, null));
    }
    out.addAll(verdicts(round, now, random, remediator));
    out.addAll(commands(round, now, random, remediator));
    return out;
  }

  /** {@code n} values with distinct unknown schema ids on the GPU and the control topics. */
  List<Item> unknownIds(int n, Random random) {
    List<Item> out = new ArrayList<>();
    for (Crafted c : Garbage.unknownIds(n, i -> ChaosFleet.GARBAGE_NODE, random)) {
      out.add(new Item(topics.gpu.name(), c, Set.of(engineApp), null));
    }
    for (Crafted c : Garbage.unknownIds(n / 4, i -> "global", random)) {
      out.add(new Item(topics.control.name(), c, Set.of(remediatorApp), null));
    }
    return out;
  }

  private List<Item> verdicts(int round, long now, Random random, Set<String> readers) {
    String node = ChaosFleet.GARBAGE_NODE;
    String topic = topics.verdicts.name();
    FaultVerdict valid = verdict("forged-" + round, node, now);
    List<Item> out = new ArrayList<>();
    for (Crafted c : Garbage.poison(node, serialize(topics.verdicts, valid), random)) {
      out.add(new Item(topic, c, readers, null));
    }
    out.add(item(topic, "null value", node, null, DeadLetterKind.VALIDATION, readers));
    out.add(
        item(
            topic,
            "null key",
            null,
            serialize(topics.verdicts, valid),
            DeadLetterKind.VALIDATION,
            readers));
    String huge = "n".repeat(10_000);
    out.add(
        item(
            topic,
            "10 KB node name",
            huge,
            serialize(topics.verdicts, verdict("forged-huge-" + round, huge, now)),
            DeadLetterKind.VALIDATION,
            readers));
    String sql = "' or 1=1; drop table verdicts; --";
    out.add(
        item(
            topic,
            "SQL node name",
            sql,
            serialize(topics.verdicts, verdict("forged-sql-" + round, sql, now)),
            DeadLetterKind.VALIDATION,
            readers));
    String cpu = "forged-cpu-" + round;
    out.add(
        new Item(
            topic,
            new Crafted(
                "verdict about a CPU node",
                ChaosFleet.CPU_NODE,
                serialize(topics.verdicts, verdict(cpu, ChaosFleet.CPU_NODE, now)),
                null),
            Set.of(),
            cpu));
    return out;
  }

  private List<Item> commands(int round, long now, Random random, Set<String> readers) {
    String topic = topics.control.name();
    Instant at = Instant.ofEpochMilli(now);
    List<Item> out = new ArrayList<>();
    ControlCommand valid = command("chaos-" + round, "global", ControlKind.PAUSE, at, null);
    for (Crafted c : Garbage.poison("global", serialize(topics.control, valid), random)) {
      out.add(new Item(topic, c, readers, null));
    }
    // No null value here: on the compacted control topic it is a tombstone, which withdraws the
    // scope's command by design; only the topic's ACLs keep others from writing one.
    out.add(forged(topic, "null key", null, valid, readers));
    out.add(
        forged(
            topic,
            "empty command id",
            "global",
            command("", "global", ControlKind.PAUSE, at, null),
            readers));
    out.add(
        forged(
            topic,
            "unknown scope",
            "galaxy:far",
            command("c-scope-" + round, "galaxy:far", ControlKind.PAUSE, at, null),
            readers));
    out.add(
        forged(
            topic,
            "veto until 2100",
            "node:" + ChaosFleet.GARBAGE_NODE,
            command(
                "c-2100-" + round,
                "node:" + ChaosFleet.GARBAGE_NODE,
                ControlKind.VETO,
                at,
                Instant.parse("2100-01-01T00:00:00Z")),
            readers));
    out.add(
        forged(
            topic,
            "scope is not the key",
            "nodegroup:chaos-ng-0",
            command("c-key-" + round, "global", ControlKind.PAUSE, at, null),
            readers));
    return out;
  }

  private Item forged(
      String topic, String label, String key, ControlCommand c, Set<String> readers) {
    return item(
        topic, label, key, serialize(topics.control, c), DeadLetterKind.VALIDATION, readers);
  }

  private static Item item(
      String topic,
      String label,
      String key,
      byte[] value,
      DeadLetterKind kind,
      Set<String> readers) {
    return new Item(topic, new Crafted(label, key, value, kind), readers, null);
  }

  private static Item dayOld(String topic, byte[] value, Set<String> readers) {
    return item(topic, "event time -1d", ChaosFleet.GARBAGE_NODE, value, null, readers);
  }

  private byte[] gpu(String node, long at, boolean impossible) {
    GpuSample s =
        ChaosFleet.sample(
            new ChaosFleet.FleetNode(
                node, "garbage-ng", "us-east-1a", "g5.xlarge", "i-1", "boot-1", true),
            Instant.ofEpochMilli(at));
    if (impossible) {
      // What a broken dcgm-exporter really reported.
      s = GpuSample.newBuilder(s).setTemperatureC(644_245_923.0).build();
    }
    return serialize(topics.gpu, s);
  }

  private byte[] xid(String node, long at, boolean impossible) {
    XidEvent x =
        XidEvent.newBuilder()
            .setEventId(node + "/xid/garbage/" + at)
            .setNode(node)
            .setEventTime(Instant.ofEpochMilli(at))
            .setXid(impossible ? 99_999 : 13)
            .setPciBusId("00000000:53:00.0")
            .setMessage("NVRM: Xid (PCI:0000:53:00): 13, Graphics Exception")
            .setBootId("boot-" + node)
            .build();
    return serialize(topics.xid, x);
  }

  private byte[] event(String node, long at, boolean impossible) {
    NodeEvent e =
        NodeEvent.newBuilder()
            .setEventId(node + "/event/garbage/" + at)
            .setNode(node)
            .setKind(NodeEventKind.NODE_REBOOTED)
            .setEventTime(Instant.ofEpochMilli(at))
            .setSource("kubelet")
            .setReason("Rebooted")
            .setMessage(impossible ? "m".repeat(20_000) : "Node has been rebooted")
            .setBootId("boot-garbage")
            .setLabels(Map.of())
            .build();
    return serialize(topics.kubeEvents, e);
  }

  static FaultVerdict verdict(String id, String node, long now) {
    Instant at = Instant.ofEpochMilli(now);
    return FaultVerdict.newBuilder()
        .setVerdictId(id)
        .setNode(node)
        .setNodegroup("garbage-ng")
        .setZone("us-east-1a")
        .setFaultClass(FaultClass.GPU_LOST)
        .setSeverity(Severity.CRITICAL)
        .setState(VerdictState.OPEN)
        .setRecommendedAction(RemediationAction.REBOOT)
        .setGpus(List.of())
        .setEvidence(List.of())
        .setRuleId("forged")
        .setRuleVersion("1")
        .setDetectedAt(at)
        .setUpdatedAt(at)
        .setValidUntil(at.plusSeconds(600))
        .setHeld(false)
        .setSummary("forged by the chaos suite")
        .build();
  }

  private static ControlCommand command(
      String id, String scope, ControlKind kind, Instant at, Instant expires) {
    return ControlCommand.newBuilder()
        .setCommandId(id)
        .setScope(scope)
        .setKind(kind)
        .setOperator("mallory")
        .setReason("forged")
        .setIssuedAt(at.minusSeconds(5))
        .setExpiresAt(expires)
        .build();
  }

  private static <V extends SpecificRecord> byte[] serialize(Topic<V> topic, V value) {
    return topic.valueSerde().serializer().serialize(topic.name(), value);
  }
}
