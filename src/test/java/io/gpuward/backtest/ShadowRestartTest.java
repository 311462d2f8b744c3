package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.Severity;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.testing.SampleRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A shadow remediator restarted between its cordon and the verdict clearing, built as {@code
 * Shadow} builds it: its ledger is rebuilt from its audit, and its model world must agree.
 */
class ShadowRestartTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private static FaultVerdict thermal(VerdictState state, Instant at) {
    return FaultVerdict.newBuilder(SampleRecords.faultVerdict())
        .setFaultClass(FaultClass.GPU_THERMAL)
        .setSeverity(Severity.MAJOR)
        .setRecommendedAction(RemediationAction.CORDON)
        .setState(state)
        .setClearReason(state == VerdictState.CLEARED ? "GPU back under its limit" : null)
        .setDetectedAt(T0)
        .setUpdatedAt(at)
        .setValidUntil(T0.plus(Duration.ofHours(1)))
        .build();
  }

  private static Remediation shadow(List<RemediationRecord> audit, Instant now) {
    ShadowWorld world = new ShadowWorld();
    Remediation r =
        new Remediation(
            new Planner(RemediationPolicy.load()),
            world,
            world,
            audit::add,
            Clock.fixed(now, ZoneOffset.UTC),
            false,
            new SimpleMeterRegistry());
    world.follow(r.fleet(), r.ledger());
    return r;
  }

  private static List<String> trail(List<RemediationRecord> audit) {
    return audit.stream().map(a -> a.getAction() + ":" + a.getOutcome()).toList();
  }

  @Test
  void shouldUndoItsOwnCordonAfterARestartWhenTheVerdictClears() {
    List<RemediationRecord> before = new ArrayList<>();
    Remediation first = shadow(before, T0.plusSeconds(5));
    first.onVerdict(thermal(VerdictState.OPEN, T0));
    first.close();
    assertThat(trail(before)).contains("CORDON:SUCCEEDED");

    List<RemediationRecord> after = new ArrayList<>();
    Remediation restarted = shadow(after, T0.plusSeconds(60));
    before.forEach(restarted.ledger()::record); // as RestoreReaders rebuilds it from the audit
    restarted.restoreOpen(thermal(VerdictState.OPEN, T0));
    restarted.onVerdict(thermal(VerdictState.CLEARED, T0.plusSeconds(60)));
    restarted.close();

    assertThat(trail(after))
        .as("the restarted shadow still holds its cordon, and lifts it")
        .containsExactly("UNCORDON:PLANNED", "UNCORDON:STARTED", "UNCORDON:SUCCEEDED");
  }
}
