package io.gpuward.engine.domain;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.avro.XidEvent;
import java.time.Instant;
import java.util.List;

/**
 * NODE_NOT_READY_GPU: kubelet reports the node NotReady and the node logged a GPU hardware XID
 * within the join window (either order). A NotReady node with a GPU fault is rebooted; NotReady
 * alone is Kubernetes' business.
 */
public final class NotReadyGpuJoiner {
  public static final String RULE_ID = "node.not-ready-with-gpu-fault";
  private final XidPolicy xids;

  public NotReadyGpuJoiner(XidPolicy xids) {
    this.xids = xids;
  }

  /** Whether the node event says the node is not ready. */
  public static boolean isNotReady(NodeEvent e) {
    return "Ready".equals(e.getConditionType())
        && e.getConditionStatus() != null
        && !"True".equals(e.getConditionStatus());
  }

  /** Whether an XID is a GPU hardware fault signal (not the application's). */
  public boolean isGpuFault(XidEvent x) {
    return xids.classify(x.getXid()).map(c -> c.faultClass() != FaultClass.APP_XID).orElse(false);
  }

  public Signal.Detected join(NodeEvent notReady, XidEvent xid) {
    Instant t =
        notReady.getEventTime().isAfter(xid.getEventTime())
            ? notReady.getEventTime()
            : xid.getEventTime();
    // The evidence starts with the earlier of the two: the decider drops a join whose NotReady (or
    // XID) predates the node's last recovery (Ready again, a reboot).
    Instant first =
        notReady.getEventTime().isBefore(xid.getEventTime())
            ? notReady.getEventTime()
            : xid.getEventTime();
    var evidence =
        Evidences.of(Evidences.NONE, notReady.getEventId(), first, "not_ready_with_xid")
            .setSource("join:not-ready-gpu")
            .setValue((double) xid.getXid())
            .setGpuUuid(xid.getGpuUuid())
            .setDetail(
                "Ready="
                    + notReady.getConditionStatus()
                    + " ("
                    + notReady.getReason()
                    + ") and XID "
                    + xid.getXid()
                    + " ["
                    + xid.getEventId()
                    + "]")
            .build();
    List<GpuRef> gpus =
        xid.getGpuUuid() == null
            ? List.of()
            : List.of(
                GpuRef.newBuilder()
                    .setUuid(xid.getGpuUuid())
                    .setIndex(null)
                    .setPciBusId(xid.getPciBusId())
                    .build());
    return new Signal.Detected(
        notReady.getNode(),
        FaultClass.NODE_NOT_READY_GPU,
        Severity.CRITICAL,
        RemediationAction.REBOOT,
        gpus,
        evidence,
        RULE_ID,
        t,
        "node NotReady (" + notReady.getReason() + ") with GPU fault XID " + xid.getXid(),
        null);
  }
}
