package io.gpuward.remediation;

import static io.gpuward.remediation.GpuDrainScopeTest.gpu;
import static io.gpuward.remediation.GpuDrainScopeTest.verdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.remediation.port.LiveNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the audit's report end counts: here, the per-GPU repairs that kept a node schedulable. */
class AuditReportTest {
  private static final FaultVerdict ONE_BAD_GPU = verdict(FaultClass.GPU_XID_FATAL, gpu(2, "ml/a"));
  private static final Step DRAIN = new Step("op-d", RemediationAction.DRAIN, 1, null, "drain");
  private static final String EVICTED =
      "drained GPU 2: 1 pod(s) evicted (ml/a); the other GPUs' pods keep running; ";

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<RemediationRecord> audit = new ArrayList<>();

  private AuditReport report(boolean dryRun) {
    return new AuditReport(
        new Ledger(),
        audit::add,
        Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC),
        "test",
        dryRun,
        meters);
  }

  private double containments() {
    var c =
        meters
            .find(RemediationMetrics.CONTAINMENTS)
            .tag("class", FaultClass.GPU_XID_FATAL.name())
            .counter();
    return c == null ? 0 : c.count();
  }

  private static String drained(int capacity, int allocatable) {
    return EVICTED
        + Containment.ofCounts(new LiveNode.GpuCount(capacity, allocatable), 1, "2").why();
  }

  @Test
  void shouldCountADrainThatKeptItsNodeSchedulable() {
    report(false).report(ONE_BAD_GPU, DRAIN, Outcome.SUCCEEDED, null, drained(8, 7));

    assertThat(containments()).isEqualTo(1.0);
    assertThat(audit).singleElement().satisfies(r -> assertThat(r.getDetail()).contains("7 of 8"));
  }

  @Test
  void shouldNotCountACordonedDrainAFailedOneOrADryRun() {
    report(false).report(ONE_BAD_GPU, DRAIN, Outcome.SUCCEEDED, null, drained(8, 8));
    report(false).report(ONE_BAD_GPU, DRAIN, Outcome.FAILED_TRANSIENT, null, drained(8, 7));
    report(true).report(ONE_BAD_GPU, DRAIN, Outcome.SUCCEEDED, null, drained(8, 7));

    assertThat(containments()).isZero();
    assertThat(audit).hasSize(3);
  }

  @Test
  void shouldDocumentTheMeter() {
    assertThat(RemediationMetrics.HELP).containsKey(RemediationMetrics.CONTAINMENTS);
    assertThat(RemediationMetrics.CONTAINMENTS).startsWith("gpuward.remediation.");
  }
}
