package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * NODE_NOT_READY_GPU for a hung GPU node: the control plane marked it not Ready (source {@value
 * #NODE_CONTROLLER}: the kubelet stopped posting status) and the node's own exporter has been
 * silent for longer than the stale window. Neither alone is enough: the node controller also marks
 * a node whose kubelet alone crashed, and a silent exporter on a Ready node is TELEMETRY_STALE
 * (NOTIFY). Together the whole node is gone quiet, and a reboot is what brings it back; the
 * remediator's budgets and holds apply as to any REBOOT.
 *
 * <p>The evidence starts at the NotReady, so a detection made after a reboot that ended it is
 * dropped by the decider as predating the recovery.
 */
public final class HungNodeRule {
  public static final String RULE_ID = "node.hung-not-ready-exporter-silent";

  /** NodeEvent source of conditions the node lifecycle controller sets (NodeStatusUnknown). */
  public static final String NODE_CONTROLLER = "node-controller";

  private final Duration silentAfter;

  public HungNodeRule(Duration silentAfter) {
    this.silentAfter = silentAfter;
  }

  /** Remembers who reported a Ready transition and since when; call for every Ready change. */
  public static void onReady(NodeState s, NodeEvent e) {
    if ("True".equals(e.getConditionStatus())) {
      forget(s);
      return;
    }
    if (s.notReadySince == null || !e.getSource().equals(s.notReadySource)) {
      s.notReadySince = e.getEventTime().toEpochMilli();
      s.notReadyEventId = e.getEventId();
    }
    s.notReadySource = e.getSource();
  }

  /** A reboot ends the hang: a later one is reported by a new transition. */
  public static void onRebooted(NodeState s) {
    forget(s);
  }

  private static void forget(NodeState s) {
    s.notReadySource = null;
    s.notReadySince = null;
    s.notReadyEventId = null;
    s.raised.remove(RULE_ID);
  }

  /** The detection at stream time {@code now}, once per hang. */
  public Optional<Signal.Detected> evaluate(String node, NodeState s, Instant now) {
    long ms = now.toEpochMilli();
    if (!Boolean.FALSE.equals(s.ready)
        || !NODE_CONTROLLER.equals(s.notReadySource)
        || s.notReadySince == null
        || s.expectedGpus <= 0
        || s.lastHeartbeat == null
        || ms - s.lastHeartbeat <= silentAfter.toMillis()
        || !s.raised.add(RULE_ID)) {
      return Optional.empty();
    }
    long silentS = (ms - s.lastHeartbeat) / 1000;
    Evidence e =
        Evidences.of(
                Evidences.NONE,
                s.notReadyEventId,
                Instant.ofEpochMilli(s.notReadySince),
                "not_ready_by_node_controller_exporter_silent")
            .setValue((double) (ms - s.lastHeartbeat))
            .setDetail(
                "Ready not True by node-controller since "
                    + Instant.ofEpochMilli(s.notReadySince)
                    + "; last exporter heartbeat "
                    + Instant.ofEpochMilli(s.lastHeartbeat))
            .build();
    return Optional.of(
        new Signal.Detected(
            node,
            FaultClass.NODE_NOT_READY_GPU,
            Severity.CRITICAL,
            RemediationAction.REBOOT,
            List.of(),
            e,
            RULE_ID,
            now,
            "node hung: kubelet stopped posting status (node-controller) and the GPU exporter"
                + " has been silent for "
                + silentS
                + "s",
            null));
  }
}
