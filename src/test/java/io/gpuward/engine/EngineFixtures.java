package io.gpuward.engine;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import java.time.Instant;
import java.util.Map;

/** Realistic input records for engine tests (the topology's and the domain rules'). */
public final class EngineFixtures {
  private EngineFixtures() {}

  public static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  public static XidEvent xid(String node, int code, String uuid, Instant at) {
    return XidEvent.newBuilder()
        .setEventId(node + "-xid-" + code + "-" + at.toEpochMilli())
        .setNode(node)
        .setEventTime(at)
        .setXid(code)
        .setPciBusId("00000000:53:00.0")
        .setGpuUuid(uuid)
        .setPid(null)
        .setProcessName(null)
        .setMessage("GPU has fallen off the bus.")
        .setBootId("boot-1")
        .setKmsgSequence(null)
        .build();
  }

  public static GpuSample sample(String node, int index, String uuid, double tempC, Instant at) {
    return GpuSample.newBuilder()
        .setNode(node)
        .setUuid(uuid)
        .setGpuIndex(index)
        .setPciBusId(String.format("00000000:%02X:00.0", 0x53 + index))
        .setModel("NVIDIA H100 80GB HBM3")
        .setDriverVersion("580.95.05")
        .setEventTime(at)
        .setTemperatureC(tempC)
        .setPowerW(350.0)
        .build();
  }

  public static NodeInventory inventory(String node, String type, String image, Instant at) {
    return NodeInventory.newBuilder()
        .setNode(node)
        .setInstanceId("i-0123456789abcdef0")
        .setInstanceType(type)
        .setNodegroup(node.substring(0, node.lastIndexOf('-')))
        .setAsgName("eks-asg")
        .setZone("us-east-1a")
        .setImage(image)
        .setExpectedGpus(type.startsWith("p5") ? 8 : 0)
        .setRegistered(!type.startsWith("m5"))
        .setUpdatedAt(at)
        .setLabels(Map.of())
        .build();
  }

  public static NodeEvent rebooted(String node, String bootId, Instant at) {
    return NodeEvent.newBuilder()
        .setEventId(node + "-reboot-" + at.toEpochMilli())
        .setNode(node)
        .setKind(NodeEventKind.NODE_REBOOTED)
        .setEventTime(at)
        .setSource("kubelet")
        .setReason("Rebooted")
        .setMessage("Node " + node + " has been rebooted, boot id: " + bootId)
        .setBootId(bootId)
        .setLabels(Map.of())
        .build();
  }
}
