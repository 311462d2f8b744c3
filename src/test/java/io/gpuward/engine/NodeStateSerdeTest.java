package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.engine.domain.NodeState;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class NodeStateSerdeTest {
  private static final long T0 = 1_795_000_000_000L;

  private final NodeStateSerde serde = new NodeStateSerde();
  private final JsonSerde<NodeState> json = new JsonSerde<>(NodeState.class);

  /** Every field set, none to its default. */
  static NodeState full() {
    NodeState s = new NodeState();
    s.registered = true;
    s.ready = false;
    s.notReadySource = "kubelet";
    s.notReadySince = T0 - 5_000;
    s.notReadyEventId = "ip-10-0-0-1/NODE_NOT_READY/abc";
    s.lastHeartbeat = T0;
    s.noGpuHeartbeats = 3;
    s.removedAt = T0 + 1;
    s.gpuCapacity = 8;
    s.gpuAllocatable = 7;
    s.allocatableLowSince = T0 - 60_000;
    s.labels.put("node.kubernetes.io/instance-type", "p5.48xlarge");
    s.labels.put("nvidia.com/gpu.deploy.driver", "true");
    s.labels.put("üñíçødé", "värde");
    s.operandMissingSince.put("dcgm-exporter", T0 - 1);
    s.operandMissingSince.put("negative", -42L);
    s.operandPods.put(
        "device-plugin",
        new NodeState.OperandPod("CrashLoopBackOff", "gpu-operator", "p-1", "restarts 2", T0));
    s.expectedGpus = 8;
    s.migCapable = true;
    s.inventoryRegistered = true;
    s.launchedAt = T0 - 86_400_000L;
    s.instanceType = "p5.48xlarge";
    s.image = "ami-eks-gpu";
    s.amiId = "ami-0123456789abcdef0";
    s.ssmPingStatus = "Online";
    s.acceleratedHardware.put("GPU_XID_FATAL", "eks-accelerated-hardware");
    s.recentEventIds.addAll(List.of(Long.MIN_VALUE, -1L, 42L, Long.MAX_VALUE, 7L));
    s.scheduledEvents.put(
        "instance-event-1",
        new NodeState.Scheduled(
            "instance-retirement",
            "retiring",
            "instance-event-1",
            T0 + 3_600_000,
            T0 + 7_200_000L,
            true));
    s.returning =
        new NodeState.Scheduled("system-reboot", "reboot", "instance-event-0", T0, T0 + 1, true);
    s.rebootedAt = T0 + 2;
    s.raised.addAll(Set.of("NODE_NOT_READY", "GPU_OPERATOR_DEGRADED"));
    return s;
  }

  private String jsonOf(NodeState s) {
    return new String(json.serializer().serialize("t", s), StandardCharsets.UTF_8);
  }

  private NodeState roundTrip(NodeState s) {
    byte[] bytes = serde.serializer().serialize("t", s);
    assertThat(bytes[0]).as("always written binary").isEqualTo(NodeStateSerde.VERSION);
    return serde.deserializer().deserialize("t", bytes);
  }

  @Test
  void fullTestValueSetsEveryField() {
    EveryFieldSet.check(full());
  }

  @Test
  void shouldRoundTripEveryField() {
    NodeState s = full();

    NodeState back = roundTrip(s);

    assertThat(jsonOf(back)).isEqualTo(jsonOf(s));
    assertThat(back.recentEventIds).containsExactly(Long.MIN_VALUE, -1L, 42L, Long.MAX_VALUE, 7L);
    assertThat(back.raised).isInstanceOf(HashSet.class);
  }

  @Test
  void shouldRoundTripNullBoxedFieldsAndCollections() {
    NodeState s = full();
    s.ready = true;
    s.notReadySource = null;
    s.notReadySince = null;
    s.notReadyEventId = null;
    s.lastHeartbeat = null;
    s.removedAt = null;
    s.gpuCapacity = null;
    s.gpuAllocatable = Integer.MIN_VALUE;
    s.allocatableLowSince = null;
    s.inventoryRegistered = null;
    s.launchedAt = Long.MIN_VALUE;
    s.instanceType = "";
    s.image = null;
    s.amiId = null;
    s.ssmPingStatus = null;
    s.labels.put("empty", null);
    s.operandMissingSince.put("null", null);
    s.operandPods.put("null", null);
    s.operandPods.put("nulls", new NodeState.OperandPod(null, null, null, null, -1));
    s.scheduledEvents.put("open-ended", new NodeState.Scheduled("c", null, "e", 0, null, false));
    s.returning = null;
    s.acceleratedHardware = null;
    s.raised = null;

    assertThat(jsonOf(roundTrip(s))).isEqualTo(jsonOf(s));
    assertThat(jsonOf(roundTrip(new NodeState()))).isEqualTo(jsonOf(new NodeState()));
  }

  @Test
  void shouldReadTheJsonEarlierVersionsWrote() {
    NodeState s = full();
    byte[] old = json.serializer().serialize("t", s);

    NodeState back = serde.deserializer().deserialize("t", old);

    assertThat(jsonOf(back)).isEqualTo(jsonOf(s));
  }

  @Test
  void shouldRefuseAnUnknownFormatOrEveryTruncation() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {9}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown node state format 9");
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[0]))
        .isInstanceOf(SerializationException.class);
    byte[] bytes = serde.serializer().serialize("t", full());
    for (int n = 1; n < bytes.length; n++) {
      byte[] cut = Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut))
          .as("cut to %d of %d bytes", n, bytes.length)
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("node state");
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", longer))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void shouldBeAFractionOfTheJsonForATypicalNode() {
    NodeState s = typical();

    int binary = serde.serializer().serialize("t", s).length;
    int asJson = json.serializer().serialize("t", s).length;

    System.out.printf(
        "node state with %d labels: JSON %d B, binary %d B%n", s.labels.size(), asJson, binary);
    assertThat(binary).isLessThan(asJson / 2);
  }

  /** A registered, Ready GPU node: 15 labels, the last 64 kube events remembered. */
  static NodeState typical() {
    NodeState s = new NodeState();
    s.registered = true;
    s.ready = true;
    s.lastHeartbeat = T0;
    s.gpuCapacity = 8;
    s.gpuAllocatable = 8;
    s.expectedGpus = 8;
    s.inventoryRegistered = true;
    s.launchedAt = T0 - 86_400_000L;
    s.instanceType = "p5.48xlarge";
    s.image = "ami-eks-gpu";
    s.amiId = "ami-0123456789abcdef0";
    s.rebootedAt = T0 - 80_000_000L;
    String[] keys = {
      "beta.kubernetes.io/arch",
      "beta.kubernetes.io/instance-type",
      "beta.kubernetes.io/os",
      "eks.amazonaws.com/capacityType",
      "eks.amazonaws.com/nodegroup",
      "kubernetes.io/arch",
      "kubernetes.io/hostname",
      "kubernetes.io/os",
      "node.kubernetes.io/instance-type",
      "nvidia.com/gpu.deploy.container-toolkit",
      "nvidia.com/gpu.deploy.dcgm-exporter",
      "nvidia.com/gpu.deploy.device-plugin",
      "nvidia.com/gpu.deploy.driver",
      "nvidia.com/gpu.present",
      "topology.kubernetes.io/zone"
    };
    for (String k : keys) {
      s.labels.put(k, k.endsWith("type") ? "p5.48xlarge" : "true");
    }
    for (int i = 0; i < 64; i++) {
      s.recentEventIds.add(0x9E3779B97F4A7C15L * (i + 1));
    }
    return s;
  }
}
