package io.gpuward.testing;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.HealthState;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.Severity;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictRef;
import io.gpuward.avro.VerdictState;
import io.gpuward.avro.XidEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Realistic instances of every topic record, for serde and JSON tests. */
public final class SampleRecords {
  public static final Instant T0 = Instant.parse("2025-06-01T12:00:00.123Z");
  public static final String NODE = "ip-10-0-12-34.ec2.internal";
  public static final String GPU_UUID = "GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138";

  private SampleRecords() {}

  public static GpuSample gpuSample() {
    return GpuSample.newBuilder()
        .setNode(NODE)
        .setUuid(GPU_UUID)
        .setGpuIndex(3)
        .setPciBusId("00000000:53:00.0")
        .setModel("NVIDIA H100 80GB HBM3")
        .setDriverVersion("550.127.05")
        .setEventTime(T0)
        .setBootId("8f2c6a1e-3b7d-4c55-9a0e-1d2f3a4b5c6d")
        .setTemperatureC(71.0)
        .setPowerW(612.5)
        .setGpuUtilPct(98.0)
        .setFbUsedMiB(79_000L)
        .setFbFreeMiB(1_000L)
        .setEccDbeVolatile(2L)
        .setRowRemapPending(true)
        .setLastXid(79)
        .setNvlinkCrcFlitErrors(0L)
        .build();
  }

  public static XidEvent xidEvent() {
    return XidEvent.newBuilder()
        .setEventId("xid-" + NODE + "-4711")
        .setNode(NODE)
        .setEventTime(T0)
        .setXid(79)
        .setPciBusId("00000000:53:00.0")
        .setGpuUuid(GPU_UUID)
        .setPid(null)
        .setProcessName(null)
        .setMessage("GPU has fallen off the bus.")
        .setBootId("8f2c6a1e-3b7d-4c55-9a0e-1d2f3a4b5c6d")
        .setKmsgSequence(4711L)
        .build();
  }

  public static NodeEvent nodeEvent() {
    return NodeEvent.newBuilder()
        .setEventId("ev-1")
        .setNode(NODE)
        .setKind(NodeEventKind.RESOURCE_SNAPSHOT)
        .setEventTime(T0)
        .setSource("kube-watcher")
        .setGpuCapacity(8)
        .setGpuAllocatable(7)
        .setLabels(Map.of("node.kubernetes.io/instance-type", "p5.48xlarge"))
        .setUnschedulable(false)
        .build();
  }

  public static NodeInventory nodeInventory() {
    return NodeInventory.newBuilder()
        .setNode(NODE)
        .setInstanceId("i-0abc123def4567890")
        .setInstanceType("p5.48xlarge")
        .setNodegroup("p5-train")
        .setAsgName("eks-p5-train-2024")
        .setZone("us-east-1a")
        .setExpectedGpus(8)
        .setGpuModel("H100")
        .setMigCapable(true)
        .setRegistered(true)
        .setLaunchedAt(T0.minusSeconds(86_400))
        .setUpdatedAt(T0)
        .setLabels(Map.of("topology.kubernetes.io/zone", "us-east-1a"))
        .build();
  }

  public static FaultVerdict faultVerdict() {
    return FaultVerdict.newBuilder()
        .setVerdictId("v-" + NODE + "-1")
        .setNode(NODE)
        .setNodegroup("p5-train")
        .setInstanceId("i-0abc123def4567890")
        .setZone("us-east-1a")
        .setFaultClass(FaultClass.GPU_LOST)
        .setSeverity(Severity.CRITICAL)
        .setState(VerdictState.OPEN)
        .setRecommendedAction(RemediationAction.REPLACE)
        .setGpus(
            List.of(
                GpuRef.newBuilder()
                    .setUuid(GPU_UUID)
                    .setIndex(3)
                    .setPciBusId("00000000:53:00.0")
                    .build()))
        .setEvidence(
            List.of(
                Evidence.newBuilder()
                    .setSource("gpuward.telemetry.xid.v1")
                    .setPartition(2)
                    .setOffset(1234L)
                    .setEventId("xid-" + NODE + "-4711")
                    .setEventTime(T0)
                    .setSignal("xid=79")
                    .setValue(79.0)
                    .setGpuUuid(GPU_UUID)
                    .setDetail("GPU has fallen off the bus.")
                    .build(),
                Evidence.newBuilder()
                    .setSource("window:gpu-telemetry-missing")
                    .setEventTime(T0.plusSeconds(60))
                    .setSignal("samples_in_window")
                    .setValue(0.0)
                    .setWindowStart(T0)
                    .setWindowEnd(T0.plusSeconds(60))
                    .build()))
        .setRuleId("xid-79-gpu-lost")
        .setRuleVersion("2025.06.1")
        .setDetectedAt(T0)
        .setUpdatedAt(T0.plusSeconds(60))
        .setValidUntil(T0.plusSeconds(3600))
        .setHeld(false)
        .setSummary("GPU 3 fell off the bus (XID 79)")
        .build();
  }

  public static NodeHealth nodeHealth() {
    return NodeHealth.newBuilder()
        .setNode(NODE)
        .setState(HealthState.FAULTY)
        .setOpenVerdicts(
            List.of(
                VerdictRef.newBuilder()
                    .setVerdictId("v-" + NODE + "-1")
                    .setFaultClass(FaultClass.GPU_LOST)
                    .setSeverity(Severity.CRITICAL)
                    .setRecommendedAction(RemediationAction.REPLACE)
                    .build()))
        .setNodegroup("p5-train")
        .setZone("us-east-1a")
        .setInstanceType("p5.48xlarge")
        .setUpdatedAt(T0)
        .build();
  }

  public static FleetIncident fleetIncident() {
    return FleetIncident.newBuilder()
        .setIncidentId("inc-1")
        .setScope("nodegroup:p5-train")
        .setIncidentClass(IncidentClass.COMMON_CAUSE)
        .setSignature("DRIVER_ROOT_MISCONFIGURED:libnvidia-ml")
        .setNodes(List.of(NODE, "ip-10-0-12-35.ec2.internal", "ip-10-0-12-36.ec2.internal"))
        .setState(IncidentState.OPEN)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setFaultClass(FaultClass.DRIVER_ROOT_MISCONFIGURED)
        .setSummary("3 nodes in p5-train cannot load libnvidia-ml")
        .build();
  }

  public static RemediationRecord remediationRecord() {
    return RemediationRecord.newBuilder()
        .setOperationId("op-" + NODE + "-REPLACE-1")
        .setVerdictId("v-" + NODE + "-1")
        .setNode(NODE)
        .setAction(RemediationAction.REPLACE)
        .setOutcome(Outcome.SKIPPED)
        .setReason(SkipReason.BUDGET)
        .setAttempt(1)
        .setPolicyVersion("policy-1")
        .setAt(T0)
        .setFaultClass(FaultClass.GPU_LOST)
        .setNodegroup("p5-train")
        .setDryRun(false)
        .setDetail("nodegroup p5-train replace budget 1/1 spent")
        .build();
  }

  public static ControlCommand controlCommand() {
    return ControlCommand.newBuilder()
        .setCommandId("cmd-1")
        .setScope("nodegroup:p5-train")
        .setKind(ControlKind.PAUSE)
        .setOperator("alice")
        .setReason("maintenance window")
        .setIssuedAt(T0)
        .setExpiresAt(T0.plusSeconds(7200))
        .build();
  }

  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setOriginalTopic("gpuward.telemetry.gpu.v1")
        .setOriginalPartition(4)
        .setOriginalOffset(99L)
        .setOriginalTimestamp(T0)
        .setOriginalKey(ByteBuffer.wrap(NODE.getBytes(StandardCharsets.UTF_8)))
        .setOriginalValue(ByteBuffer.wrap(new byte[] {0x7b, 0x7d}))
        .setKind(DeadLetterKind.DESERIALIZATION)
        .setReason("not Confluent-framed: first byte 0x7b (expected 0x00)")
        .setErrorClass("org.apache.kafka.common.errors.SerializationException")
        .setSchemaId(null)
        .setApplication("gpuward-engine")
        .setFailedAt(T0.plusSeconds(1))
        .build();
  }

  /** One instance of every topic record, with its catalog topic id. */
  public static Map<String, org.apache.avro.specific.SpecificRecord> all() {
    return Map.of(
        "gpu", gpuSample(),
        "xid", xidEvent(),
        "kubeEvents", nodeEvent(),
        "inventory", nodeInventory(),
        "verdicts", faultVerdict(),
        "health", nodeHealth(),
        "incidents", fleetIncident(),
        "audit", remediationRecord(),
        "control", controlCommand(),
        "dlq", deadLetter());
  }
}
