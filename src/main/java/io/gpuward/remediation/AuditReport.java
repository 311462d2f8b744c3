package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report end of the loop: every decision and step becomes one {@link RemediationRecord}, folded
 * into the ledger, counted, logged and handed to the audit sink. An unchanged skip is said once.
 */
final class AuditReport {
  private static final Logger log = LoggerFactory.getLogger(AuditReport.class);

  private final Ledger ledger;
  private final Consumer<RemediationRecord> audit;
  private final Clock clock;
  private final String policyVersion;
  private final boolean dryRun;
  private final MeterRegistry meters;

  AuditReport(
      Ledger ledger,
      Consumer<RemediationRecord> audit,
      Clock clock,
      String policyVersion,
      boolean dryRun,
      MeterRegistry meters) {
    this.ledger = ledger;
    this.audit = audit;
    this.clock = clock;
    this.policyVersion = policyVersion;
    this.dryRun = dryRun;
    this.meters = meters;
  }

  /** Records {@code outcome} of {@code step} for {@code v}. */
  void report(FaultVerdict v, Step step, Outcome outcome, SkipReason reason, String detail) {
    if (outcome == Outcome.SKIPPED && ledger.repeatsSkip(step.operationId(), reason, detail)) {
      log.debug(
          "unchanged skip not audited again node={} verdictId={} action={} reason={} op={}",
          v.getNode(),
          v.getVerdictId(),
          step.action(),
          reason,
          step.operationId());
      return;
    }
    RemediationRecord r =
        base(step.operationId(), v.getVerdictId(), v.getNode(), step.action(), outcome)
            .setReason(reason)
            .setAttempt(step.attempt())
            .setFaultClass(v.getFaultClass())
            .setNodegroup(v.getNodegroup())
            .setDetail(detail)
            .build();
    ledger.record(r);
    meters
        .counter(
            RemediationMetrics.RECORDS,
            "action",
            step.action().name(),
            "outcome",
            outcome.name(),
            "reason",
            reason == null ? "none" : reason.name())
        .increment();
    if (!dryRun && Containment.kept(step.action(), outcome, detail)) {
      meters
          .counter(RemediationMetrics.CONTAINMENTS, "class", v.getFaultClass().name())
          .increment();
    }
    log.info(
        "audit node={} verdictId={} action={} outcome={} reason={} op={}",
        v.getNode(),
        v.getVerdictId(),
        step.action(),
        outcome,
        reason,
        step.operationId());
    audit.accept(r);
  }

  /** Records a change of the remediator's own state (an operator command, observe-only). */
  void announce(String id, String scope, String detail) {
    RemediationRecord r =
        base("ctl-" + id, id, scope, RemediationAction.NONE, Outcome.SUCCEEDED)
            .setReason(null)
            .setAttempt(1)
            .setFaultClass(null)
            .setNodegroup(null)
            .setDetail(detail)
            .build();
    log.warn("remediator control: {}", detail);
    audit.accept(r);
  }

  private RemediationRecord.Builder base(
      String operationId, String verdictId, String node, RemediationAction a, Outcome o) {
    return RemediationRecord.newBuilder()
        .setOperationId(operationId)
        .setVerdictId(verdictId)
        .setNode(node)
        .setAction(a)
        .setOutcome(o)
        .setPolicyVersion(policyVersion)
        .setAt(clock.instant())
        .setDryRun(dryRun);
  }
}
