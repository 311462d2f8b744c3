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

  /**
   * Evidence of a fault. {@code validUntil} is when the verdict stops being actionable, when the
   * rule knows it (a scheduled event's window); null for the class's time to live after {@code
   * eventTime}.
   */
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
      String fixHint,
      Instant validUntil)
      implements Signal {
    public Detected {
      gpus = List.copyOf(gpus);
    }

    /** A detection valid for its class's time to live. */
    public Detected(
        String node,
        FaultClass faultClass,
        Severity severity,
        RemediationAction action,
        List<GpuRef> gpus,
        Evidence evidence,
        String ruleId,
        Instant eventTime,
        String summary,
        String fixHint) {
      this(
          node,
          faultClass,
          severity,
          action,
          gpus,
          evidence,
          ruleId,
          eventTime,
          summary,
          fixHint,
          null);
    }
  }

  /**
   * Evidence of recovery for {@code classes} on the node; for the GPUs in {@code gpuUuids} only, or
   * for the whole node when empty; for verdicts opened by rule {@code ruleId} only, or whatever
   * opened them when null. A rule that sees only its own condition gone (a corrected inventory)
   * says nothing about another rule's verdict of the same class.
   */
  record Recovered(
      String node,
      Set<FaultClass> classes,
      List<String> gpuUuids,
      String reason,
      Evidence evidence,
      Instant eventTime,
      String ruleId)
      implements Signal {
    public Recovered {
      classes = Set.copyOf(classes);
      gpuUuids = List.copyOf(gpuUuids);
    }

    /** Recovery of the classes whatever rule opened their verdicts. */
    public Recovered(
        String node,
        Set<FaultClass> classes,
        List<String> gpuUuids,
        String reason,
        Evidence evidence,
        Instant eventTime) {
      this(node, classes, gpuUuids, reason, evidence, eventTime, null);
    }
  }
}
