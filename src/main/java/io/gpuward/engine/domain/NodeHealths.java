package io.gpuward.engine.domain;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.HealthState;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.Severity;
import io.gpuward.avro.VerdictRef;
import io.gpuward.contract.FaultClasses;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** A node's health from its open verdicts. */
public final class NodeHealths {
  private NodeHealths() {}

  public static NodeHealth of(
      String node, Collection<FaultVerdict> open, NodeContext ctx, Instant at) {
    List<VerdictRef> refs =
        open.stream()
            .sorted(Comparator.comparing(v -> v.getFaultClass().name()))
            .map(
                v ->
                    VerdictRef.newBuilder()
                        .setVerdictId(v.getVerdictId())
                        .setFaultClass(v.getFaultClass())
                        .setSeverity(v.getSeverity())
                        .setRecommendedAction(v.getRecommendedAction())
                        .setHeld(v.getHeld())
                        .build())
            .toList();
    return NodeHealth.newBuilder()
        .setNode(node)
        .setState(state(open))
        .setOpenVerdicts(refs)
        .setNodegroup(ctx.nodegroup())
        .setZone(ctx.zone())
        .setInstanceType(ctx.instanceType())
        .setUpdatedAt(at)
        .build();
  }

  static HealthState state(Collection<FaultVerdict> open) {
    if (open.isEmpty()) {
      return HealthState.HEALTHY;
    }
    if (open.stream().anyMatch(v -> FaultClasses.isConfiguration(v.getFaultClass()))) {
      return HealthState.MISCONFIGURED;
    }
    if (open.stream().anyMatch(v -> v.getSeverity().ordinal() >= Severity.MAJOR.ordinal())) {
      return HealthState.FAULTY;
    }
    return HealthState.DEGRADED;
  }
}
