package io.gpuward.engine.domain;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EKS node monitoring agent's {@value #CONDITION} condition as a GPU fault signal. The agent
 * flips it to False only on a fatal finding, with the finding's reason ({@code NvidiaXID79Error},
 * {@code NvidiaDoubleBitError}, ...) and text; each reason maps to the hardware class the engine's
 * own telemetry would raise for the same fault, so both sources land on one verdict per class:
 *
 * <ul>
 *   <li>{@code NvidiaXID<n>Error}: the XID's own classification ({@link XidPolicy}); an XID the
 *       policy calls the application's is still fatal to the agent, so a human looks (ESCALATE);
 *   <li>double-bit ECC: GPU_MEMORY_DEGRADED, RESET_GPU; device count mismatch: GPU_LOST, REBOOT;
 *   <li>NVLink, fabric and Fabric Manager: NVLINK_DEGRADED, CORDON (its follow-up resets);
 *   <li>lost DCGM host engine: TELEMETRY_STALE, NOTIFY (the monitor, not the GPU, failed);
 *   <li>DCGM diagnostics and health codes, and any other reason: GPU_XID_FATAL, REBOOT.
 * </ul>
 *
 * The condition back to True recovers the verdicts it opened ({@link
 * NodeState#acceleratedHardware}), not one the engine's own telemetry opened for the same class.
 */
public final class AcceleratedHardwareRule {
  public static final String CONDITION = "AcceleratedHardwareReady";
  public static final String RULE_PREFIX = "nma.accelerated-hardware.";

  private static final Pattern XID_REASON = Pattern.compile("NvidiaXID(\\d{1,3})Error");

  private record Mapping(FaultClass faultClass, RemediationAction action, Severity severity) {}

  private static final Mapping OTHER =
      new Mapping(FaultClass.GPU_XID_FATAL, RemediationAction.REBOOT, Severity.CRITICAL);

  private static final Map<String, Mapping> REASONS =
      Map.of(
          "NvidiaDoubleBitError",
          new Mapping(
              FaultClass.GPU_MEMORY_DEGRADED, RemediationAction.RESET_GPU, Severity.CRITICAL),
          "NvidiaDeviceCountMismatch",
          new Mapping(FaultClass.GPU_LOST, RemediationAction.REBOOT, Severity.CRITICAL),
          "NvidiaNVLinkError",
          new Mapping(FaultClass.NVLINK_DEGRADED, RemediationAction.CORDON, Severity.MAJOR),
          "NvidiaFabricError",
          new Mapping(FaultClass.NVLINK_DEGRADED, RemediationAction.CORDON, Severity.MAJOR),
          "FabricManagerNotRunning",
          new Mapping(FaultClass.NVLINK_DEGRADED, RemediationAction.CORDON, Severity.MAJOR),
          "DCGMError",
          new Mapping(FaultClass.TELEMETRY_STALE, RemediationAction.NOTIFY, Severity.WARNING));

  private final XidPolicy xids;

  public AcceleratedHardwareRule(XidPolicy xids) {
    this.xids = xids;
  }

  /** Whether the event is a transition of the agent's accelerated-hardware condition. */
  public static boolean applies(NodeEvent e) {
    return e.getKind() == NodeEventKind.CONDITION_CHANGED
        && CONDITION.equals(e.getConditionType())
        && e.getConditionStatus() != null;
  }

  /** Whether the condition says the GPUs are healthy again. */
  public static boolean isReady(NodeEvent e) {
    return "True".equals(e.getConditionStatus());
  }

  /** The fault a False condition reports; empty for True or Unknown (the agent not reporting). */
  public Optional<Signal.Detected> evaluate(NodeEvent e, Evidences.Coordinates at) {
    if (!applies(e) || !"False".equals(e.getConditionStatus())) {
      return Optional.empty();
    }
    String reason = e.getReason() == null ? "" : e.getReason();
    Mapping m = mapping(reason);
    String text = reason + ": " + (e.getMessage() == null ? "" : e.getMessage());
    var evidence =
        Evidences.of(at, e.getEventId(), e.getEventTime(), "condition:" + CONDITION + "=False")
            .setDetail(text)
            .build();
    return Optional.of(
        new Signal.Detected(
            e.getNode(),
            m.faultClass(),
            m.severity(),
            m.action(),
            List.of(),
            evidence,
            RULE_PREFIX + (reason.isEmpty() ? "unknown" : reason),
            e.getEventTime(),
            "EKS node monitoring agent: " + CONDITION + "=False (" + text + ")",
            null));
  }

  private Mapping mapping(String reason) {
    Matcher x = XID_REASON.matcher(reason);
    if (x.matches()) {
      return xids.classify(Integer.parseInt(x.group(1)))
          .filter(c -> c.faultClass() != FaultClass.APP_XID)
          .map(c -> new Mapping(c.faultClass(), c.action(), c.severity()))
          .orElse(
              new Mapping(FaultClass.GPU_XID_FATAL, RemediationAction.ESCALATE, Severity.MAJOR));
    }
    return REASONS.getOrDefault(reason, OTHER);
  }
}
