package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What a rule concluded from its input: a fault detected on a node, or recovery evidence. Rules
 * emit signals; {@link VerdictDecider} turns them into verdict changes.
 */
public sealed interface Signal permits Signal.Detected, Signal.Recovered {

  String node();

  Instant eventTime();

  /** Evidence of a fault. */
  record Detected(
      String node,
      FaultClass faultClass,
      Severity severity,
      RemediationAction action,
      List<GpuRef> gpus,
      Evidence evidence,
      String ruleId,
      Instant eventTime,
      String summary,
      String fixHint)
      implements Signal {
    public Detected {
      gpus = List.copyOf(gpus);
    }
  }

  /**
   * Evidence of recovery for {@code classes} on the node; for the GPUs in {@code gpuUuids} only, or
   * for the whole node when empty.
   */
  record Recovered(
      String node,
      Set<FaultClass> classes,
      List<String> gpuUuids,
      String reason,
      Evidence evidence,
      Instant eventTime)
      implements Signal {
    public Recovered {
      classes = Set.copyOf(classes);
      gpuUuids = List.copyOf(gpuUuids);
    }
  }
}
