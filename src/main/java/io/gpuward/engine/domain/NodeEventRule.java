package io.gpuward.engine.domain;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import java.util.List;
import java.util.Optional;

/** Kubelet/node events → signals. A reboot (new boot id) is recovery evidence for GPU faults. */
public final class NodeEventRule {

  public Optional<Signal> evaluate(NodeEvent e, Evidences.Coordinates at) {
    if (e.getKind() == NodeEventKind.NODE_REBOOTED) {
      var evidence =
          Evidences.of(at, e.getEventId(), e.getEventTime(), "node_rebooted")
              .setDetail(e.getMessage() != null ? e.getMessage() : "boot id " + e.getBootId())
              .build();
      return Optional.of(
          new Signal.Recovered(
              e.getNode(),
              FaultClasses.CLEARED_BY_REBOOT,
              List.of(),
              "node rebooted (boot id " + e.getBootId() + ")",
              evidence,
              e.getEventTime()));
    }
    return Optional.empty();
  }
}
