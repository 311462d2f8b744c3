package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.engine.EngineFixtures;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.util.Map;
import java.util.Optional;

/**
 * Open verdicts as the engine makes them: a shipped rule's detection on realistic input, opened by
 * the {@link VerdictDecider}, so tests of what reads verdicts never hand-build one.
 */
final class Verdicts {
  private Verdicts() {}

  static final RuleCatalog RULES = RuleCatalog.load();
  static final String GPU = "GPU-a54c1f2e-7b3d-4e8a-9f10-2c4d6e8f0a1b";

  static FaultVerdict open(Signal.Detected d) {
    NodeContext ctx =
        new NodeContext("p5-train", "i-0123456789abcdef0", "us-east-1a", "p5.48xlarge");
    return new VerdictDecider(RULES).onDetected(Optional.empty(), d, ctx).keep().orElseThrow();
  }

  /** The verdict an XID on {@link #GPU} opens (GPU_LOST for 79, APP_XID for 13, ...). */
  static FaultVerdict xid(String node, int code) {
    var x = EngineFixtures.xid(node, code, GPU, T0);
    return open(new XidRule(RULES.xid()).evaluate(x, Evidences.NONE).orElseThrow());
  }

  /** IMAGE_INSTANCE_MISMATCH: an NVIDIA image on an m5.large. */
  static FaultVerdict imageMismatch(String node) {
    var inv = EngineFixtures.inventory(node, "m5.large", "al2023-nvidia", T0);
    var rule = new ImageInstanceRule(RULES, InstanceTypeCatalog.load());
    return open((Signal.Detected) rule.evaluate(inv, Evidences.NONE).orElseThrow());
  }

  /** DRIVER_ROOT_MISCONFIGURED: a GPU container that cannot find libnvidia-ml. */
  static FaultVerdict driverRoot(String node) {
    NodeEvent e =
        NodeEvent.newBuilder()
            .setEventId(node + "/container/1")
            .setNode(node)
            .setKind(NodeEventKind.CONTAINER_START_FAILURE)
            .setEventTime(T0)
            .setSource("kubelet")
            .setReason("CreateContainerError")
            .setMessage(
                "nvidia-container-cli: initialization error: load library failed:"
                    + " libnvidia-ml.so.1: cannot open shared object file: no such file")
            .setNamespace("ml")
            .setPod("trainer-0")
            .setLabels(Map.of())
            .build();
    var signals = new NodeRules(RULES).onEvent(new NodeState(), e, Evidences.NONE);
    return open((Signal.Detected) signals.get(0));
  }

  /** TELEMETRY_STALE (WARNING): the EKS node monitoring agent lost DCGM. */
  static FaultVerdict dcgmLost(String node) {
    NodeEvent e =
        NodeEvent.newBuilder()
            .setEventId(node + "/nma/DCGMError")
            .setNode(node)
            .setKind(NodeEventKind.CONDITION_CHANGED)
            .setEventTime(T0)
            .setSource("eks-node-monitoring-agent")
            .setConditionType(AcceleratedHardwareRule.CONDITION)
            .setConditionStatus("False")
            .setReason("DCGMError")
            .setMessage("connection to nv-hostengine lost")
            .setLabels(Map.of())
            .build();
    var rule = new AcceleratedHardwareRule(RULES.xid());
    return open(rule.evaluate(e, Evidences.NONE).orElseThrow());
  }
}
